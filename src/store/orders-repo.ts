import type { Tx } from './db.js';
import type { Order } from '../domain/order.js';
import { asOrderStatus, type OrderStatus } from '../domain/order-status.js';

export interface OrderRow {
  id: string;
  merchant_id: string;
  merchant_trade_no: string;
  dialect: string;
  request_digest: string;
  user_id: string | null;
  currency: string;
  amount: string;
  amount_text: string;
  status: number;
  paid_amount: string | null;
  fee: string | null;
  received_amount: string | null;
  rail: string | null;
  network: string | null;
  hash: string | null;
  remark: string;
  ext_info: string;
  callback_url: string | null;
  success_url: string | null;
  fail_url: string | null;
  pay_code: string;
  watch_code: string;
  create_time_ms: string | null;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  kind?: 'payin' | 'payout' | 'fiat_payout';
  /** Migration 020: the card reserve of a completed card order. */
  pledge_amount?: string | null;
}

const big = (v: string | null): bigint | null => (v === null ? null : BigInt(v));

export function toOrder(r: OrderRow): Order & { requestDigest: string } {
  return {
    id: r.id,
    merchantId: String(r.merchant_id),
    merchantTradeNo: r.merchant_trade_no,
    dialect: r.dialect,
    userId: r.user_id,
    currency: r.currency,
    amount: BigInt(r.amount),
    amountText: r.amount_text,
    status: asOrderStatus(Number(r.status)),
    paidAmount: big(r.paid_amount),
    fee: big(r.fee),
    receivedAmount: big(r.received_amount),
    rail: r.rail,
    network: r.network,
    hash: r.hash,
    remark: r.remark,
    extInfo: r.ext_info,
    callbackUrl: r.callback_url,
    successUrl: r.success_url,
    failUrl: r.fail_url,
    payCode: r.pay_code,
    watchCode: r.watch_code,
    createTimeMs: r.create_time_ms === null ? null : String(r.create_time_ms),
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    ...(r.kind ? { kind: r.kind } : {}),
    ...(r.pledge_amount !== undefined ? { pledgeAmount: big(r.pledge_amount) } : {}),
    requestDigest: r.request_digest,
  };
}

export interface NewOrder {
  id: string;
  merchantId: string;
  merchantTradeNo: string;
  dialect: string;
  requestDigest: string;
  userId: string | null;
  currency: string;
  amount: bigint;
  amountText: string;
  network: string | null;
  callbackUrl: string | null;
  successUrl: string | null;
  failUrl: string | null;
  payCode: string;
  watchCode: string;
  createTimeMs: string | null;
  expiresAt: Date;
  at: Date;
}

// Every column of OrderRow, named rather than `*`: prepared statements keep their result type when a later
// migration adds a column, and the row is exactly what toOrder reads.
export const ORDER_COLUMNS = `id, merchant_id, merchant_trade_no, dialect, request_digest, user_id, currency, amount,
       amount_text, status,
  paid_amount, fee, received_amount, rail, network, hash, remark, ext_info, callback_url, success_url, fail_url,
  pay_code, watch_code,
  create_time_ms, expires_at, created_at, updated_at, completed_at, kind, pledge_amount`;

// A named statement: each pooled connection parses and plans it once, not on every order.
const INSERT_ORDER_SQL = `WITH ins AS (
       INSERT INTO orders (id, merchant_id, merchant_trade_no, dialect, request_digest, user_id, currency, amount,
       amount_text,
         network, callback_url, success_url, fail_url, pay_code, watch_code, create_time_ms, expires_at, created_at,
         updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$18)
       ON CONFLICT (merchant_id, merchant_trade_no, kind) DO NOTHING
       RETURNING ${ORDER_COLUMNS}),
     ev AS (INSERT INTO order_events (order_id, from_status, to_status, reason, at) SELECT id, NULL, 0, 'created',
     $18 FROM ins)
     SELECT * FROM ins`;

/**
 * Inserts the order and its creation event in one statement. Returns undefined when the merchant already
 * has an order with this merchantTradeNo (the unique constraint settles concurrent duplicates).
 */
export async function insertOrderIfNew(tx: Tx, o: NewOrder): Promise<(Order & { requestDigest: string }) | undefined> {
  const { rows } = await tx.query<OrderRow>({
    name: 'tender_insert_order_v1',
    text: INSERT_ORDER_SQL,
    values: [
      o.id,
      o.merchantId,
      o.merchantTradeNo,
      o.dialect,
      o.requestDigest,
      o.userId,
      o.currency,
      o.amount.toString(),
      o.amountText,
      o.network,
      o.callbackUrl,
      o.successUrl,
      o.failUrl,
      o.payCode,
      o.watchCode,
      o.createTimeMs,
      o.expiresAt,
      o.at,
    ],
  });
  return rows[0] ? toOrder(rows[0]) : undefined;
}

export type OrderLookup =
  | { by: 'id'; id: string }
  /** `kind` confines the lookup to one order kind; without it a pay-in wins over a payout of the same number. */
  | { by: 'tradeNo'; merchantTradeNo: string; kind?: 'payin' | 'payout' | 'fiat_payout' }
  | { by: 'hash'; hash: string }
  | { by: 'payCode'; payCode: string }
  | { by: 'watchCode'; watchCode: string };

