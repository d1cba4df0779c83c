// The fiat payout sender's steps (issue 11, spec M2), in the order src/rails/fiat-payout/payout-rail.ts prescribes:
//   submit:  under the payout's row lock, hand the payout to its rail with the payout id as idempotency key, then
//            record the rail's reference and move the payout to 'in_flight' in the SAME transaction. A crash or a
//            timeout between the rail's answer and that commit leaves the payout 'ready': it is submitted again
//            with the same id and the rail answers the same reference, so it is paid once;
//   verdict: poll the rail by reference; succeeded → 14 (frozen → clearing + fee), failed → 15 (frozen →
//            available), each in one transaction with its webhook (src/core/payout-transitions.ts).
// A FiatPayoutRefused from submit closes the payout at 15 (nothing was or will be paid); any other error is
// transient: the payout waits RETRY_MS and is submitted again. Each payout is handled on its own.
import type { Deps } from './deps.js';
import { inTx, type Tx } from '../store/db.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';
import { CardNumber } from '../domain/card-number.js';
import { PixKey, type PixKeyType } from '../domain/pix-key.js';
import { TenderError } from '../domain/errors.js';
import { findOrder } from '../store/orders-repo.js';
import { findPayout, setPayoutStage, type PayoutRow } from '../store/payouts-repo.js';
import {
  fiatAccountOf,
  lockReadyFiatPayout,
  openSubmissions,
  readyFiatPayoutIds,
  recordSubmission,
  settleSubmission,
  submissionOf,
  touchSubmission,
  type SubmissionRow,
} from '../store/fiat-payouts-repo.js';
import {
  FiatPayoutRefused,
  type FiatPayoutChannel,
  type FiatPayoutRail,
  type FiatPayoutSubmission,
} from '../rails/fiat-payout/payout-rail.js';
import { payoutClosedInTx, payoutConfirmedInTx } from './payout-transitions.js';
import { withTimeout } from './payout-send.js';

export type FiatRails = ReadonlyMap<string, FiatPayoutRail>;

/** How long a payout waits before the sender tries again after a rail error. */
export const FIAT_RETRY_MS = 5_000;

function railOf(rails: FiatRails, id: string): FiatPayoutRail {
  const r = rails.get(id);
  if (!r) throw new Error(`no fiat payout rail ${id} on this install`);
  return r;
}

/** What the rail is given: the account opened from its sealed form into its redacting type. */
async function submissionFor(tx: Tx, deps: Deps, p: PayoutRow, now: Date): Promise<FiatPayoutSubmission> {
  const acc = await fiatAccountOf(tx, p.order_id);
  if (!acc) throw new Error(`fiat payout ${p.order_id} has no account row`);
  const text = deps.box.open(acc.account_sealed).reveal();
  const channel = acc.channel as FiatPayoutChannel;
  return {
    payoutId: p.order_id,
    channel,
    accountType: (acc.account_type as PixKeyType | null) ?? null,
    toAccount: channel === 1 ? new PixKey(acc.account_type as PixKeyType, text) : CardNumber.parse(text),
    amount: BigInt(p.received),
    currency: p.asset,
    now,
  };
}

async function submitLocked(tx: Tx, deps: Deps, rail: FiatPayoutRail, p: PayoutRow, now: Date): Promise<string> {
  const s = await submissionFor(tx, deps, p, now);
  const { ref } = await withTimeout(rail.submit(s), deps.config.payout.railTimeoutMs, 'fiat payout submit');
  await recordSubmission(tx, p.order_id, rail.id, ref, now);
  return ref;
}

/** Submits one ready payout; 'skipped' when it moved or another sender holds it. */
export async function submitFiatPayout(
  deps: Deps,
  rails: FiatRails,
  orderId: string,
): Promise<'sent' | 'closed' | 'skipped'> {
  const now = deps.clock.now();
  return inTx(deps.db, async (tx) => {
    const p = await lockReadyFiatPayout(tx, orderId, now);
    if (!p) return 'skipped';
    try {
      await submitLocked(tx, deps, railOf(rails, p.rail), p, now);
    } catch (e) {
      if (!(e instanceof FiatPayoutRefused)) throw e;
      await payoutClosedInTx(tx, deps, orderId, `payout refused by the rail: ${e.reason}`, 'payout refused');
      return 'closed';
    }
    await setPayoutStage(tx, orderId, 'in_flight', null, now);
    return 'sent';
  });
}

