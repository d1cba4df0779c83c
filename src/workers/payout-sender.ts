// Sends payouts (issue 11): one loop per network, so a slow or unreachable chain never delays another. Each
// pass reconciles the network's live attempts by hash/nonce first, then signs and sends ready payouts
// (src/core/payout-send.ts). A database outage pauses the pass and is logged once (like the other workers).
import type { Deps } from '../core/deps.js';
import { reconcileLive, sendReady } from '../core/payout-send.js';
import { openPayoutRoutes, type PayoutRoute } from '../rails/payout/registry.js';
import { outageLog } from './outage-log.js';

export function startPayoutSender(
  deps: Deps,
  opts: { routes?: PayoutRoute[]; pollMs?: number } = {},
): { stop(): Promise<void> } {
  const pollMs = opts.pollMs ?? deps.config.payout.pollMs;
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();

  const loop = (r: PayoutRoute) => {
    const failures = outageLog(deps.log, 'payout sender', { network: r.network });
    const pass = async () => {
      if (stopped) return;
      let busy = 0;
      const p = (async () => {
        try {
          busy += await reconcileLive(deps, r);
          if (!stopped) busy += await sendReady(deps, r);
          failures.succeeded();
        } catch (e) {
          failures.failed(e);
        }
      })();
      running.add(p);
      await p;
      running.delete(p);
      if (stopped) return;
      // Live attempts are polled at the normal pace; a pass that sent something looks again at once.
      const t = setTimeout(
        () => {
          timers.delete(t);
          void pass();
        },
        busy > 0 ? Math.min(pollMs, 200) : pollMs,
      );
      timers.add(t);
    };
    void pass();
  };

  const opening = (opts.routes ? Promise.resolve(opts.routes) : openPayoutRoutes(deps)).then(
    (routes) => {
      if (stopped) return;
      for (const r of routes) loop(r);
      deps.log.info({ networks: routes.map((r) => r.network) }, 'payout sender started');
    },
    (e) => deps.log.error({ err: e }, 'payout sender could not open its rails'),
  );
  return {
    async stop() {
      stopped = true;
      await opening;
      for (const t of timers) clearTimeout(t);
      await Promise.all([...running]);
    },
  };
}