/** Finds an order; with `merchantId` the lookup is confined to that merchant's orders. */
export async function findOrder(
  tx: Tx,
  q: OrderLookup,
  merchantId?: string,
  forUpdate = false,
): Promise<(Order & { requestDigest: string }) | undefined> {
  const [col, val] =
    q.by === 'id'
      ? ['id', q.id]
      : q.by === 'tradeNo'
        ? ['merchant_trade_no', q.merchantTradeNo]
        : q.by === 'hash'
          ? ['hash', q.hash]
          : q.by === 'payCode'
            ? ['pay_code', q.payCode]
            : ['watch_code', q.watchCode];
  const params: unknown[] = [val];
  let sql = `SELECT * FROM orders WHERE ${col} = $1`;
  if (merchantId !== undefined) {
    params.push(merchantId);
    sql += ' AND merchant_id = $2';
  } else if (q.by === 'tradeNo' || q.by === 'hash') throw new Error('merchantTradeNo and hash lookups need a merchant');
  if (q.by === 'tradeNo' && q.kind) {
    params.push(q.kind);
    sql += ` AND kind = $${params.length}`;
  }
  // A payout has no hosted page: the pay and watch codes (customer-facing capabilities) find pay-ins only.
  if (q.by === 'payCode' || q.by === 'watchCode') sql += " AND kind = 'payin'";
  // merchantTradeNo is unique per kind (migration 013): the pay-in answers first, as before payouts existed.
  sql += " ORDER BY (kind = 'payin') DESC, created_at LIMIT 1";
  if (forUpdate) sql += ' FOR UPDATE';
  const { rows } = await tx.query<OrderRow>(sql, params);
  return rows[0] ? toOrder(rows[0]) : undefined;
}

export interface StatusPatch {
  paidAmount?: bigint;
  fee?: bigint;
  receivedAmount?: bigint;
  rail?: string;
  network?: string;
  hash?: string;
  remark?: string;
  extInfo?: string;
  /** The card reserve (migration 020), written with a card order's completion. */
  pledgeAmount?: bigint;
}

/** Compare-and-set: changes the status only if it is still `from`; appends the event row. */
export async function casOrderStatus(
  tx: Tx,
  id: string,
  from: OrderStatus,
  to: OrderStatus,
  patch: StatusPatch,
  reason: string,
  at: Date,
): Promise<(Order & { requestDigest: string }) | undefined> {
  const { rows } = await tx.query<OrderRow>(
    `WITH upd AS (
       UPDATE orders SET status = $3::smallint, updated_at = $4,
         completed_at = CASE WHEN $3::smallint IN (14, 15) THEN $4 ELSE completed_at END,
         paid_amount = COALESCE($5, paid_amount), fee = COALESCE($6, fee), received_amount = COALESCE($7,
         received_amount),
         rail = COALESCE($8, rail), network = COALESCE($9, network), hash = COALESCE($10, hash),
         remark = COALESCE($11::text, remark), ext_info = COALESCE($12::text, ext_info),
         pledge_amount = COALESCE($14::numeric, pledge_amount)
       WHERE id = $1 AND status = $2::smallint RETURNING *),
     ev AS (INSERT INTO order_events (order_id, from_status, to_status, reason, at) SELECT id, $2::smallint,
     $3::smallint, $13, $4 FROM upd)
     SELECT * FROM upd`,
    [
      id,
      from,
      to,
      at,
      patch.paidAmount?.toString() ?? null,
      patch.fee?.toString() ?? null,
      patch.receivedAmount?.toString() ?? null,
      patch.rail ?? null,
      patch.network ?? null,
      patch.hash ?? null,
      patch.remark ?? null,
      patch.extInfo ?? null,
      reason,
      patch.pledgeAmount?.toString() ?? null,
    ],
  );
  return rows[0] ? toOrder(rows[0]) : undefined;
}

/** Pending orders whose time is up, oldest first, leaving out those a worker failed on until their retry time. */
export async function expiredPendingIds(tx: Tx, now: Date, failureKind: string, limit: number): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM orders o WHERE status = 0 AND kind = 'payin' AND expires_at <= $1
       AND NOT EXISTS (SELECT 1 FROM work_failures f WHERE f.kind = $2 AND f.item_id = o.id AND f.retry_at > $1)
     ORDER BY expires_at LIMIT $3`,
    [now, failureKind, limit],
  );
  return rows.map((r) => r.id);
}

/** Locks one order if it is still pending and due; false when it changed or another worker holds it. */
export async function lockIfStillDue(tx: Tx, id: string, now: Date): Promise<boolean> {
  const { rows } = await tx.query(
    "SELECT 1 FROM orders WHERE id = $1 AND status = 0 AND kind = 'payin' AND expires_at <= $2 FOR UPDATE SKIP LOCKED",
    [id, now],
  );
  return rows.length > 0;
}

export async function orderEvents(
  tx: Tx,
  orderId: string,
): Promise<{ from_status: number | null; to_status: number; reason: string; at: Date }[]> {
  const { rows } = await tx.query(
    'SELECT from_status, to_status, reason, at FROM order_events WHERE order_id = $1 ORDER BY id',
    [orderId],
  );
  return rows;
}
