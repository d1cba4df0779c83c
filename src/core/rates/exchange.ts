// exchange (seed 001 §10, spec M5): converts between a merchant's balances in ONE transaction and ONE
// journal entry through the house's treasury account of each currency, the fee taken in the target currency.
// Idempotent on (merchant, merchantTradeNo): a retry with the same fields gets the first answer byte for
// byte (even if the rate has since changed or gone stale); different fields answer DUPLICATE_TRADE_NO.
import type { Deps } from '../deps.js';
import { TenderError } from '../../domain/errors.js';
import { formatMinor } from '../../domain/money.js';
import { cpayAmount } from '../../domain/cpay-fields.js';
import { accountCode, assertBalanced, type JournalEntry, type Posting } from '../../domain/ledger.js';
import { exchangeFee, formatRate, quoteRate, targetForSource, withSpread } from '../../domain/rates/rate-math.js';
import { inTx, type Tx } from '../../store/db.js';
import { postEntry } from '../../store/ledger-repo.js';
import { findExchange, insertExchange } from '../../store/exchanges-repo.js';
import { midRate } from './chain.js';
import { effectiveRateSettings } from './merchant-rates.js';
import { checkPair, parsePositiveAmount } from './pair-rules.js';

export interface ExchangeRequest {
  merchantTradeNo: string;
  userId: string;
  sourceCurrency: string;
  sourceAmount: string;
  targetCurrency: string;
}

/** The answer's data as the seed's example orders it; every value a string. */
export interface ExchangeData {
  targetCurrency: string;
  targetAmount: string;
  exchangeRate: string;
  fee: string;
}

function exchangeEntry(p: {
  exchangeId: string;
  merchantId: string;
  source: string;
  sourceAmount: bigint;
  target: string;
  gross: bigint;
  fee: bigint;
}): JournalEntry {
  const postings: Posting[] = [
    { account: { kind: 'merchant_available', merchantId: p.merchantId, currency: p.source }, amount: -p.sourceAmount },
    { account: { kind: 'treasury', currency: p.source }, amount: p.sourceAmount },
    { account: { kind: 'treasury', currency: p.target }, amount: -p.gross },
    { account: { kind: 'merchant_available', merchantId: p.merchantId, currency: p.target }, amount: p.gross - p.fee },
    { account: { kind: 'fee_revenue', currency: p.target }, amount: p.fee },
  ];
  return assertBalanced({
    kind: 'exchange',
    orderId: null,
    memo: `exchange ${p.exchangeId}: ${p.source} → ${p.target}`,
    postings: postings.filter((x) => x.amount !== 0n),
  });
}

async function balanceOf(tx: Tx, merchantId: string, currency: string): Promise<bigint> {
  const { rows } = await tx.query<{ balance: string }>('SELECT balance FROM ledger_accounts WHERE code = $1', [
    accountCode({ kind: 'merchant_available', merchantId, currency }),
  ]);
  return BigInt(rows[0]?.balance ?? '0');
}

const replay = (stored: { fingerprint: string; answer: string }, fingerprint: string): string => {
  if (stored.fingerprint !== fingerprint) throw new TenderError('DUPLICATE_TRADE_NO');
  return stored.answer;
};

/** Returns the answer's data as JSON text (the stored text, on a retry). */
export async function exchange(deps: Deps, merchantId: string, r: ExchangeRequest): Promise<string> {
  const { src, tgt } = checkPair(deps, r.sourceCurrency, r.targetCurrency);
  const sourceAmount = parsePositiveAmount(r.sourceAmount, src, 'sourceAmount');
  const fingerprint = JSON.stringify([r.userId, src.code, formatMinor(sourceAmount, src.exponent), tgt.code]);
  // A retry is answered from the record, before any rate is needed.
  const earlier = await findExchange(deps.db, merchantId, r.merchantTradeNo);
  if (earlier) return replay(earlier, fingerprint);

  const settings = await effectiveRateSettings(deps, merchantId);
  const mid = await midRate(deps, src.code, tgt.code);
  const rate = quoteRate(withSpread(mid.mid, settings.spreadBps));
  const gross = targetForSource(sourceAmount, src.exponent, rate, tgt.exponent);
  const fee = exchangeFee(gross, settings.exchangeFeeBps);
  if (gross - fee <= 0n)
    throw new TenderError('EXCHANGED_AMOUNT_TOO_SMALL', `sourceAmount buys less than one minor unit of ${tgt.code}`);
  const data: ExchangeData = {
    targetCurrency: tgt.code,
    targetAmount: cpayAmount(gross - fee, tgt.exponent),
    exchangeRate: formatRate(rate),
    fee: cpayAmount(fee, tgt.exponent),
  };
  const answer = JSON.stringify(data);

  return inTx(deps.db, async (tx) => {
    // Twins with one merchantTradeNo queue here, so the second sees the first's record (or its absence).
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`exchange:${merchantId}:${r.merchantTradeNo}`]);
    const twin = await findExchange(tx, merchantId, r.merchantTradeNo);
    if (twin) return replay(twin, fingerprint);
    if ((await balanceOf(tx, merchantId, src.code)) < sourceAmount) throw new TenderError('INSUFFICIENT_BALANCE');
    const now = deps.clock.now();
    const id = deps.ids.orderId(now);
    const entry = exchangeEntry({
      exchangeId: id,
      merchantId,
      source: src.code,
      sourceAmount,
      target: tgt.code,
      gross,
      fee,
    });
    const entryId = await postEntry(tx, entry, now);
    // The entry's UPDATE waited for every concurrent entry on this balance and added to its committed value:
    // a negative result means a racing exchange spent the money first; the whole transaction is undone.
    if ((await balanceOf(tx, merchantId, src.code)) < 0n) throw new TenderError('INSUFFICIENT_BALANCE');
    await insertExchange(tx, {
      id,
      merchantId,
      merchantTradeNo: r.merchantTradeNo,
      userId: r.userId,
      fingerprint,
      sourceCurrency: src.code,
      sourceAmount,
      targetCurrency: tgt.code,
      targetAmount: gross - fee,
      fee,
      rate: data.exchangeRate,
      rateSource: mid.source,
      rateAt: mid.at,
      entryId,
      answer,
      createdAt: now,
    });
    return answer;
  });
}
