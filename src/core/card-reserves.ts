// The release of card reserves (issue 13 part 3, spec M7 "Money" decision): once a reserve's hold period is over
// (release_at), what chargebacks left of it moves from the merchant's frozen balance to available, as its own
// entry ('card_reserve_release'), exactly once. Each reserve is released in its own transaction under its row
// lock taken with SKIP LOCKED, so two workers never take the same row, a chargeback of the same order waits for
// (or is waited on by) the release, and one row that fails is counted, put last and retried later without
// blocking the others.
import type { Deps } from './deps.js';
import { reserveReleaseEntry } from '../domain/card-ledger.js';
import { inTx } from '../store/db.js';
import { postEntry } from '../store/ledger-repo.js';
import { countReleaseFailure, lockNextDueReserve, markReleased } from '../store/card-refunds-repo.js';

export interface ReleaseRun {
  released: number;
  failed: number;
}

/** Releases up to `limit` due reserves, one transaction each; failures are logged and counted, never thrown. */
export async function releaseDueReserves(deps: Deps, limit = 100): Promise<ReleaseRun> {
  const run: ReleaseRun = { released: 0, failed: 0 };
  const failedNow: string[] = [];
  while (run.released + run.failed < limit) {
    let orderId: string | undefined;
    try {
      const done = await inTx(deps.db, async (tx) => {
        const r = await lockNextDueReserve(tx, deps.clock.now(), failedNow);
        if (!r) return false;
        orderId = r.order_id;
        const left = BigInt(r.amount) - BigInt(r.charged_back);
        const now = deps.clock.now();
        const entryId =
          left > 0n
            ? await postEntry(
                tx,
                reserveReleaseEntry({
                  orderId: r.order_id,
                  merchantId: r.merchant_id,
                  currency: r.currency,
                  amount: left,
                }),
                now,
              )
            : null;
        if (!(await markReleased(tx, r.order_id, entryId, now))) throw new Error('reserve already released');
        return true;
      });
      if (!done) break;
      run.released++;
    } catch (e) {
      if (!orderId) throw e;
      run.failed++;
      failedNow.push(orderId);
      deps.log.error({ orderId, err: (e as Error).message }, 'card reserve release failed; retried later');
      await inTx(deps.db, (tx) => countReleaseFailure(tx, orderId!)).catch(() => undefined);
    }
  }
  return run;
}
