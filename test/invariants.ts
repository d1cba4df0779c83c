// Ledger and order invariants, checked in SQL after a crash or an outage. Each check returns the rows that
// break it (empty when it holds), so a failure shows what is wrong, not just that something is.
import { createPool } from '../src/store/db.js';

/** An order the server acknowledged (createOrder answered code 0). */
export interface Acknowledged {
  merchantId: number;
  merchantTradeNo: string;
  orderId: string;
}

const CHECKS: Record<string, string> = {
  'every journal entry balances (per currency)': `
    SELECT entry_id, currency, sum(amount)::text AS total FROM postings
    GROUP BY entry_id, currency HAVING sum(amount) <> 0`,
  'every journal entry has postings': `
    SELECT e.id FROM journal_entries e WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.entry_id = e.id)`,
  'every balance equals its postings': `
    SELECT a.code, a.balance::text, coalesce(sum(p.amount), 0)::text AS postings
    FROM ledger_accounts a LEFT JOIN postings p ON p.account_id = a.id
    GROUP BY a.id HAVING a.balance <> coalesce(sum(p.amount), 0)`,
  'no order credited twice': `
    SELECT order_id, count(*) FROM journal_entries WHERE kind = 'order_payment'
    GROUP BY order_id HAVING count(*) > 1`,
  'only completed orders are credited, and every completed order is': `
    SELECT o.id, o.status, count(e.id) AS payments FROM orders o
    LEFT JOIN journal_entries e ON e.order_id = o.id AND e.kind = 'order_payment'
    WHERE o.kind = 'payin'
    GROUP BY o.id HAVING (o.status = 14) <> (count(e.id) = 1)`,
  'one order per merchantTradeNo': `
    SELECT merchant_id, merchant_trade_no, count(*) FROM orders
    GROUP BY merchant_id, merchant_trade_no, kind HAVING count(*) > 1`,
  // Payouts (issue 11): one hold at acceptance, then exactly one settlement (14) or release (15).
  'every payout is held once, then settled at 14 or released at 15, once': `
    SELECT o.id, o.status,
      count(*) FILTER (WHERE e.kind = 'payout_freeze') AS holds,
      count(*) FILTER (WHERE e.kind = 'payout_settle') AS settles,
      count(*) FILTER (WHERE e.kind = 'payout_release') AS releases
    FROM orders o LEFT JOIN journal_entries e ON e.order_id = o.id WHERE o.kind IN ('payout', 'fiat_payout')
    GROUP BY o.id HAVING count(*) FILTER (WHERE e.kind = 'payout_freeze') <> 1
      OR count(*) FILTER (WHERE e.kind = 'payout_settle') <> (o.status = 14)::int
      OR count(*) FILTER (WHERE e.kind = 'payout_release') <> (o.status = 15)::int`,
  // Frozen money is what open payouts hold, plus (issue 13) unreleased card reserves less what chargebacks took
  // of them, plus refunds the acquirer has not answered yet.
  'frozen balances equal the open payouts, the unreleased card reserves and the pending card refunds': `
    SELECT a.merchant_id, a.currency, a.balance::text FROM ledger_accounts a
    WHERE a.kind = 'merchant_frozen' AND a.balance <>
      (SELECT coalesce(sum(o.amount), 0) FROM orders o WHERE o.merchant_id = a.merchant_id
         AND o.currency = a.currency AND o.kind <> 'payin' AND o.status IN (0, 11))
      + (SELECT coalesce(sum(r.amount - r.charged_back), 0) FROM card_reserves r WHERE r.merchant_id = a.merchant_id
         AND r.currency = a.currency AND r.released_at IS NULL)
      + (SELECT coalesce(sum(f.amount), 0) FROM card_refunds f WHERE f.merchant_id = a.merchant_id
         AND f.currency = a.currency AND f.state = 'pending')`,
  // Card refunds and chargebacks (issue 13 part 3): never more than was captured; each refund held once and
  // settled or released once by its state; each reserve released at most once, by the entry its row names.
  'no card order gives back more than was captured': `
    SELECT o.id, o.amount::text FROM orders o JOIN card_payments c ON c.order_id = o.id
    WHERE (SELECT coalesce(sum(amount), 0) FROM card_refunds f WHERE f.order_id = o.id AND f.state <> 'failed')
        + (SELECT coalesce(sum(amount), 0) FROM card_chargebacks b WHERE b.order_id = o.id)
        > CASE WHEN o.status = 14 AND c.state = 'captured' THEN o.amount ELSE 0 END`,
  'every card refund is held once, then settled (succeeded) or released (failed) once': `
    SELECT f.id, f.state FROM card_refunds f
    WHERE (SELECT count(*) FROM journal_entries e WHERE e.order_id = f.order_id AND e.kind = 'card_refund_hold'
             AND e.id = f.hold_entry_id) <> 1
       OR (f.state = 'succeeded') <> EXISTS (SELECT 1 FROM journal_entries e WHERE e.id = f.final_entry_id
             AND e.kind = 'card_refund')
       OR (f.state = 'failed') <> EXISTS (SELECT 1 FROM journal_entries e WHERE e.id = f.final_entry_id
             AND e.kind = 'card_refund_release')`,
  'card money entries match their rows (refund holds, settlements, releases, chargebacks, reserve releases)': `
    SELECT e.id, e.kind FROM journal_entries e WHERE
      (e.kind = 'card_refund_hold' AND NOT EXISTS (SELECT 1 FROM card_refunds f WHERE f.hold_entry_id = e.id))
      OR (e.kind IN ('card_refund', 'card_refund_release')
          AND NOT EXISTS (SELECT 1 FROM card_refunds f WHERE f.final_entry_id = e.id))
      OR (e.kind = 'card_chargeback' AND NOT EXISTS (SELECT 1 FROM card_chargebacks b WHERE b.entry_id = e.id))
      OR (e.kind = 'card_reserve_release'
          AND NOT EXISTS (SELECT 1 FROM card_reserves r WHERE r.release_entry_id = e.id))`,
  'each card reserve is released at most once, after its hold period': `
    SELECT r.order_id FROM card_reserves r WHERE
      (SELECT count(*) FROM journal_entries e WHERE e.order_id = r.order_id AND e.kind = 'card_reserve_release') > 1
      OR (r.released_at IS NOT NULL AND r.released_at < r.release_at)
      OR (r.released_at IS NOT NULL AND r.release_entry_id IS NULL AND r.charged_back <> r.amount)`,
  'no merchant balance is negative': `
    SELECT code, balance::text FROM ledger_accounts
    WHERE kind IN ('merchant_available', 'merchant_frozen') AND balance < 0`,
  'a completed payout has exactly one confirmed transaction, an open or closed one none': `
    SELECT p.order_id, o.status, count(a.id) FILTER (WHERE a.state = 'confirmed') AS confirmed
    FROM payouts p JOIN orders o ON o.id = p.order_id LEFT JOIN payout_attempts a ON a.payout_id = p.order_id
    WHERE p.kind = 'crypto'
    GROUP BY p.order_id, o.status HAVING count(a.id) FILTER (WHERE a.state = 'confirmed') <> (o.status = 14)::int`,
  // Fiat payouts (migration 014): paid means the rail said so, once; an open payout has no verdict yet.
  'a completed fiat payout has a succeeded submission, a closed one a failed one or none, an open one no verdict': `
    SELECT p.order_id, o.status, s.state FROM payouts p JOIN orders o ON o.id = p.order_id
      LEFT JOIN fiat_payout_submissions s ON s.payout_id = p.order_id
    WHERE p.kind = 'fiat' AND NOT CASE o.status
      WHEN 14 THEN s.state IS NOT DISTINCT FROM 'succeeded'
      WHEN 15 THEN s.state IS DISTINCT FROM 'succeeded' AND s.state IS DISTINCT FROM 'submitted'
      ELSE s.state IS NULL OR s.state = 'submitted' END`,
  'a fiat payout is sealed: its account row holds no clear digits or key': `
    SELECT payout_id FROM fiat_payout_accounts WHERE account_sealed NOT LIKE 'v1.%'`,
  'every status change is in the order history': `
    SELECT o.id, o.status FROM orders o WHERE NOT EXISTS (
      SELECT 1 FROM order_events ev WHERE ev.order_id = o.id AND ev.to_status = o.status)`,
};

