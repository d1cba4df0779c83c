import type { Deps } from '../core/deps.js';
import { startWebhookDispatcher } from './webhook-dispatcher.js';
import { startOrderExpirer } from './order-expirer.js';

export interface Workers { stop(): Promise<void> }

export function startWorkers(deps: Deps): Workers {
  const all = [startWebhookDispatcher(deps), startOrderExpirer(deps)];
  deps.log.info('workers started');
  return { async stop() { await Promise.all(all.map((w) => w.stop())); } };
}
