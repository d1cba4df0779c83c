// Webhook delivery health per destination across merchants (issue 12): one query over the outbox
// (webhook_deliveries) and the per-destination failure state (webhook_destinations, migration 007).
import type { Tx } from './db.js';

export interface DestinationHealthRow {
  destination: string;
  merchants: number;
  backlog: number;
  oldest_pending_at: Date | null;
  failed: number;
  delivered: number;
  failed_attempts: number;
  consecutive_failures: number;
  deferred_until: Date | null;
  last_error: string | null;
  last_failed_status: number | null;
  last_failed_body: string | null;
  last_delivered_at: Date | null;
}

/**
 * Every destination with pending deliveries, or with deliveries created since `since`: the backlog and its oldest
 * pending row, deliveries given up (failed) and delivered, failed attempts since `since`, and the destination's
 * failure streak and last error. Failing destinations first, then the largest backlogs.
 */
export async function destinationHealth(tx: Tx, since: Date, limit: number): Promise<DestinationHealthRow[]> {
  const { rows } = await tx.query<DestinationHealthRow>(
    `WITH d AS (
       SELECT destination,
              count(DISTINCT merchant_id)::int AS merchants,
              count(*) FILTER (WHERE state = 'pending')::int AS backlog,
              min(created_at) FILTER (WHERE state = 'pending') AS oldest_pending_at,
              count(*) FILTER (WHERE state = 'failed')::int AS failed,
              count(*) FILTER (WHERE state = 'delivered')::int AS delivered,
              max(delivered_at) AS last_delivered_at
         FROM webhook_deliveries
        WHERE destination IS NOT NULL AND (state = 'pending' OR created_at >= $1)
        GROUP BY destination
     ), a AS (
       SELECT wd.destination, count(*)::int AS failed_attempts
         FROM webhook_attempts wa JOIN webhook_deliveries wd ON wd.id = wa.delivery_id
        WHERE NOT wa.ok AND wa.started_at >= $1 AND wd.destination IS NOT NULL
        GROUP BY wd.destination
     )
     SELECT d.destination, d.merchants, d.backlog, d.oldest_pending_at, d.failed, d.delivered,
            COALESCE(a.failed_attempts, 0) AS failed_attempts,
            COALESCE(w.consecutive_failures, 0) AS consecutive_failures, w.deferred_until,
            COALESCE(w.last_error, lf.error) AS last_error, lf.http_status AS last_failed_status,
            lf.body AS last_failed_body, d.last_delivered_at
       FROM d LEFT JOIN a USING (destination) LEFT JOIN webhook_destinations w USING (destination)
       -- The newest failed attempt of a failing destination: what the receiver answered.
       LEFT JOIN LATERAL (
         SELECT wa.http_status, wa.error, left(wa.response_body, 200) AS body
           FROM webhook_attempts wa JOIN webhook_deliveries wd ON wd.id = wa.delivery_id
          WHERE wd.destination = d.destination AND NOT wa.ok AND COALESCE(w.consecutive_failures, 0) > 0
          ORDER BY wa.id DESC LIMIT 1
       ) lf ON true
      ORDER BY (COALESCE(w.consecutive_failures, 0) > 0 OR d.failed > 0) DESC, d.backlog DESC, d.destination
      LIMIT $2`,
    [since, limit],
  );
  return rows;
}
