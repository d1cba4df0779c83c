// The sandbox helper for payouts (/sandbox/orders/{orderId}/complete|fail): the pretend chain confirms or
// fails the payout's transaction at once, and the payout follows it through the sender's own reconcile step
// (so the answer already shows 14 or 15, and the webhooks are those a live chain would cause). A payout not
// yet sent (waiting for approval or the sender) can be failed (15, hold released) but not completed.
import type { Deps } from '../../core/deps.js';
import type { Order } from '../../domain/order.js';
import { TenderError } from '../../domain/errors.js';
import { inTx } from '../../store/db.js';
import { attemptsOf, findPayout } from '../../store/payouts-repo.js';
import { findOrder } from '../../store/orders-repo.js';
import { reconcileAttempt } from '../../core/payout-send.js';
import { payoutClosedInTx } from '../../core/payout-transitions.js';
import { NETWORKS, type NetworkKey } from '../crypto/networks.js';
import { sandboxRailOf } from './registry.js';
import { settleSandboxFiatPayout } from '../fiat-payout/sandbox-helper.js';

export async function isPayout(deps: Deps, orderId: string): Promise<boolean> {
  return (await findPayout(deps.db, orderId)) !== undefined;
}

export async function settleSandboxPayout(deps: Deps, orderId: string, outcome: 'complete' | 'fail'): Promise<Order> {
  const payout = (await findPayout(deps.db, orderId))!;
  if (payout.kind === 'fiat') return settleSandboxFiatPayout(deps, orderId, outcome);
  const live = (await attemptsOf(deps.db, orderId)).find((a) => a.state === 'signed' || a.state === 'broadcast');
  if (!live) {
    if (payout.stage === 'closed') throw new TenderError('ILLEGAL_TRANSITION', 'payout is already final');
    if (outcome === 'complete')
      throw new TenderError('ILLEGAL_TRANSITION', 'payout is not sent yet (awaiting approval or the sender)');
    await inTx(deps.db, async (tx) => {
      const p = await findPayout(tx, orderId, 'update');
      if (p?.stage !== 'approval' && p?.stage !== 'ready')
        throw new TenderError('ILLEGAL_TRANSITION', 'payout is being sent; retry');
      await payoutClosedInTx(tx, deps, orderId, 'sandbox payout failed', 'sandbox failure');
    });
  } else {
    const network = live.network as NetworkKey;
    const def = NETWORKS.find((n) => n.key === network)!;
    const rail = sandboxRailOf(deps);
    // The same bytes the sender stored: make sure the pretend chain has them, then settle them.
    await rail.broadcast(network, { txHash: live.tx_hash, raw: live.raw, detail: live.detail });
    await rail.settle(network, live.tx_hash, outcome);
    await reconcileAttempt(deps, { rail, network, wire: def.name, depth: 1 }, live);
  }
  return (await findOrder(deps.db, { by: 'id', id: orderId }))!;
}
