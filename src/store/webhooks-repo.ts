import type { Tx } from './db.js';

export interface DeliveryRow {
  id: string;
  merchant_id: string;
  order_id: string;
  order_status: number;
  format: 'cpay' | 'cpay-legacy' | 'cinetpay';
  url: string | null;
  payload: Record<string, string | number>;
  state: string;
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
}

export async function insertDelivery(
  tx: Tx,
  d: {
    merchantId: string;
    orderId: string;
    orderStatus: number;
    format: string;
    url: string | null;
    payload: object;
    at: Date;
    firstDelaySeconds: number;
  },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (merchant_id, order_id, order_status, format, url, payload, state, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz + make_interval(secs => $9::double precision), $8) RETURNING id`,
    [
      d.merchantId,
      d.orderId,
      d.orderStatus,
      d.format,
      d.url,
      JSON.stringify(d.payload),
      d.url ? 'pending' : 'no_url',
      d.at,
      d.firstDelaySeconds,
    ],
  );
  return rows[0]!.id;
}

/**
 * Claims due deliveries with a lease. FOR UPDATE SKIP LOCKED lets several workers share the table; a
 * delivery waits while an earlier one of the same order is still pending so the merchant sees changes in order.
 */
export async function claimDue(tx: Tx, now: Date, leaseSeconds: number, limit: number): Promise<DeliveryRow[]> {
  const { rows } = await tx.query<DeliveryRow>(
    `UPDATE webhook_deliveries d SET attempts = attempts + 1, lease_until = $1::timestamptz + make_interval(secs => $2::double precision)
     WHERE id IN (
       SELECT id FROM webhook_deliveries w
       WHERE state = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.order_id = w.order_id AND e.id < w.id AND e.state = 'pending')
       ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING d.*`,
    [now, leaseSeconds, limit],
  );
  return rows;
}

export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
  ok: boolean;
}

/** Records one attempt and moves the delivery on; ignored if another worker re-claimed it meanwhile. */
export async function finishAttempt(
  tx: Tx,
  d: DeliveryRow,
  r: AttemptResult,
  nextDelaySeconds: number | null,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO webhook_attempts (delivery_id, attempt_no, started_at, duration_ms, http_status, response_body, error, ok)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (delivery_id, attempt_no) DO NOTHING`,
    [d.id, d.attempts, r.startedAt, r.durationMs, r.httpStatus, r.responseBody, r.error, r.ok],
  );
  const state = r.ok ? 'delivered' : nextDelaySeconds === null ? 'failed' : 'pending';
  await tx.query(
    `UPDATE webhook_deliveries SET state = $3, lease_until = NULL,
       delivered_at = CASE WHEN $3 = 'delivered' THEN $4 ELSE delivered_at END,
       next_attempt_at = CASE WHEN $3 = 'pending' THEN $4::timestamptz + make_interval(secs => $5::double precision) ELSE next_attempt_at END
     WHERE id = $1 AND attempts = $2 AND state = 'pending'`,
    [d.id, d.attempts, state, now, nextDelaySeconds ?? 0],
  );
}

export async function latestDeliveries(tx: Tx, orderId: string): Promise<DeliveryRow[]> {
  const { rows } = await tx.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE order_id = $1 ORDER BY id', [
    orderId,
  ]);
  return rows;
}

export async function attemptsOf(
  tx: Tx,
  deliveryId: string,
): Promise<
  {
    attempt_no: number;
    http_status: number | null;
    ok: boolean;
    error: string | null;
    response_body: string | null;
    duration_ms: number;
    started_at: Date;
  }[]
> {
  const { rows } = await tx.query('SELECT * FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt_no', [
    deliveryId,
  ]);
  return rows;
}
