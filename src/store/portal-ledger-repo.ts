// The merchant portal's reads of the ledger: the merchant's accounts, the postings behind one currency's
// balances (keyset by posting), and per-day sums for the chart. Only the merchant's own accounts are read.
import type { Tx } from './db.js';

export interface MerchantAccountRow {
  id: string;
  kind: 'merchant_available' | 'merchant_frozen';
  currency: string;
  balance: string;
}

export async function merchantAccounts(tx: Tx, merchantId: string, currency?: string): Promise<MerchantAccountRow[]> {
  const { rows } = await tx.query<MerchantAccountRow>(
    `SELECT id, kind, currency, balance FROM ledger_accounts
     WHERE merchant_id = $1 AND ($2::text IS NULL OR currency = $2) ORDER BY currency, kind`,
    [merchantId, currency ?? null],
  );
  return rows;
}

export interface JournalLineRow {
  posting_id: string;
  entry_id: string;
  entry_kind: string;
  memo: string;
  order_id: string | null;
  at: Date;
  account_kind: string;
  amount: string;
}

/**
 * Postings on the given accounts, newest first, after the keyset position (entry id, posting id). Each account
 * is walked by its own index scan that stops after `limit` rows; the union is cut to `limit` again.
 */
export async function journalPage(
  tx: Tx,
  accountIds: string[],
  after: { entryId: string; postingId: string } | undefined,
  limit: number,
): Promise<JournalLineRow[]> {
  if (!accountIds.length) return [];
  const { rows } = await tx.query<JournalLineRow>(
    `SELECT p.id AS posting_id, p.entry_id, j.kind AS entry_kind, j.memo, j.order_id, j.at, a.kind AS account_kind,
            p.amount
     FROM unnest($1::bigint[]) AS acc(id)
     CROSS JOIN LATERAL (
       SELECT id, entry_id, account_id, amount FROM postings
       WHERE account_id = acc.id AND ($2::bigint IS NULL OR (entry_id, id) < ($2::bigint, $3::bigint))
       ORDER BY entry_id DESC, id DESC LIMIT $4
     ) p
     JOIN journal_entries j ON j.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
     ORDER BY p.entry_id DESC, p.id DESC LIMIT $4`,
    [accountIds, after?.entryId ?? null, after?.postingId ?? null, limit],
  );
  return rows;
}

export interface DailyRow {
  day: string;
  account_kind: string;
  /** Sum of every posting of the day on the account (its balance change). */
  net: string;
  /** Credits of order payments (net of fee): money paid in that day. */
  paid_in: string;
}

/**
 * Per UTC day since `since`: each account's net change and the pay-ins credited. Postings are found from the
 * first journal entry of the range on (entries are appended in time order give or take concurrency, so the
 * bound is the smallest id among entries at or after `since`, and `at` is still checked).
 */
export async function dailySums(tx: Tx, accountIds: string[], since: Date): Promise<DailyRow[]> {
  if (!accountIds.length) return [];
  const { rows } = await tx.query<DailyRow>(
    `WITH first AS (SELECT min(id) AS id FROM journal_entries WHERE at >= $2)
     SELECT to_char(date_trunc('day', j.at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, a.kind AS account_kind,
            sum(p.amount)::text AS net,
            coalesce(sum(p.amount) FILTER (WHERE j.kind = 'order_payment' AND p.amount > 0), 0)::text AS paid_in
     FROM postings p JOIN journal_entries j ON j.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
     WHERE p.account_id = ANY($1::bigint[]) AND p.entry_id >= (SELECT id FROM first) AND j.at >= $2
     GROUP BY 1, 2 ORDER BY 1`,
    [accountIds, since],
  );
  return rows;
}
