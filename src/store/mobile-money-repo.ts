// SQL of mobile-money attempts (one per order). An attempt is 'initiating' while the connector is being
// asked (nothing the customer or the merchant sees yet), then 'confirming' while the customer confirms,
// then 'succeeded' or 'failed'. Readers outside the mobile-money core only see attempts the connector
// accepted (findMobileMoney); the core works on the raw rows (AttemptRow).
import type { Tx } from './db.js';

export interface AttemptRow {
  order_id: string;
  connector: string;
  operator: string;
  payment_method: string;
  phone_prefix: string;
  phone: string;
  confirmation: 'otp' | 'push' | null;
  operator_id: string | null;
  state: 'initiating' | 'confirming' | 'succeeded' | 'failed';
  failure: string | null;
  otp_attempts: number;
  deadline: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** An attempt the connector accepted: its reference, confirmation step and deadline are known. */
export interface MobileMoneyRow extends AttemptRow {
  confirmation: 'otp' | 'push';
  operator_id: string;
  state: 'confirming' | 'succeeded' | 'failed';
  deadline: Date;
}

export const isAccepted = (r: AttemptRow): r is MobileMoneyRow =>
  r.state !== 'initiating' && r.operator_id !== null && r.confirmation !== null && r.deadline !== null;

/** Claims the order for one attempt; undefined when the order already has one (a double submit). */
export async function insertInitiating(
  tx: Tx,
  m: Pick<
    AttemptRow,
    'order_id' | 'connector' | 'operator' | 'payment_method' | 'phone_prefix' | 'phone' | 'created_at'
  >,
): Promise<AttemptRow | undefined> {
  const { rows } = await tx.query<AttemptRow>(
    `INSERT INTO mobile_money_payments (order_id, connector, operator, payment_method, phone_prefix, phone, state,
       created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,'initiating',$7,$7) ON CONFLICT (order_id) DO NOTHING RETURNING *`,
    [m.order_id, m.connector, m.operator, m.payment_method, m.phone_prefix, m.phone, m.created_at],
  );
  return rows[0];
}

export async function findAttempt(tx: Tx, orderId: string, forUpdate = false): Promise<AttemptRow | undefined> {
  const { rows } = await tx.query<AttemptRow>(
    `SELECT * FROM mobile_money_payments WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows[0];
}

/** The order's mobile-money payment as the page, check and notifications show it (accepted attempts only). */
export async function findMobileMoney(tx: Tx, orderId: string): Promise<MobileMoneyRow | undefined> {
  const row = await findAttempt(tx, orderId);
  return row && isAccepted(row) ? row : undefined;
}

export interface AttemptPatch {
  state?: AttemptRow['state'];
  failure?: string;
  otpAttempts?: number;
  accepted?: { confirmation: 'otp' | 'push'; operatorId: string; deadline: Date };
}

export async function updateAttempt(tx: Tx, orderId: string, p: AttemptPatch, at: Date): Promise<void> {
  await tx.query(
    `UPDATE mobile_money_payments SET state = COALESCE($2, state), failure = COALESCE($3, failure),
       otp_attempts = COALESCE($4, otp_attempts), confirmation = COALESCE($5, confirmation),
       operator_id = COALESCE($6, operator_id), deadline = COALESCE($7, deadline), updated_at = $8
     WHERE order_id = $1`,
    [
      orderId,
      p.state ?? null,
      p.failure ?? null,
      p.otpAttempts ?? null,
      p.accepted?.confirmation ?? null,
      p.accepted?.operatorId ?? null,
      p.accepted?.deadline ?? null,
      at,
    ],
  );
}

/** Forgets an attempt the connector refused before accepting it, so the customer may start again. */
export async function deleteInitiating(tx: Tx, orderId: string): Promise<boolean> {
  const r = await tx.query(`DELETE FROM mobile_money_payments WHERE order_id = $1 AND state = 'initiating'`, [orderId]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Payments still waiting for the customer, in order id order after `after` (for the background poller,
 * which walks them in rounds so every one is reached however many there are).
 */
export async function confirmingMobileMoney(tx: Tx, limit: number, after = ''): Promise<string[]> {
  const { rows } = await tx.query<{ order_id: string }>(
    `SELECT order_id FROM mobile_money_payments WHERE state = 'confirming' AND order_id > $2 ORDER BY order_id
    LIMIT $1`,
    [limit, after],
  );
  return rows.map((r) => r.order_id);
}

/** Attempts whose start was interrupted (crash or error before the connector's answer was recorded). */
export async function staleInitiating(tx: Tx, olderThan: Date, limit: number, after = ''): Promise<string[]> {
  const { rows } = await tx.query<{ order_id: string }>(
    `SELECT order_id FROM mobile_money_payments WHERE state = 'initiating' AND updated_at <= $1 AND order_id > $3
     ORDER BY order_id LIMIT $2`,
    [olderThan, limit, after],
  );
  return rows.map((r) => r.order_id);
}
