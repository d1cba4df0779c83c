// POST /openapi/v1/withdraw (spec M1): validate, compute the fee, freeze the total and write the payout, in
// ONE transaction. The same merchantTradeNo with the same fields answers the same payout; other fields are
// DUPLICATE_TRADE_NO. Nothing moves on any refusal.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import { TenderError } from '../domain/errors.js';
import { feeFor, formatMinor, parseDecimal, rescale } from '../domain/money.js';
import { payoutFreezeEntry, accountCode } from '../domain/ledger.js';
import { validatePayoutAddress } from '../domain/payout-address.js';
import { NETWORKS, wireNetworkName } from '../rails/crypto/networks.js';
import { payoutRailIdFor } from '../rails/payout/registry.js';
import { inTx } from '../store/db.js';
import { findOrder } from '../store/orders-repo.js';
import { postEntry } from '../store/ledger-repo.js';
import { findPayout, insertPayoutOrder, type PayoutRow } from '../store/payouts-repo.js';
import { merchantPayoutFee, merchantThreshold } from '../store/payout-settings-repo.js';
import { assertCallbackTarget } from './callback-url.js';
import { hasHotWallet } from '../store/hot-wallets-repo.js';
import { hostOf } from '../domain/redirects.js';

export interface WithdrawInput {
  merchantTradeNo: string;
  userId: string;
  cryptoCurrency: string;
  network: string;
  totalAmount: string;
  receivedAmount: string;
  toAddress: string;
  callbackUrl: string | null;
  createTimeMs: string;
}

/** Seed 001 §4: "Support 8 decimals". */
const MAX_DECIMALS = 8;
/** Payouts do not expire; the column wants a time, so a far one. */
const NEVER_MS = 100 * 365 * 24 * 3600 * 1000;

function amountOf(deps: Deps, text: string, currency: string, field: string): bigint {
  const m = /^(?:0|[1-9][0-9]*)(?:\.([0-9]+))?$/.exec(text);
  if (!m) throw new TenderError('INVALID_PARAM', `${field} must be a plain decimal number`);
  if ((m[1] ?? '').replace(/0+$/, '').length > MAX_DECIMALS)
    throw new TenderError('TOO_MANY_DECIMALS', `${field} has more than ${MAX_DECIMALS} decimals`);
  const exponent = deps.assets.ledger(currency).exponent;
  try {
    return parseDecimal(text, exponent, field, MAX_DECIMALS);
  } catch (e) {
    throw new TenderError('AMOUNT_NOT_REPRESENTABLE', `${field}: ${(e as Error).message}`);
  }
}

/**
 * The payout fee of an amount: the merchant's schedule for the asset and network key, else the configured default.
 * Crypto payouts pass the total, fiat payouts the amount the user receives (docs/payouts.md, docs/pix-payouts.md).
 */
export async function payoutFee(
  tx: Deps['db'] | pg.PoolClient,
  deps: Deps,
  merchantId: string,
  currency: string,
  network: { key: string },
  total: bigint,
): Promise<bigint> {
  const own = await merchantPayoutFee(tx, merchantId, currency, network.key);
  const dflt = deps.config.payout.defaultFees[`${currency}:${network.key}`];
  const fixed = own?.fixed ?? (dflt ? parseDecimal(dflt.fixed, deps.assets.ledger(currency).exponent) : 0n);
  return fixed + feeFor(total, own?.bps ?? dflt?.bps ?? 0);
}

export async function approvalsNeeded(
  tx: pg.PoolClient,
  deps: Deps,
  merchantId: string,
  currency: string,
  total: bigint,
) {
  const own = await merchantThreshold(tx, merchantId, currency);
  const dflt = deps.config.payout.defaultThresholds[currency];
  const threshold = own ?? (dflt === undefined ? undefined : parseDecimal(dflt, deps.assets.ledger(currency).exponent));
  return threshold !== undefined && total > threshold ? 2 : 0;
}

function digest(fp: Record<string, string>): string {
  return createHash('sha256')
    .update(
      JSON.stringify(
        Object.keys(fp)
          .sort()
          .map((k) => [k, fp[k]]),
      ),
    )
    .digest('hex');
}

/** Refuses unless the merchant's available balance covers `total`; the row lock serializes concurrent holds. */
export async function assertCovered(tx: pg.PoolClient, merchantId: string, currency: string, total: bigint) {
  const code = accountCode({ kind: 'merchant_available', merchantId, currency });
  const { rows } = await tx.query<{ balance: string }>(
    'SELECT balance FROM ledger_accounts WHERE code = $1 FOR UPDATE',
    [code],
  );
  const available = BigInt(rows[0]?.balance ?? 0);
  if (available < total) throw new TenderError('INSUFFICIENT_BALANCE', `available ${currency} balance is too low`);
}

export interface AcceptedPayout {
  order: Order;
  payout: PayoutRow;
}

