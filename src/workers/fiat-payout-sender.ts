// Sends fiat payouts (issue 11, spec M2): one loop over every fiat rail. Each pass first polls the submitted
// payouts for their verdict, then submits the ready ones (src/core/fiat-payout-send.ts). Fiat payouts have a loop
// of their own, apart from the crypto sender's per-network loops, so a slow PSP never delays a chain and the
// other way round. A database outage pauses the pass and is logged once (like the other workers).
import type { Deps } from '../core/deps.js';
import { type FiatRails, pollFiatSubmissions, submitReadyFiat } from '../core/fiat-payout-send.js';
import { openFiatPayoutRails } from '../rails/fiat-payout/registry.js';
import { outageLog } from './outage-log.js';

export function startFiatPayoutSender(
  deps: Deps,
  opts: { rails?: FiatRails; pollMs?: number } = {},
): { stop(): Promise<void> } {
  const pollMs = opts.pollMs ?? deps.config.payout.pollMs;
  const rails = opts.rails ?? openFiatPayoutRails(deps);
  const failures = outageLog(deps.log, 'fiat payout sender');
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const pass = async () => {
    if (stopped) return;
    let busy = 0;
    running = (async () => {
      try {
        await pollFiatSubmissions(deps, rails);
        if (!stopped) busy += await submitReadyFiat(deps, rails);
        failures.succeeded();
      } catch (e) {
        failures.failed(e);
      }
    })();
    await running;
    if (stopped) return;
    // Open submissions are polled at the normal pace; a pass that submitted something looks again soon.
    timer = setTimeout(() => void pass(), busy > 0 ? Math.min(pollMs, 200) : pollMs);
  };
  if (rails.size > 0) {
    void pass();
    deps.log.info({ rails: [...rails.keys()] }, 'fiat payout sender started');
  }
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
