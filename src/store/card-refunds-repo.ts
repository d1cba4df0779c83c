// Card refunds, chargebacks and reserve releases (migration 022, docs/refunds.md).
import type { Tx } from './db.js';

export type RefundState = 'pending' | 'succeeded' | 'failed';

export interface RefundRow {
  id: string;
  order_id: string;
  merchant_id: string;
  currency: string;
  amount: string;
  refund_key: string;
  reason: string;
  requested_by: string;
  state: RefundState;
  failure: string | null;
  attempts: number;
  next_attempt_at: Date;
  hold_entry_id: string;
  final_entry_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export async function refundByKey(tx: Tx, merchantId: string, key: string): Promise<RefundRow | undefined> {
  const { rows } = await tx.query<RefundRow>('SELECT * FROM card_refunds WHERE merchant_id = $1 AND refund_key = $2', [
    merchantId,
    key,
  ]);
  return rows[0];
}

export async function findRefund(tx: Tx, id: string, forUpdate = false): Promise<RefundRow | undefined> {
  const { rows } = await tx.query<RefundRow>(
    `SELECT * FROM card_refunds WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

export async function refundsOf(tx: Tx, orderId: string): Promise<RefundRow[]> {
  const { rows } = await tx.query<RefundRow>('SELECT * FROM card_refunds WHERE order_id = $1 ORDER BY created_at, id', [
    orderId,
  ]);
  return rows;
}

export async function insertRefund(
  tx: Tx,
  r: Pick<
    RefundRow,
    'id' | 'order_id' | 'merchant_id' | 'currency' | 'refund_key' | 'reason' | 'requested_by' | 'hold_entry_id'
  > & { amount: bigint },
  at: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO card_refunds (id, order_id, merchant_id, currency, amount, refund_key, reason, requested_by, state,
       next_attempt_at, hold_entry_id, created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'pending',$9,$10,$9,$9)`,
    [
      r.id,
      r.order_id,
      r.merchant_id,
      r.currency,
      r.amount.toString(),
      r.refund_key,
      r.reason,
      r.requested_by,
      at,
      r.hold_entry_id,
    ],
  );
  await insertRefundEvent(tx, r.id, null, 'pending', 'refund accepted, amount held', at);
}

export async function insertRefundEvent(
  tx: Tx,
  refundId: string,
  from: RefundState | null,
  to: RefundState,
  note: string,
  at: Date,
): Promise<void> {
  await tx.query('INSERT INTO card_refund_events (refund_id, from_state, to_state, note, at) VALUES ($1,$2,$3,$4,$5)', [
    refundId,
    from,
    to,
    note,
    at,
  ]);
}

/** pending → succeeded | failed, compare-and-set: false when the refund had already left pending. */
export async function finishRefundRow(
  tx: Tx,
  id: string,
  to: 'succeeded' | 'failed',
  entryId: string,
  failure: string | null,
  at: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE card_refunds SET state = $2, final_entry_id = $3, failure = $4, updated_at = $5
     WHERE id = $1 AND state = 'pending'`,
    [id, to, entryId, failure, at],
  );
  if (rowCount !== 1) return false;
  await insertRefundEvent(tx, id, 'pending', to, failure ?? 'refunded by the acquirer', at);
  return true;
}

/** An attempt that got no answer: counted, and the next one scheduled. */
export async function deferRefund(tx: Tx, id: string, next: Date, at: Date): Promise<void> {
  await tx.query(
    `UPDATE card_refunds SET attempts = attempts + 1, next_attempt_at = $2, updated_at = $3
     WHERE id = $1 AND state = 'pending'`,
    [id, next, at],
  );
}

/** Claims up to `limit` due pending refunds (SKIP LOCKED) and pushes their next attempt by the lease. */
export async function claimDueRefunds(tx: Tx, now: Date, leaseUntil: Date, limit: number): Promise<RefundRow[]> {
  const { rows } = await tx.query<RefundRow>(
    `UPDATE card_refunds SET next_attempt_at = $2 WHERE id IN (
       SELECT id FROM card_refunds WHERE state = 'pending' AND next_attempt_at <= $1
       ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now, leaseUntil, limit],
  );
  return rows;
}

/** Sums of an order's refunds (pending and succeeded count: a pending refund may still succeed) and chargebacks. */
export async function takenFromOrder(tx: Tx, orderId: string): Promise<{ refunds: bigint; chargebacks: bigint }> {
  const { rows } = await tx.query<{ refunds: string; chargebacks: string }>(
    `SELECT (SELECT coalesce(sum(amount), 0) FROM card_refunds WHERE order_id = $1 AND state <> 'failed')::text
              AS refunds,
            (SELECT coalesce(sum(amount), 0) FROM card_chargebacks WHERE order_id = $1)::text AS chargebacks`,
    [orderId],
  );
  return { refunds: BigInt(rows[0]!.refunds), chargebacks: BigInt(rows[0]!.chargebacks) };
}