/** Ready payouts, each on its own; a rail error puts one aside for FIAT_RETRY_MS. Returns how many were sent. */
export async function submitReadyFiat(deps: Deps, rails: FiatRails, limit = 20): Promise<number> {
  let sent = 0;
  for (const id of await readyFiatPayoutIds(deps.db, deps.clock.now(), limit)) {
    try {
      if ((await submitFiatPayout(deps, rails, id)) === 'sent') sent++;
    } catch (e) {
      if (isDatabaseUnavailable(e)) throw e;
      deps.log.warn({ err: e, orderId: id }, 'fiat payout submit failed; retried later');
      const now = deps.clock.now();
      await inTx(deps.db, async (tx) => {
        const p = await findPayout(tx, id, 'update');
        if (p?.stage === 'ready')
          await setPayoutStage(tx, id, 'ready', 'rail_error', now, new Date(now.getTime() + FIAT_RETRY_MS));
      });
    }
  }
  return sent;
}

/** Locks the order then the payout (the order every payout transition takes), for a payout still in flight. */
async function lockInFlight(tx: Tx, orderId: string): Promise<PayoutRow | undefined> {
  await findOrder(tx, { by: 'id', id: orderId }, undefined, true);
  const p = await findPayout(tx, orderId, 'update');
  return p?.stage === 'in_flight' ? p : undefined;
}

/** Asks the rail where one submitted payout stands and moves it accordingly. */
export async function pollFiatSubmission(deps: Deps, rails: FiatRails, s: SubmissionRow): Promise<void> {
  const rail = railOf(rails, s.rail);
  const now = deps.clock.now();
  const v = await withTimeout(rail.status(s.ref, now), deps.config.payout.railTimeoutMs, 'fiat payout status');
  const id = s.payout_id;
  switch (v.state) {
    case 'pending':
      await touchSubmission(deps.db, id, now);
      return;
    case 'unknown':
      // The rail lost it (or never kept it): submitting again with the same payout id is safe by contract.
      await inTx(deps.db, async (tx) => {
        const p = await lockInFlight(tx, id);
        if (p && (await submissionOf(tx, id))?.state === 'submitted') await submitLocked(tx, deps, rail, p, now);
      });
      deps.log.warn({ orderId: id, rail: rail.id }, 'fiat payout unknown to its rail; submitted again');
      return;
    case 'succeeded':
      await inTx(deps.db, async (tx) => {
        if (!(await lockInFlight(tx, id))) return;
        if (!(await settleSubmission(tx, id, 'succeeded', null, now))) return;
        await payoutConfirmedInTx(tx, deps, id, s.ref, undefined);
      });
      return;
    case 'failed':
      await inTx(deps.db, async (tx) => {
        if (!(await lockInFlight(tx, id))) return;
        if (!(await settleSubmission(tx, id, 'failed', v.reason, now))) return;
        await payoutClosedInTx(tx, deps, id, `payout failed: ${v.reason}`, 'payout failed');
      });
      return;
  }
}

/** Every open submission, each on its own. Returns how many it looked at. */
export async function pollFiatSubmissions(deps: Deps, rails: FiatRails, limit = 50): Promise<number> {
  const open = await openSubmissions(deps.db, limit);
  for (const s of open) {
    try {
      await pollFiatSubmission(deps, rails, s);
    } catch (e) {
      if (isDatabaseUnavailable(e)) throw e;
      deps.log.warn({ err: e, orderId: s.payout_id }, 'fiat payout status failed; retried later');
      await touchSubmission(deps.db, s.payout_id, deps.clock.now()).catch(() => {});
    }
  }
  return open.length;
}

/** The submission of a payout, for the sandbox helper (which polls it at once after forcing the outcome). */
export async function fiatSubmissionOf(deps: Deps, orderId: string): Promise<SubmissionRow> {
  const s = await submissionOf(deps.db, orderId);
  if (!s) throw new TenderError('ILLEGAL_TRANSITION', 'payout is not sent yet (awaiting approval or the sender)');
  return s;
}
