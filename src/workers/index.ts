import type { Deps } from '../core/deps.js';
import { startWebhookDispatcher } from './webhook-dispatcher.js';
import { startOrderExpirer } from './order-expirer.js';
import { startChainWatcher } from './chain-watcher.js';
import { startMobileMoneyPoller } from './mobile-money-poller.js';
import { startPayoutSender } from './payout-sender.js';
import { startFiatPayoutSender } from './fiat-payout-sender.js';
import { startCardReserveReleaser } from './card-reserve-releaser.js';
import { depositNetworks } from '../rails/crypto/networks.js';

export interface Workers {
  stop(): Promise<void>;
}

export function startWorkers(deps: Deps): Workers {
  const all = [
    startWebhookDispatcher(deps),
    startOrderExpirer(deps),
    startMobileMoneyPoller(deps),
    startPayoutSender(deps),
    startFiatPayoutSender(deps),
    startCardReserveReleaser(deps),
    ...depositNetworks(deps.config.crypto).map((n) => startChainWatcher(deps, n)),
  ];
  deps.log.info('workers started');
  return {
    async stop() {
      await Promise.all(all.map((w) => w.stop()));
    },
  };
}
