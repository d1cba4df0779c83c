import type { Tx } from './db.js';
import { destinationOf } from '../domain/destination-policy.js';

export interface DeliveryRow {
  id: string;
  merchant_id: string;
  order_id: string;
  order_status: number;
  format: 'cpay' | 'cpay-legacy' | 'cinetpay';
  url: string | null;
  destination: string | null;
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
    `INSERT INTO webhook_deliveries (merchant_id, order_id, order_status, format, url, payload, state,
    next_attempt_at, created_at, destination)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz + make_interval(secs => $9::double precision), $8, $10)
     RETURNING id`,
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
      d.url ? destinationOf(d.url) : null,
    ],
  );
  return rows[0]!.id;
}

export interface ClaimLimits {
  /** Most deliveries to return. */
  limit: number;
  /** Most attempts in flight per destination, across every worker. */
  perDestination: number;
  /** A destination with this many consecutive failures gets one attempt at a time (a probe). */
  failureThreshold: number;
}

const CLAIM_LOCK = 727_007;

/**
 * Claims due deliveries with a lease. Claims are serialised by a transaction advisory lock so the
 * per-destination cap holds across worker processes: a destination never has more than `perDestination`
 * leased attempts (one while it is failing), and none while it is deferred, so a slow or hanging host
 * cannot take the slots other merchants need. A delivery waits while an earlier one of the same order is
 * still pending so the merchant sees changes in order. Deferred deliveries are not claimed at all, so
 * they keep their own retry attempts.
 */
export async function claimDue(tx: Tx, now: Date, leaseSeconds: number, c: ClaimLimits): Promise<DeliveryRow[]> {
  if (c.limit <= 0) return [];
  // A lease lost in a database crash only means the attempt may be sent again (webhooks are at-least-once),
  // so claims do not wait for the WAL flush.
  await tx.query("SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock($1)", [CLAIM_LOCK]);
  const { rows } = await tx.query<DeliveryRow>(
    `WITH busy AS (
       SELECT destination, count(*)::int AS n FROM webhook_deliveries
       WHERE state = 'pending' AND lease_until IS NOT NULL AND lease_until >= $1 GROUP BY destination
     ), room AS (
       SELECT b.destination,
         CASE WHEN coalesce(h.consecutive_failures, 0) >= $5 THEN 1 ELSE $4::int END - b.n AS room
       FROM busy b LEFT JOIN webhook_destinations h ON h.destination = b.destination
     ), closed AS (
       SELECT destination FROM room WHERE room <= 0
       UNION ALL SELECT destination FROM webhook_destinations WHERE deferred_until > $1
     ), due AS (
       -- The earliest due deliveries of destinations that have room: walking webhook_due in order stops
       -- after a few rows, however long the backlog of full or deferred destinations.
       SELECT w.id, w.destination, w.next_attempt_at FROM webhook_deliveries w
       WHERE w.state = 'pending' AND w.next_attempt_at <= $1 AND (w.lease_until IS NULL OR w.lease_until < $1)
         AND NOT EXISTS (SELECT 1 FROM closed c WHERE c.destination = w.destination)
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.order_id = w.order_id AND e.id < w.id
         AND e.state = 'pending')
       ORDER BY w.next_attempt_at LIMIT $3::int * $4::int
     ), ranked AS (
       SELECT d.id, d.next_attempt_at,
         row_number() OVER (PARTITION BY d.destination ORDER BY d.next_attempt_at, d.id) AS rn,
         coalesce(r.room, CASE WHEN coalesce(h.consecutive_failures, 0) >= $5 THEN 1 ELSE $4::int END) AS room
       FROM due d
       LEFT JOIN room r ON r.destination = d.destination
       LEFT JOIN webhook_destinations h ON h.destination = d.destination
     ), picked AS (
       SELECT id FROM webhook_deliveries
       WHERE id IN (SELECT id FROM ranked WHERE rn <= room ORDER BY next_attempt_at, id LIMIT $3)
         AND state = 'pending' AND (lease_until IS NULL OR lease_until < $1)
       FOR UPDATE SKIP LOCKED
     )
     UPDATE webhook_deliveries d SET attempts = attempts + 1,
     lease_until = $1::timestamptz + make_interval(secs => $2::double precision)
     FROM picked WHERE d.id = picked.id
     RETURNING d.*`,
    [now, leaseSeconds, c.limit, c.perDestination, c.failureThreshold],
  );
  return rows.sort((a, b) => a.next_attempt_at.getTime() - b.next_attempt_at.getTime());
}

