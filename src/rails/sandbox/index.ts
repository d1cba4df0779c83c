// The sandbox rail: no money moves; a tester decides the outcome. Exists only in TENDER_MODE=sandbox.
import type { PaymentRail } from '../rail.js';
import type { Deps } from '../../core/deps.js';
import type { Order } from '../../domain/order.js';
import { closeOrder, completeOrder } from '../../core/payments.js';
import { cardPaymentOf, settleSandboxCard } from '../../core/card-payments.js';

export const sandboxRail: PaymentRail = {
  id: 'sandbox',
  supports: (deps) => deps.config.mode === 'sandbox',
  checkout: () => ({ title: 'Sandbox test payment', testButtons: true }),
};

export type SandboxOutcome = 'pay' | 'fail';

export async function settleSandbox(deps: Deps, orderId: string, outcome: SandboxOutcome): Promise<Order> {
  // A card order settles as a card payment would (its card row, reserve and all: src/core/card-payments.ts).
  if (await cardPaymentOf(deps, orderId)) return settleSandboxCard(deps, orderId, outcome);
  return outcome === 'pay'
    ? completeOrder(deps, orderId, { rail: sandboxRail.id, remark: 'sandbox payment' }, 'sandbox payment')
    : closeOrder(deps, orderId, 'sandbox payment failed', 'sandbox failure');
}
