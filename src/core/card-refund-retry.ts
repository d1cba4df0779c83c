// Pending card refunds the acquirer did not answer (a timeout, an outage): asked again with the same refund id
// (the acquirer's idempotency key) on a widening schedule until it answers, refunded or refused (card-refunds.ts).
// Claims are SKIP LOCKED and push the next attempt by a lease, so two workers never ask about one refund at once.
import type { Deps } from './deps.js';
import { inTx } from '../store/db.js';
import { claimDueRefunds } from '../store/card-refunds-repo.js';
import { askAcquirer } from './card-refunds.js';

const LEASE_MS = 60_000;

/** Asks about up to `limit` due refunds; answers how many got an answer. One refund's failure never stops others. */
export async function retryPendingRefunds(deps: Deps, limit = 50): Promise<number> {
  const now = deps.clock.now();
  const due = await inTx(deps.db, (tx) => claimDueRefunds(tx, now, new Date(now.getTime() + LEASE_MS), limit));
  let answered = 0;
  for (const r of due) {
    try {
      if ((await askAcquirer(deps, r)).state !== 'pending') answered++;
    } catch (e) {
      deps.log.error({ refundId: r.id, err: (e as Error).message }, 'card refund retry failed');
    }
  }
  return answered;
}
