// The payments list's filters as a merchant types them (query string of /payments and /payments.csv), checked
// and turned into an OrderQuery. Bad input is a validation error (a 400 page), never a database error.
import { TenderError } from '../domain/errors.js';
import { parseDecimal } from '../domain/money.js';
import type { AssetTable } from '../domain/assets.js';
import type { OrderKind, OrderQuery } from '../store/portal-orders-repo.js';

/** The filters as text, exactly what the form shows back and what page links carry. */
export interface PaymentFilter {
  status?: string;
  kind?: string;
  currency?: string;
  from?: string;
  to?: string;
  merchantTradeNo?: string;
  orderId?: string;
  hash?: string;
  amount?: string;
}

export const FILTER_FIELDS = [
  'status',
  'kind',
  'currency',
  'from',
  'to',
  'merchantTradeNo',
  'orderId',
  'hash',
  'amount',
] as const satisfies readonly (keyof PaymentFilter)[];

export const STATUS_NAMES: Record<number, string> = { 0: 'Pending', 11: 'Processing', 14: 'Completed', 15: 'Closed' };
export const KIND_NAMES: Record<OrderKind, string> = {
  payin: 'Pay-in',
  payout: 'Crypto payout',
  fiat_payout: 'Fiat payout',
};

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6})\|(.{1,200})$/s;
const MAX_TEXT = 200;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const bad = (msg: string) => new TenderError('INVALID_PARAM', msg);

/** One value of a query field: absent and empty are the same; a repeated field is refused. */
function one(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw bad(`${name} must be given once`);
  const t = v.trim();
  if (t.length > MAX_TEXT) throw bad(`${name} is too long`);
  return t === '' ? undefined : t;
}

/** Reads the filter fields of a query string; unknown fields are ignored (they are not filters). */
export function readFilter(q: Record<string, unknown>): PaymentFilter {
  const f: PaymentFilter = {};
  for (const k of FILTER_FIELDS) {
    const v = one(q, k);
    if (v !== undefined) f[k] = v;
  }
  return f;
}

function parseDay(text: string, name: string): Date {
  const m = DAY.exec(text);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  // Date.UTC rolls 2024-02-31 over into March: a day that does not exist is refused, not moved.
  if (!d || d.toISOString().slice(0, 10) !== text) throw bad(`${name} must be a date YYYY-MM-DD`);
  return d;
}

function parseStatus(text: string): number {
  const byName = Object.entries(STATUS_NAMES).find(([, n]) => n.toLowerCase() === text.toLowerCase());
  const n = byName ? Number(byName[0]) : /^(0|11|14|15)$/.test(text) ? Number(text) : undefined;
  if (n === undefined) throw bad('status must be one of 0, 11, 14, 15 (pending, processing, completed, closed)');
  return n;
}

/** The (currency, minor units) pairs a decimal amount stands for: one currency, or every currency it fits. */
function amountsOf(text: string, currency: string | undefined, assets: AssetTable) {
  // One currency: its own refusal says why (too many decimals for it, not a number).
  if (currency) return [{ currency, minor: parseDecimal(text, assets.ledger(currency).exponent, 'amount') }];
  const currencies = assets.ledgerCurrencies();
  const out: { currency: string; minor: bigint }[] = [];
  for (const a of currencies) {
    try {
      out.push({ currency: a.code, minor: parseDecimal(text, a.exponent, 'amount') });
    } catch {
      // Too many decimals for this currency: no order of it can have this amount.
    }
  }
  if (!out.length) throw bad('amount must be a plain decimal number such as 12.50');
  return out;
}

/** The filter as a repository query for `merchantId`, one page of `limit` rows. */
export function toOrderQuery(
  f: PaymentFilter,
  merchantId: string,
  assets: AssetTable,
  limit: number,
): Omit<OrderQuery, 'after' | 'before'> {
  const q: Omit<OrderQuery, 'after' | 'before'> = { merchantId, limit };
  if (f.status !== undefined) q.status = parseStatus(f.status);
  if (f.kind !== undefined) {
    if (!(f.kind in KIND_NAMES)) throw bad('kind must be payin, payout or fiat_payout');
    q.kind = f.kind as OrderKind;
  }
  if (f.currency !== undefined) {
    const code = f.currency.toUpperCase();
    if (!assets.find(code)) throw bad(`currency ${f.currency} is not supported`);
    q.currency = code;
  }
  if (f.from !== undefined) q.from = parseDay(f.from, 'from');
  if (f.to !== undefined) q.until = new Date(parseDay(f.to, 'to').getTime() + 86_400_000);
  if (q.from && q.until && q.from >= q.until) throw bad('from must not be after to');
  if (f.merchantTradeNo !== undefined) q.merchantTradeNo = f.merchantTradeNo;
  if (f.orderId !== undefined) q.orderId = f.orderId;
  if (f.hash !== undefined) q.hash = f.hash;
  if (f.amount !== undefined) q.amounts = amountsOf(f.amount, q.currency, assets);
  return q;
}

/** Page size from the query (`size`), within 1..MAX_PAGE_SIZE. */
export function pageSize(q: Record<string, unknown>): number {
  const v = one(q, 'size');
  if (v === undefined) return DEFAULT_PAGE_SIZE;
  if (!/^[0-9]{1,4}$/.test(v) || Number(v) < 1 || Number(v) > MAX_PAGE_SIZE)
    throw bad(`size must be between 1 and ${MAX_PAGE_SIZE}`);
  return Number(v);
}

export interface Cursor {
  at: string;
  id: string;
}

/** Opaque to the browser: base64url of "created_at|id". */
export const encodeCursor = (c: Cursor): string => Buffer.from(`${c.at}|${c.id}`, 'utf8').toString('base64url');

export function decodeCursor(text: string | undefined, name: string): Cursor | undefined {
  if (text === undefined) return undefined;
  const m = /^[A-Za-z0-9_-]{1,400}$/.test(text) ? CURSOR.exec(Buffer.from(text, 'base64url').toString('utf8')) : null;
  if (!m) throw bad(`${name} is not a page position of this list`);
  return { at: m[1]!, id: m[2]! };
}

/** The cursor fields of a query: `after` (older page) or `before` (newer page), not both. */
export function readCursor(q: Record<string, unknown>): { after?: Cursor; before?: Cursor } {
  const after = decodeCursor(one(q, 'after'), 'after');
  const before = decodeCursor(one(q, 'before'), 'before');
  if (after && before) throw bad('after and before cannot both be given');
  return { ...(after ? { after } : {}), ...(before ? { before } : {}) };
}
