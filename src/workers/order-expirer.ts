// Closes pending orders whose time is up (TENDER_ORDER_TTL_SECONDS after creation).
import type { Deps } from '../core/deps.js';
import { expireDueOrders } from '../core/payments.js';
import { outageLog } from './outage-log.js';

export function startOrderExpirer(
  deps: Deps,
  pollMs = Math.max(deps.config.workerPollMs, 1000),
): { stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const failures = outageLog(deps.log, 'order expirer');
  const loop = async () => {
    if (stopped) return;
    current = expireDueOrders(deps).then(
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
