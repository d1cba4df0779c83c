// Webhook delivery health across merchants for the operator console: which destinations fail, how big the
// backlog is and how old its oldest delivery, the last error. Read-only.
import type { Deps } from './deps.js';
import { destinationHealth } from '../store/console-health-repo.js';

export type HealthState = 'failing' | 'deferred' | 'backlog' | 'healthy';

export interface DestinationHealth {
  destination: string;
  state: HealthState;
  merchants: number;
  backlog: number;
  /** Seconds since the oldest pending delivery was created; null without a backlog. */
  oldestPendingSeconds: number | null;
  failedDeliveries: number;
  deliveredDeliveries: number;
  failedAttempts: number;
  consecutiveFailures: number;
  deferredUntil: string | null;
  lastError: string | null;
  lastDeliveredAt: string | null;
}

/** A backlog older than this is reported even when the destination answers (workers may be behind). */
const BACKLOG_ALERT_SECONDS = 300;

export async function webhookHealth(
  deps: Deps,
  opts: { windowHours?: number; limit?: number } = {},
): Promise<{ since: string; destinations: DestinationHealth[] }> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - (opts.windowHours ?? 24) * 3600_000);
  const rows = await destinationHealth(deps.db, since, Math.min(opts.limit ?? 200, 1000));
  return {
    since: since.toISOString(),
    destinations: rows.map((r) => {
      const age = r.oldest_pending_at
        ? Math.max(0, Math.floor((now.getTime() - r.oldest_pending_at.getTime()) / 1000))
        : null;
      const deferred = r.deferred_until !== null && r.deferred_until > now;
      const state: HealthState = deferred
        ? 'deferred'
        : r.consecutive_failures > 0
          ? 'failing'
          : age !== null && age > BACKLOG_ALERT_SECONDS
            ? 'backlog'
            : 'healthy';
      return {
        destination: r.destination,
        state,
        merchants: r.merchants,
        backlog: r.backlog,
        oldestPendingSeconds: age,
        failedDeliveries: r.failed,
        deliveredDeliveries: r.delivered,
        failedAttempts: r.failed_attempts,
        consecutiveFailures: r.consecutive_failures,
        deferredUntil: deferred ? r.deferred_until!.toISOString() : null,
        lastError: r.last_error
          ? `${r.last_error}${r.last_failed_status ? ` (HTTP ${r.last_failed_status}` : ''}` +
            `${r.last_failed_body ? `: ${JSON.stringify(r.last_failed_body.trim().slice(0, 120))}` : ''}` +
            `${r.last_failed_status ? ')' : ''}`
          : null,
        lastDeliveredAt: r.last_delivered_at?.toISOString() ?? null,
      };
    }),
  };
}