/**
 * Violations per invariant; `acknowledged` orders must all exist; no order may stay open `graceSeconds` past expiry.
 */
export async function invariantViolations(
  url: string,
  acknowledged: Acknowledged[],
  graceSeconds: number,
): Promise<Record<string, unknown[]>> {
  // Tender's own pool: it reads a multi-host libpq URI too (issue 14), and finds the primary.
  const c = createPool(url, 1);
  try {
    const out: Record<string, unknown[]> = {};
    for (const [name, sql] of Object.entries(CHECKS)) out[name] = (await c.query(sql)).rows;
    out['no order left open past expiry'] = (
      await c.query(
        `SELECT id, expires_at FROM orders WHERE status = 0 AND expires_at < now() - make_interval(secs => $1)`,
        [graceSeconds],
      )
    ).rows;
    const { rows } = await c.query<{ merchant_id: string; merchant_trade_no: string; id: string }>(
      `SELECT merchant_id, merchant_trade_no, id FROM orders
       WHERE (merchant_id, merchant_trade_no) IN (SELECT * FROM unnest($1::bigint[], $2::text[]))`,
      [acknowledged.map((a) => a.merchantId), acknowledged.map((a) => a.merchantTradeNo)],
    );
    const stored = new Map(rows.map((r) => [`${r.merchant_id}/${r.merchant_trade_no}`, r.id]));
    out['every acknowledged order is present'] = acknowledged.filter(
      (a) => stored.get(`${a.merchantId}/${a.merchantTradeNo}`) !== a.orderId,
    );
    return out;
  } finally {
    await c.end();
  }
}

/** Only the invariants that are broken (an empty object when all hold). */
export async function brokenInvariants(
  url: string,
  acknowledged: Acknowledged[],
  graceSeconds: number,
): Promise<Record<string, unknown[]>> {
  const all = await invariantViolations(url, acknowledged, graceSeconds);
  return Object.fromEntries(Object.entries(all).filter(([, rows]) => rows.length > 0));
}