export async function acceptWithdraw(deps: Deps, merchant: MerchantRow, input: WithdrawInput): Promise<AcceptedPayout> {
  const currency = input.cryptoCurrency.toUpperCase();
  const asset = deps.assets.find(currency);
  if (asset?.kind !== 'crypto')
    throw new TenderError('UNSUPPORTED_CURRENCY', `cryptoCurrency ${currency} is not supported`);
  const wire = wireNetworkName(input.network);
  const network = NETWORKS.find((n) => n.name === wire);
  if (!network) throw new TenderError('UNSUPPORTED_CURRENCY', `network ${input.network} is not supported`);
  if (!deps.assets.find(currency, network.name))
    throw new TenderError('PAYOUT_PAIR_NOT_SUPPORTED', `${currency} is not paid out on ${network.name}`);
  const total = amountOf(deps, input.totalAmount, currency, 'totalAmount');
  const received = amountOf(deps, input.receivedAmount, currency, 'receivedAmount');
  if (total === 0n || received === 0n)
    throw new TenderError('INVALID_PARAM', 'totalAmount and receivedAmount must be greater than zero');
  deps.assets.assertWithinMax(currency, total, 'totalAmount');
  // What the chain carries is receivedAmount in the network's units (6 decimals for USDT on TRON).
  const chainAmount = rescale(received, asset.exponent, deps.assets.exponent(currency, network.name));
  const rail = payoutRailIdFor(deps, network);
  if (!rail) throw new TenderError('PAYOUT_UNAVAILABLE', `payouts on ${network.name} are not available`);
  // Live: a family without a hot wallet could never send; refuse rather than freeze money for nothing.
  if (deps.config.mode === 'live' && !(await hasHotWallet(deps.db, network.family)))
    throw new TenderError('PAYOUT_UNAVAILABLE', `payouts on ${network.name} have no hot wallet yet`);
  const btcNet = deps.config.crypto.networks.find((n) => n.key === 'BITCOIN')?.bitcoinNetwork ?? 'mainnet';
  const toAddress = validatePayoutAddress(network.family, input.toAddress, btcNet);
  if (input.callbackUrl && !hostOf(input.callbackUrl))
    throw new TenderError('INVALID_PARAM', 'callbackURL must be an absolute http(s) URL');
  if (input.callbackUrl) assertCallbackTarget(deps, input.callbackUrl, 'callbackURL');

  const fp = {
    userId: input.userId,
    currency,
    network: network.name,
    total: formatMinor(total, asset.exponent),
    received: formatMinor(received, asset.exponent),
    toAddress,
    callbackUrl: input.callbackUrl ?? '',
  };
  const now = deps.clock.now();
  return inTx(deps.db, async (tx) => {
    const fee = await payoutFee(tx, deps, merchant.id, currency, network, total);
    if (total - fee !== received)
      throw new TenderError(
        'FEE_MISMATCH',
        `the payout fee is ${formatMinor(fee, asset.exponent)} ${currency}, so receivedAmount must be ` +
          `${formatMinor(total - fee, asset.exponent)}`,
      );
    const order = await insertPayoutOrder(
      tx,
      {
        id: deps.ids.orderId(now),
        merchantId: merchant.id,
        merchantTradeNo: input.merchantTradeNo,
        dialect: 'openapi',
        requestDigest: digest(fp),
        userId: input.userId,
        currency,
        amount: total,
        amountText: input.totalAmount,
        network: network.name,
        callbackUrl: input.callbackUrl,
        successUrl: null,
        failUrl: null,
        payCode: deps.ids.token(18),
        watchCode: deps.ids.token(18),
        createTimeMs: input.createTimeMs,
        expiresAt: new Date(now.getTime() + NEVER_MS),
        at: now,
      },
      {
        rail,
        network: network.key,
        asset: currency,
        toAddress,
        total,
        fee,
        received,
        chainAmount,
        approvalsNeeded: await approvalsNeeded(tx, deps, merchant.id, currency, total),
      },
    );
    if (!order) {
      // A retry: the same fields answer the payout as it is now; nothing is frozen again.
      const existing = await findOrder(
        tx,
        { by: 'tradeNo', merchantTradeNo: input.merchantTradeNo, kind: 'payout' },
        merchant.id,
      );
      if (!existing) throw new TenderError('INTERNAL', 'payout vanished after a conflicting insert');
      if (existing.requestDigest !== digest(fp)) throw new TenderError('DUPLICATE_TRADE_NO');
      return { order: existing, payout: (await findPayout(tx, existing.id))! };
    }
    await assertCovered(tx, merchant.id, currency, total);
    await postEntry(tx, payoutFreezeEntry({ orderId: order.id, merchantId: merchant.id, currency, total }), now);
    deps.log.info({ orderId: order.id, merchantId: merchant.id }, 'payout accepted');
    return { order, payout: (await findPayout(tx, order.id))! };
  });
}
