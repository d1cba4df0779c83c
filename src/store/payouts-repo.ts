// Payout rows (migration 013): the payout beside its order, its signed attempts and its approvals.
import type { Tx } from './db.js';
import { ORDER_COLUMNS, toOrder, type NewOrder, type OrderRow } from './orders-repo.js';
import type { Order } from '../domain/order.js';

export type PayoutStage = 'approval' | 'ready' | 'in_flight' | 'closed';

export interface PayoutRow {
  order_id: string;
  merchant_id: string;
  kind: 'crypto' | 'fiat';
  rail: string;
  network: string;
  asset: string;
  to_address: string;
  total: string;
  fee: string;
  received: string;
  chain_amount: string;
  approvals_needed: number;
  stage: PayoutStage;
  reason: string | null;
  next_try_at: Date;
  created_at: Date;
}

export interface NewPayout {
  rail: string;
  network: string;
  asset: string;
  toAddress: string;
  total: bigint;
  fee: bigint;
  received: bigint;
  chainAmount: bigint;
  approvalsNeeded: number;
}

/**
 * Inserts the payout order (kind 'payout'), its creation event and its payout row in one statement; undefined
 * when the merchant already has a payout with this merchantTradeNo (the unique constraint settles races).
 */
export async function insertPayoutOrder(tx: Tx, o: NewOrder, p: NewPayout): Promise<Order | undefined> {
  const { rows } = await tx.query<OrderRow>(
    `WITH ins AS (
       INSERT INTO orders (id, merchant_id, merchant_trade_no, kind, dialect, request_digest, user_id, currency,
         amount, amount_text, network, callback_url, pay_code, watch_code, create_time_ms, expires_at, created_at,
         updated_at, fee, received_amount, paid_amount)
       VALUES ($1,$2,$3,'payout',$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16,$17,$18,$8)
       ON CONFLICT (merchant_id, merchant_trade_no, kind) DO NOTHING
       RETURNING ${ORDER_COLUMNS}),
     ev AS (INSERT INTO order_events (order_id, from_status, to_status, reason, at)
            SELECT id, NULL, 0, 'payout accepted', $16 FROM ins),
     pay AS (INSERT INTO payouts (order_id, merchant_id, rail, network, asset, to_address, total, fee, received,
               chain_amount, approvals_needed, stage, reason, next_try_at, created_at, updated_at)
             SELECT id, merchant_id, $19, $20, $7, $21, $8, $17, $18, $22, $23::smallint,
               CASE WHEN $23::smallint > 0 THEN 'approval' ELSE 'ready' END,
               CASE WHEN $23::smallint > 0 THEN 'awaiting_approval' END, $16, $16, $16 FROM ins)
     SELECT * FROM ins`,
    [
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
      o.payCode,
      o.watchCode,
      o.createTimeMs,
      o.expiresAt,
      o.at,
      p.fee.toString(),
      p.received.toString(),
      p.rail,
      p.network,
      p.toAddress,
      p.chainAmount.toString(),
      p.approvalsNeeded,
    ],
  );
  return rows[0] ? toOrder(rows[0]) : undefined;
}

export async function findPayout(tx: Tx, orderId: string, lock: '' | 'update' = ''): Promise<PayoutRow | undefined> {
  const { rows } = await tx.query<PayoutRow>(
    `SELECT * FROM payouts WHERE order_id = $1${lock === 'update' ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows[0];
}

export async function setPayoutStage(
  tx: Tx,
  orderId: string,
  stage: PayoutStage,
  reason: string | null,
  at: Date,
  nextTryAt: Date = at,
): Promise<void> {
  await tx.query('UPDATE payouts SET stage = $2, reason = $3, updated_at = $4, next_try_at = $5 WHERE order_id = $1', [
    orderId,
    stage,
    reason,
    at,
    nextTryAt,
  ]);
}

/** Ready payouts of a network that are due, locked; those another sender holds are skipped. */
export async function lockReadyPayouts(tx: Tx, network: string, now: Date, limit: number): Promise<PayoutRow[]> {
  const { rows } = await tx.query<PayoutRow>(
    `SELECT * FROM payouts WHERE stage = 'ready' AND network = $1 AND next_try_at <= $2
     ORDER BY next_try_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [network, now, limit],
  );
  return rows;
}

export async function readyPayoutIds(tx: Tx, network: string, now: Date, limit: number): Promise<string[]> {
  const { rows } = await tx.query<{ order_id: string }>(
    `SELECT order_id FROM payouts WHERE stage = 'ready' AND network = $1 AND next_try_at <= $2
     ORDER BY next_try_at LIMIT $3`,
    [network, now, limit],
  );
  return rows.map((r) => r.order_id);
}

export async function lockReadyPayout(tx: Tx, orderId: string, now: Date): Promise<PayoutRow | undefined> {
  const { rows } = await tx.query<PayoutRow>(
    `SELECT * FROM payouts WHERE order_id = $1 AND stage = 'ready' AND next_try_at <= $2 FOR UPDATE SKIP LOCKED`,
    [orderId, now],
  );
  return rows[0];
}

