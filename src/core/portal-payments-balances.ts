// The merchant's balances per currency as the ledger holds them (available and frozen), the journal behind one
// currency's balances (keyset pages of postings), and a per-day series of money paid in and the balance at the
// end of each day, for the chart. Every figure is a bigint from the ledger, formatted at the edge.
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { dailySums, journalPage, merchantAccounts } from '../store/portal-ledger-repo.js';
import { money } from './portal-payments.js';

export interface CurrencyBalance {
  currency: string;
  available: string;
  frozen: string;
  total: string;
}

export async function portalBalances(deps: Deps, merchantId: string): Promise<CurrencyBalance[]> {
  const by = new Map<string, { available: bigint; frozen: bigint }>();
  for (const a of await merchantAccounts(deps.db, merchantId)) {
    const b = by.get(a.currency) ?? { available: 0n, frozen: 0n };
    if (a.kind === 'merchant_available') b.available += BigInt(a.balance);
    else b.frozen += BigInt(a.balance);
    by.set(a.currency, b);
  }
  return [...by].map(([currency, b]) => ({
    currency,
    available: money(deps, currency, b.available),
    frozen: money(deps, currency, b.frozen),
    total: money(deps, currency, b.available + b.frozen),
  }));
}

export interface JournalLine {
  at: Date;
  entryId: string;
  kind: string;
  memo: string;
  orderId: string | null;
  account: 'available' | 'frozen';
  amount: string;
}

export const JOURNAL_PAGE = 50;
const JOURNAL_CURSOR = /^([0-9]{1,19})\.([0-9]{1,19})$/;

function currencyOf(deps: Deps, text: string): string {
  const code = text.toUpperCase();
  if (!/^[A-Z0-9]{2,10}$/.test(code) || !deps.assets.find(code))
    throw new TenderError('INVALID_PARAM', `currency ${text.slice(0, 20)} is not supported`);
  return code;
}

/** One page of the postings behind the balances of `currency`, newest first; `after` is the last page's cursor. */
export async function balanceJournal(
  deps: Deps,
  merchantId: string,
  currencyText: string,
  after: string | undefined,
  size = JOURNAL_PAGE,
): Promise<{ currency: string; lines: JournalLine[]; next?: string }> {
  const currency = currencyOf(deps, currencyText);
  let key: { entryId: string; postingId: string } | undefined;
  if (after !== undefined) {
    const m = JOURNAL_CURSOR.exec(after);
    if (!m) throw new TenderError('INVALID_PARAM', 'after is not a page position of this journal');
    key = { entryId: m[1]!, postingId: m[2]! };
  }
  const accounts = (await merchantAccounts(deps.db, merchantId, currency)).map((a) => a.id);
  const rows = await journalPage(deps.db, accounts, key, size + 1);
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    currency,
    lines: page.map((r) => ({
      at: r.at,
      entryId: String(r.entry_id),
      kind: r.entry_kind,
      memo: r.memo,
      orderId: r.order_id,
      account: r.account_kind === 'merchant_frozen' ? 'frozen' : 'available',
      amount: money(deps, currency, r.amount),
    })),
    ...(rows.length > size && last ? { next: `${last.entry_id}.${last.posting_id}` } : {}),
  };
}

export interface DayPoint {
  day: string;
  /** Order payments credited that day, net of fee (minor units). */
  paidIn: bigint;
  /** Available + frozen at the end of the day (minor units). */
  balance: bigint;
}

export const SERIES_DAYS = [7, 30, 90, 365] as const;

/**
 * `days` UTC days ending today: what was paid in each day and the balance at each day's end. The balance is
 * walked back from today's ledger balance by each day's net postings, so it always ends at the real figure.
 */
export async function balanceSeries(
  deps: Deps,
  merchantId: string,
  currencyText: string,
  days: number,
): Promise<{ currency: string; exponent: number; points: DayPoint[] }> {
  const currency = currencyOf(deps, currencyText);
  if (!SERIES_DAYS.includes(days as (typeof SERIES_DAYS)[number]))
    throw new TenderError('INVALID_PARAM', `days must be one of ${SERIES_DAYS.join(', ')}`);
  const now = deps.clock.now();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(today - (days - 1) * 86_400_000);
  const accounts = await merchantAccounts(deps.db, merchantId, currency);
  let balance = accounts.reduce((s, a) => s + BigInt(a.balance), 0n);
  const sums = await dailySums(
    deps.db,
    accounts.map((a) => a.id),
    since,
  );
  const byDay = new Map<string, { net: bigint; paidIn: bigint }>();
  for (const r of sums) {
    const d = byDay.get(r.day) ?? { net: 0n, paidIn: 0n };
    d.net += BigInt(r.net);
    d.paidIn += BigInt(r.paid_in);
    byDay.set(r.day, d);
  }
  const points: DayPoint[] = [];
  for (let i = 0; i < days; i++) {
    const day = new Date(today - i * 86_400_000).toISOString().slice(0, 10);
    const d = byDay.get(day);
    points.push({ day, paidIn: d?.paidIn ?? 0n, balance });
    balance -= d?.net ?? 0n;
  }
  return { currency, exponent: deps.assets.exponent(currency), points: points.reverse() };
}
