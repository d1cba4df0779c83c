// The merchant portal's reads of orders: one keyset page of a merchant's orders under filters, and one order
// with everything behind it. Every query takes the merchant id and is confined to it: another merchant's order
// id, hash or merchantTradeNo simply finds nothing.
import type { Tx } from './db.js';

export type OrderKind = 'payin' | 'payout' | 'fiat_payout';

/** Filters already checked and converted by the core (amounts in minor units per currency). */
export interface OrderQuery {
  merchantId: string;
  status?: number;
  kind?: OrderKind;
  currency?: string;
  /** Inclusive lower and exclusive upper bound of created_at. */
  from?: Date;
  until?: Date;
  merchantTradeNo?: string;
  orderId?: string;
  hash?: string;
  /** (currency, minor units) pairs the amount may be: one decimal is a different number in each currency. */
  amounts?: { currency: string; minor: bigint }[];
  /** Keyset position: created_at as UTC text with microseconds, and the order id. */
  after?: { at: string; id: string };
  before?: { at: string; id: string };
  limit: number;
}

export interface OrderListRow {
  id: string;
  kind: OrderKind;
  dialect: string;
  merchant_trade_no: string;
  currency: string;
  amount: string;
  fee: string | null;
  received_amount: string | null;
  paid_amount: string | null;
  status: number;
  network: string | null;
  hash: string | null;
  created_at: Date;
  completed_at: Date | null;
  /** created_at as exact UTC text (microseconds): the keyset cursor, never rounded through a JS Date. */
  at_key: string;
}

const LIST_COLUMNS = `id, kind, dialect, merchant_trade_no, currency, amount, fee, received_amount, paid_amount, status,
  network, hash, created_at, completed_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at_key`;

/**
 * One page of orders, newest first (or the page just before `before`, still returned newest first).
 * Each filter is a plain predicate; the indexes of migration 017 let PostgreSQL walk (merchant, created_at, id)
 * or (merchant, status, created_at, id) backwards and stop after `limit` rows.
 */
export async function listMerchantOrders(tx: Tx, q: OrderQuery): Promise<OrderListRow[]> {
  const params: unknown[] = [q.merchantId];
  const where = ['merchant_id = $1'];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (q.status !== undefined) where.push(`status = ${p(q.status)}::smallint`);
  if (q.kind !== undefined) where.push(`kind = ${p(q.kind)}`);
  if (q.currency !== undefined) where.push(`currency = ${p(q.currency)}`);
  if (q.from !== undefined) where.push(`created_at >= ${p(q.from)}`);
  if (q.until !== undefined) where.push(`created_at < ${p(q.until)}`);
  if (q.merchantTradeNo !== undefined) where.push(`merchant_trade_no = ${p(q.merchantTradeNo)}`);
  if (q.orderId !== undefined) where.push(`id = ${p(q.orderId)}`);
  // EVM hashes are hex whose case varies between explorers and wallets; the stored one is as the rail gave it.
  if (q.hash !== undefined) where.push(`hash IN (${p(q.hash)}, ${p(q.hash.toLowerCase())})`);
  if (q.amounts !== undefined) {
    if (!q.amounts.length) return [];
    where.push(
      `(currency, amount) IN (SELECT * FROM unnest(${p(q.amounts.map((a) => a.currency))}::text[], ` +
        `${p(q.amounts.map((a) => a.minor.toString()))}::numeric[]))`,
    );
  }
  const backwards = q.before !== undefined;
  const key = q.after ?? q.before;
  if (key) {
    const at = `(${p(key.at)}::timestamp AT TIME ZONE 'UTC')`;
    where.push(`(created_at, id) ${backwards ? '>' : '<'} (${at}, ${p(key.id)})`);
  }
  const order = backwards ? 'created_at ASC, id ASC' : 'created_at DESC, id DESC';
  const { rows } = await tx.query<OrderListRow>(
    `SELECT ${LIST_COLUMNS} FROM orders WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${p(q.limit)}`,
    params,
  );
  return backwards ? rows.reverse() : rows;
}

export interface MerchantOrderRow extends OrderListRow {
  user_id: string | null;
  amount_text: string;
  rail: string | null;
  remark: string;
  callback_url: string | null;
  expires_at: Date;
  updated_at: Date;
}

/** One order of this merchant, or undefined (also when the id is another merchant's). */
export async function findMerchantOrder(
  tx: Tx,
  merchantId: string,
  orderId: string,
): Promise<MerchantOrderRow | undefined> {
  const { rows } = await tx.query<MerchantOrderRow>(
    `SELECT ${LIST_COLUMNS}, user_id, amount_text, rail, remark, callback_url, expires_at, updated_at
     FROM orders WHERE id = $1 AND merchant_id = $2`,
    [orderId, merchantId],
  );
  return rows[0];
}