export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
  ok: boolean;
  /** What the attempt says about the destination: 'down' (no answer, 5xx, 429), 'up', or 'unknown' (not tried). */
  host: 'up' | 'down' | 'unknown';
}

export interface HostBackoff {
  failureThreshold: number;
  baseSeconds: number;
  maxSeconds: number;
}

/** Records one attempt and moves the delivery on; ignored if another worker re-claimed it meanwhile. */
export async function finishAttempt(
  tx: Tx,
  d: DeliveryRow,
  r: AttemptResult,
  nextDelaySeconds: number | null,
  now: Date,
  backoff: HostBackoff,
): Promise<void> {
  const state = r.ok ? 'delivered' : nextDelaySeconds === null ? 'failed' : 'pending';
  const host = d.destination ? r.host : 'unknown';
  // One statement (atomic on its own, one round trip): the attempt, the delivery, the destination's health.
  // Health: a success forgets the destination's failures (ending a deferral); a failure counts, and at the
  // threshold defers the destination for base * 2^(deferrals so far), capped. Failures of attempts already
  // in flight while it is deferred count but do not extend the deferral.
  await tx.query(
    `WITH attempt AS (
       INSERT INTO webhook_attempts (delivery_id, attempt_no, started_at, duration_ms, http_status, response_body,
       error, ok)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (delivery_id, attempt_no) DO NOTHING
     ), delivery AS (
       UPDATE webhook_deliveries SET state = $9, lease_until = NULL,
         delivered_at = CASE WHEN $9 = 'delivered' THEN $10 ELSE delivered_at END,
         next_attempt_at = CASE WHEN $9 = 'pending'
         THEN $10::timestamptz + make_interval(secs => $11::double precision) ELSE next_attempt_at END
       WHERE id = $1 AND attempts = $2 AND state = 'pending'
     ), up AS (
       DELETE FROM webhook_destinations WHERE $13 = 'up' AND destination = $12
     ), down AS (
       INSERT INTO webhook_destinations AS h (destination, consecutive_failures, deferrals, deferred_until,
       last_error, updated_at)
       SELECT $12, 1, CASE WHEN $14::int <= 1 THEN 1 ELSE 0 END,
         CASE WHEN $14::int <= 1 THEN $10::timestamptz + make_interval(secs => least($16::double precision,
         $15::double precision)) END,
         $7, $10
       WHERE $13 = 'down'
       ON CONFLICT (destination) DO UPDATE SET
         consecutive_failures = h.consecutive_failures + 1,
         deferrals = CASE WHEN h.consecutive_failures + 1 >= $14::int AND (h.deferred_until IS NULL
         OR h.deferred_until <= $10)
                          THEN h.deferrals + 1 ELSE h.deferrals END,
         deferred_until = CASE WHEN h.consecutive_failures + 1 >= $14::int AND (h.deferred_until IS NULL
         OR h.deferred_until <= $10)
                          THEN $10::timestamptz + make_interval(secs => least($16::double precision,
                          $15::double precision * power(2, least(h.deferrals, 30))))
                          ELSE h.deferred_until END,
         last_error = excluded.last_error, updated_at = $10
     )
     SELECT 1`,
    [
      d.id,
      d.attempts,
      r.startedAt,
      r.durationMs,
      r.httpStatus,
      r.responseBody,
      r.error,
      r.ok,
      state,
      now,
      nextDelaySeconds ?? 0,
      d.destination,
      host,
      backoff.failureThreshold,
      backoff.baseSeconds,
      backoff.maxSeconds,
    ],
  );
}

export interface DestinationHealth {
  destination: string;
  consecutive_failures: number;
  deferrals: number;
  deferred_until: Date | null;
  last_error: string | null;
}

export async function destinationHealth(tx: Tx, destination: string): Promise<DestinationHealth | undefined> {
  const { rows } = await tx.query<DestinationHealth>('SELECT * FROM webhook_destinations WHERE destination = $1', [
    destination,
  ]);
  return rows[0];
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
