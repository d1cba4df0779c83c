// Asks the mobile-money rail about payments still waiting for the customer, so an approval on the phone
// or a timeout completes or fails the order (and notifies the merchant) even when nobody watches the page.
// Each pass first recovers starts interrupted before the connector's answer was recorded (attempts left
// 'initiating'); polling a confirming attempt also repairs one whose order is not PROCESSING.
import type { Deps } from '../core/deps.js';
import { pollMobileMoney, recoverMobileMoney } from '../core/mobile-money.js';
import { confirmingMobileMoney } from '../store/mobile-money-repo.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';
import { outageLog } from './outage-log.js';

const BATCH = 50;

export function startMobileMoneyPoller(
  deps: Deps,
  pollMs = Math.max(deps.config.workerPollMs, 1000),
): { runOnce(): Promise<number>; stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const failures = outageLog(deps.log, 'mobile-money poller');
  // Rounds over order ids: each pass continues after the last id the previous one took and starts over when
  // it reaches the end, so payments still pending (or a start the connector keeps failing) cannot keep the
  // others out of the batch.
  let recoverAfter = '';
  let pollAfter = '';
  const runOnce = async () => {
    const recovered = await recoverMobileMoney(deps, BATCH, undefined, recoverAfter);
    recoverAfter = recovered.length < BATCH ? '' : recovered.at(-1)!;
    const ids = await confirmingMobileMoney(deps.db, BATCH, pollAfter);
    pollAfter = ids.length < BATCH ? '' : ids.at(-1)!;
    for (const id of ids) {
      // Each poll is its own transaction and idempotent; one failure must not stop the others.
      await pollMobileMoney(deps, id).catch((e) => {
        if (isDatabaseUnavailable(e)) throw e; // the pass stops; the outage is logged once below
        deps.log.warn({ err: e, orderId: id }, 'mobile-money poll failed');
      });
    }
    return recovered.length + ids.length;
  };
  const loop = async () => {
    if (stopped) return;
    current = runOnce().then(
      () => failures.succeeded(),
      (e) => failures.failed(e),
    );
    await current;
    if (!stopped) timer = setTimeout(loop, pollMs);
  };
  timer = setTimeout(loop, 0);
  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