export async function refundedSucceeded(tx: Tx, orderId: string): Promise<bigint> {
  const { rows } = await tx.query<{ s: string }>(
    `SELECT coalesce(sum(amount), 0)::text AS s FROM card_refunds WHERE order_id = $1 AND state = 'succeeded'`,
    [orderId],
  );
  return BigInt(rows[0]!.s);
}

export interface ChargebackRow {
  id: string;
  order_id: string;
  merchant_id: string;
  currency: string;
  amount: string;
  from_reserve: string;
  from_available: string;
  case_id: string;
  reason: string;
  recorded_by: string;
  state: 'recorded';
  entry_id: string;
  created_at: Date;
}

export async function chargebackByCase(tx: Tx, orderId: string, caseId: string): Promise<ChargebackRow | undefined> {
  const { rows } = await tx.query<ChargebackRow>(
    'SELECT * FROM card_chargebacks WHERE order_id = $1 AND case_id = $2',
    [orderId, caseId],
  );
  return rows[0];
}

export async function chargebacksOf(tx: Tx, orderId: string): Promise<ChargebackRow[]> {
  const { rows } = await tx.query<ChargebackRow>(
    'SELECT * FROM card_chargebacks WHERE order_id = $1 ORDER BY created_at, id',
    [orderId],
  );
  return rows;
}

export async function insertChargeback(
  tx: Tx,
  c: Omit<ChargebackRow, 'amount' | 'from_reserve' | 'from_available' | 'state' | 'created_at'> & {
    amount: bigint;
    fromReserve: bigint;
    fromAvailable: bigint;
  },
  at: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO card_chargebacks (id, order_id, merchant_id, currency, amount, from_reserve, from_available, case_id,
       reason, recorded_by, state, entry_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'recorded',$11,$12)`,
    [
      c.id,
      c.order_id,
      c.merchant_id,
      c.currency,
      c.amount.toString(),
      c.fromReserve.toString(),
      c.fromAvailable.toString(),
      c.case_id,
      c.reason,
      c.recorded_by,
      c.entry_id,
      at,
    ],
  );
  await tx.query(
    `INSERT INTO card_chargeback_events (chargeback_id, from_state, to_state, note, at)
     VALUES ($1, NULL, 'recorded', $2, $3)`,
    [c.id, `taken from the reserve ${c.fromReserve}, from available ${c.fromAvailable}`, at],
  );
}

export interface ReserveRow {
  order_id: string;
  merchant_id: string;
  currency: string;
  amount: string;
  charged_back: string;
  release_at: Date;
  released_at: Date | null;
  release_entry_id: string | null;
  release_failures: number;
}

export async function reserveOf(tx: Tx, orderId: string, forUpdate = false): Promise<ReserveRow | undefined> {
  const { rows } = await tx.query<ReserveRow>(
    `SELECT * FROM card_reserves WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows[0];
}

export async function addChargedBack(tx: Tx, orderId: string, amount: bigint): Promise<void> {
  await tx.query('UPDATE card_reserves SET charged_back = charged_back + $2 WHERE order_id = $1', [
    orderId,
    amount.toString(),
  ]);
}

/** The next due, unreleased reserve no other worker holds (SKIP LOCKED); rows that failed before go last. */
export async function lockNextDueReserve(tx: Tx, now: Date, skip: string[]): Promise<ReserveRow | undefined> {
  const { rows } = await tx.query<ReserveRow>(
    `SELECT * FROM card_reserves WHERE released_at IS NULL AND release_at <= $1 AND NOT (order_id = ANY($2::text[]))
     ORDER BY release_failures, release_at, order_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [now, skip],
  );
  return rows[0];
}

export async function markReleased(tx: Tx, orderId: string, entryId: string | null, at: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE card_reserves SET released_at = $2, release_entry_id = $3 WHERE order_id = $1 AND released_at IS NULL`,
    [orderId, at, entryId],
  );
  return rowCount === 1;
}

export async function countReleaseFailure(tx: Tx, orderId: string): Promise<void> {
  await tx.query('UPDATE card_reserves SET release_failures = release_failures + 1 WHERE order_id = $1', [orderId]);
}

/** Succeeded refunds and recorded chargebacks of an order (getOrderDetail). */
export async function cardOrderRefundTotals(
  tx: Tx,
  orderId: string,
): Promise<{ refunded: bigint; chargedBack: bigint }> {
  const { rows } = await tx.query<{ refunded: string; charged: string }>(
    `SELECT (SELECT coalesce(sum(amount), 0) FROM card_refunds WHERE order_id = $1 AND state = 'succeeded')::text
              AS refunded,
            (SELECT coalesce(sum(amount), 0) FROM card_chargebacks WHERE order_id = $1)::text AS charged`,
    [orderId],
  );
  return { refunded: BigInt(rows[0]!.refunded), chargedBack: BigInt(rows[0]!.charged) };
}
