// The sandbox helper for fiat payouts (/sandbox/orders/{orderId}/complete|fail), like the crypto one
// (src/rails/payout/sandbox-helper.ts): a submitted payout is settled by its sandbox rail at once (success, or
// a rejection by the receiver) and follows that through the sender's own verdict step, so the answer already
// shows 14 or 15 and the webhooks are those a PSP would cause. A payout not yet submitted (waiting for approval
// or the sender) can be failed (15, hold released) but not completed.
import type { Deps } from '../../core/deps.js';
import type { Order } from '../../domain/order.js';
import { TenderError } from '../../domain/errors.js';
import { inTx } from '../../store/db.js';
import { findPayout } from '../../store/payouts-repo.js';
import { findOrder } from '../../store/orders-repo.js';
import { submissionOf } from '../../store/fiat-payouts-repo.js';
import { pollFiatSubmission } from '../../core/fiat-payout-send.js';
import { payoutClosedInTx } from '../../core/payout-transitions.js';
import { forceSandboxFiatOutcome, openFiatPayoutRails } from './registry.js';

export async function settleSandboxFiatPayout(
  deps: Deps,
  orderId: string,
  outcome: 'complete' | 'fail',
): Promise<Order> {
  const payout = (await findPayout(deps.db, orderId))!;
  const submission = await submissionOf(deps.db, orderId);
  if (payout.stage === 'closed') throw new TenderError('ILLEGAL_TRANSITION', 'payout is already final');
  if (!submission) {
    if (outcome === 'complete')
      throw new TenderError('ILLEGAL_TRANSITION', 'payout is not sent yet (awaiting approval or the sender)');
    await inTx(deps.db, async (tx) => {
      const p = await findPayout(tx, orderId, 'update');
      if (p?.stage !== 'approval' && p?.stage !== 'ready')
        throw new TenderError('ILLEGAL_TRANSITION', 'payout is being sent; retry');
      await payoutClosedInTx(tx, deps, orderId, 'sandbox payout failed', 'sandbox failure');
    });
  } else {
    if (!(await forceSandboxFiatOutcome(deps, orderId, outcome)))
      throw new TenderError('ILLEGAL_TRANSITION', 'the sandbox rail has no record of this payout');
    await pollFiatSubmission(deps, openFiatPayoutRails(deps), submission);
  }
  return (await findOrder(deps.db, { by: 'id', id: orderId }))!;
}
