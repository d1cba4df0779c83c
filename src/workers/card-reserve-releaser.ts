// Releases card reserves whose hold period is over (src/core/card-reserves.ts), and asks the acquirer again about
// refunds it has not answered yet (src/core/card-refund-retry.ts). Safe with several workers: rows are taken with
// SKIP LOCKED, one transaction each.
import type { Deps } from '../core/deps.js';
import { releaseDueReserves } from '../core/card-reserves.js';
import { retryPendingRefunds } from '../core/card-refund-retry.js';
import { outageLog } from './outage-log.js';

export function startCardReserveReleaser(
  deps: Deps,
  pollMs = Math.max(deps.config.workerPollMs, 1000),
): { stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const failures = outageLog(deps.log, 'card reserve releaser');
  const loop = async () => {
    if (stopped) return;
    current = (async () => {
      const r = await releaseDueReserves(deps);
      const n = await retryPendingRefunds(deps);
      return r.released + n;
    })().then(
      (n) => {
        failures.succeeded();
        return n;
      },
      (e) => {
        failures.failed(e);
        return 0;
      },
    );
    const n = (await current) as number;
    if (!stopped) timer = setTimeout(loop, n > 0 ? 0 : pollMs);
  };
  timer = setTimeout(loop, 0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
