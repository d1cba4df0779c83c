// A worker loop's failure log that does not spam during a database outage: the first failure of an
// outage is logged once, the rest are counted, and the recovery is logged with that count. Failures
// that are not an outage (bugs, bad data) are logged every time.
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../store/unavailable.js';

export interface OutageLog {
  failed(e: unknown): void;
  succeeded(): void;
  /** True while the database is known to be unreachable (callers may wait longer between passes). */
  readonly down: boolean;
}

export function outageLog(log: Logger, worker: string, fields: Record<string, unknown> = {}): OutageLog {
  let missed = 0;
  return {
    failed(e) {
      if (!isDatabaseUnavailable(e)) {
        log.error({ err: e, ...fields }, `${worker} pass failed`);
        return;
      }
      if (missed++ === 0) log.warn({ err: e, ...fields }, `${worker}: database unavailable; pausing until it is back`);
    },
    succeeded() {
      if (missed > 0) log.info({ ...fields, failedPasses: missed }, `${worker}: database is back; resumed`);
      missed = 0;
    },
    get down() {
      return missed > 0;
    },
  };
}