export interface OrderEventRow {
  from_status: number | null;
  to_status: number;
  reason: string;
  at: Date;
}

export async function merchantOrderEvents(tx: Tx, merchantId: string, orderId: string): Promise<OrderEventRow[]> {
  const { rows } = await tx.query<OrderEventRow>(
    `SELECT e.from_status, e.to_status, e.reason, e.at FROM order_events e JOIN orders o ON o.id = e.order_id
     WHERE e.order_id = $1 AND o.merchant_id = $2 ORDER BY e.id`,
    [orderId, merchantId],
  );
  return rows;
}

export interface OrderPostingRow {
  entry_id: string;
  entry_kind: string;
  memo: string;
  at: Date;
  account_code: string;
  account_kind: string;
  currency: string;
  amount: string;
}

/** The journal entries of an order with their postings, in the order they were written. */
export async function merchantOrderPostings(tx: Tx, merchantId: string, orderId: string): Promise<OrderPostingRow[]> {
  const { rows } = await tx.query<OrderPostingRow>(
    `SELECT j.id AS entry_id, j.kind AS entry_kind, j.memo, j.at, a.code AS account_code, a.kind AS account_kind,
            p.currency, p.amount
     FROM journal_entries j JOIN orders o ON o.id = j.order_id
     JOIN postings p ON p.entry_id = j.id JOIN ledger_accounts a ON a.id = p.account_id
     WHERE j.order_id = $1 AND o.merchant_id = $2 ORDER BY j.id, p.id`,
    [orderId, merchantId],
  );
  return rows;
}

export interface DeliveryWithAttempts {
  id: string;
  order_status: number;
  format: string;
  url: string | null;
  payload: Record<string, string | number>;
  state: string;
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
  delivered_at: Date | null;
  tries: {
    attempt_no: number;
    started_at: string;
    duration_ms: number;
    http_status: number | null;
    response_body: string | null;
    error: string | null;
    ok: boolean;
  }[];
}

/** Every webhook delivery of the order, each with every attempt (request is rebuilt by the core). */
export async function merchantOrderDeliveries(
  tx: Tx,
  merchantId: string,
  orderId: string,
): Promise<DeliveryWithAttempts[]> {
  const { rows } = await tx.query<DeliveryWithAttempts>(
    `SELECT d.id, d.order_status, d.format, d.url, d.payload, d.state, d.attempts, d.next_attempt_at, d.created_at,
            d.delivered_at,
            coalesce((SELECT json_agg(json_build_object('attempt_no', a.attempt_no, 'started_at', a.started_at,
                       'duration_ms', a.duration_ms, 'http_status', a.http_status, 'response_body', a.response_body,
                       'error', a.error, 'ok', a.ok) ORDER BY a.attempt_no)
                      FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS tries
     FROM webhook_deliveries d WHERE d.order_id = $1 AND d.merchant_id = $2 ORDER BY d.id`,
    [orderId, merchantId],
  );
  return rows;
}

export interface PayoutFacts {
  to_address: string;
  stage: string;
  reason: string | null;
  network: string;
  tx_hashes: string[];
}

/** What a payout order carries beyond the order (destination, stage, every signed transaction's hash). */
export async function merchantPayoutFacts(
  tx: Tx,
  merchantId: string,
  orderId: string,
): Promise<PayoutFacts | undefined> {
  const { rows } = await tx.query<PayoutFacts>(
    `SELECT p.to_address, p.stage, p.reason, p.network,
            coalesce((SELECT array_agg(a.tx_hash ORDER BY a.id) FROM payout_attempts a WHERE a.payout_id = p.order_id),
                     '{}') AS tx_hashes
     FROM payouts p WHERE p.order_id = $1 AND p.merchant_id = $2`,
    [orderId, merchantId],
  );
  return rows[0];
}

/** A CinetPay order's own identifiers (its site and the merchant's transaction_id). */
export async function merchantCinetpayFacts(
  tx: Tx,
  merchantId: string,
  orderId: string,
): Promise<{ site_id: string; transaction_id: string } | undefined> {
  const { rows } = await tx.query<{ site_id: string; transaction_id: string }>(
    `SELECT c.site_id, c.transaction_id FROM cinetpay_orders c JOIN cinetpay_sites s ON s.site_id = c.site_id
     WHERE c.order_id = $1 AND s.merchant_id = $2`,
    [orderId, merchantId],
  );
  return rows[0];
}