export interface AttemptRow {
  id: string;
  payout_id: string;
  rail: string;
  network: string;
  asset: string;
  tx_hash: string;
  raw: string;
  detail: Record<string, string>;
  nonce: string | null;
  chain_amount: string;
  state: 'signed' | 'broadcast' | 'confirmed' | 'failed' | 'dropped';
  failure: string | null;
  created_at: Date;
}

export async function insertAttempt(
  tx: Tx,
  a: {
    payoutId: string;
    rail: string;
    network: string;
    asset: string;
    txHash: string;
    raw: string;
    detail: Record<string, string>;
    nonce: bigint | null;
    chainAmount: bigint;
    at: Date;
  },
): Promise<AttemptRow> {
  const { rows } = await tx.query<AttemptRow>(
    `INSERT INTO payout_attempts (payout_id, rail, network, asset, tx_hash, raw, detail, nonce, chain_amount, state,
       created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'signed',$10,$10) RETURNING *`,
    [
      a.payoutId,
      a.rail,
      a.network,
      a.asset,
      a.txHash,
      a.raw,
      JSON.stringify(a.detail),
      a.nonce?.toString() ?? null,
      a.chainAmount.toString(),
      a.at,
    ],
  );
  return rows[0]!;
}

/** Live (signed or broadcast) attempts of a network, oldest first: what the sender reconciles. */
export async function liveAttempts(tx: Tx, network: string): Promise<AttemptRow[]> {
  const { rows } = await tx.query<AttemptRow>(
    `SELECT * FROM payout_attempts WHERE network = $1 AND state IN ('signed', 'broadcast') ORDER BY id`,
    [network],
  );
  return rows;
}

export async function attemptsOf(tx: Tx, payoutId: string): Promise<AttemptRow[]> {
  const { rows } = await tx.query<AttemptRow>('SELECT * FROM payout_attempts WHERE payout_id = $1 ORDER BY id', [
    payoutId,
  ]);
  return rows;
}

/** Compare-and-set of an attempt's state; false when another sender moved it first. */
export async function casAttempt(
  tx: Tx,
  id: string,
  from: readonly AttemptRow['state'][],
  to: AttemptRow['state'],
  at: Date,
  failure: string | null = null,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE payout_attempts SET state = $3, updated_at = $4, failure = coalesce($5, failure),
       broadcast_at = CASE WHEN $3 = 'broadcast' THEN coalesce(broadcast_at, $4) ELSE broadcast_at END,
       settled_at = CASE WHEN $3 IN ('confirmed', 'failed', 'dropped') THEN $4 ELSE settled_at END
     WHERE id = $1 AND state = ANY($2::text[])`,
    [id, from, to, at, failure],
  );
  return (rowCount ?? 0) > 0;
}

/** Locks the network's signing row (creating it) and answers the next nonce the sender keeps. */
export async function lockNetwork(tx: Tx, network: string): Promise<bigint | null> {
  await tx.query('INSERT INTO payout_network_locks (network) VALUES ($1) ON CONFLICT (network) DO NOTHING', [network]);
  const { rows } = await tx.query<{ next_nonce: string | null }>(
    'SELECT next_nonce FROM payout_network_locks WHERE network = $1 FOR UPDATE',
    [network],
  );
  return rows[0]!.next_nonce === null ? null : BigInt(rows[0]!.next_nonce);
}

export async function setNextNonce(tx: Tx, network: string, next: bigint): Promise<void> {
  await tx.query('UPDATE payout_network_locks SET next_nonce = $2 WHERE network = $1', [network, next.toString()]);
}

/** Chain units of `asset` the hot wallet has committed to transactions not yet confirmed. */
export async function inFlightAmount(tx: Tx, network: string, asset: string): Promise<bigint> {
  const { rows } = await tx.query<{ s: string }>(
    `SELECT coalesce(sum(chain_amount), 0) AS s FROM payout_attempts
     WHERE network = $1 AND asset = $2 AND state IN ('signed', 'broadcast')`,
    [network, asset],
  );
  return BigInt(rows[0]!.s);
}

export interface PayoutListRow extends PayoutRow {
  status: number;
  merchant_trade_no: string;
  currency: string;
  approvals: string[];
}

/** Payouts not yet final, with who approved them so far (operator names). */
export async function openPayouts(tx: Tx): Promise<PayoutListRow[]> {
  const { rows } = await tx.query<PayoutListRow>(
    `SELECT p.*, o.status, o.merchant_trade_no, o.currency,
       coalesce(array_agg(op.name ORDER BY a.id) FILTER (WHERE a.decision = 'approve'), '{}') AS approvals
     FROM payouts p JOIN orders o ON o.id = p.order_id
     LEFT JOIN payout_approvals a ON a.payout_id = p.order_id
     LEFT JOIN operators op ON op.id = a.operator_id
     WHERE p.stage <> 'closed' GROUP BY p.order_id, o.id ORDER BY p.created_at`,
  );
  return rows;
}
