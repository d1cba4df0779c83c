// CSV export of the merchant's orders under the list's filters, streamed: keyset pages of a bounded size are
// read one after another and turned into lines as the reply stream asks for them, so memory stays flat
// however many orders match. Amounts are decimal strings from bigint minor units.
import type { Deps } from './deps.js';
import { listMerchantOrders, type OrderListRow } from '../store/portal-orders-repo.js';
import { readFilter, toOrderQuery } from './portal-payments-filter.js';
import { summarise } from './portal-payments.js';

/** Rows fetched per round trip: large enough to amortise it, small enough to keep memory flat. */
export const CSV_BATCH = 1000;

export const CSV_HEADER = [
  'order_id',
  'kind',
  'dialect',
  'merchant_trade_no',
  'status',
  'status_text',
  'currency',
  'amount',
  'fee',
  'received_amount',
  'paid_amount',
  'network',
  'tx_hash',
  'created_at',
  'completed_at',
];

/**
 * One CSV cell. Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula
 * (CSV injection): such a cell gets a leading apostrophe. Cells with a comma, quote or line break are quoted.
 */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: (string | number | null | undefined)[]): string => `${cells.map(csvCell).join(',')}\r\n`;

function line(deps: Deps, r: OrderListRow): string {
  const o = summarise(deps, r);
  return csvLine([
    o.id,
    o.kind,
    o.dialect,
    o.merchantTradeNo,
    o.status,
    o.statusText,
    o.currency,
    o.amount,
    o.fee,
    o.receivedAmount,
    o.paidAmount,
    o.network,
    o.hash,
    o.createdAt.toISOString(),
    o.completedAt?.toISOString() ?? null,
  ]);
}

/**
 * Checks the filters first (so a bad filter is a 400 before any byte is sent), then returns the lines, newest
 * order first, one batch per database round trip.
 */
export function paymentsCsv(deps: Deps, merchantId: string, query: Record<string, unknown>): AsyncIterable<string> {
  const base = toOrderQuery(readFilter(query), merchantId, deps.assets, CSV_BATCH);
  return (async function* () {
    yield csvLine(CSV_HEADER);
    let after: { at: string; id: string } | undefined;
    for (;;) {
      const rows = await listMerchantOrders(deps.db, { ...base, ...(after ? { after } : {}) });
      if (rows.length) yield rows.map((r) => line(deps, r)).join('');
      if (rows.length < CSV_BATCH) return;
      const last = rows[rows.length - 1]!;
      after = { at: last.at_key, id: last.id };
    }
  })();
}
