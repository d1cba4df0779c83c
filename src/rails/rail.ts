// The interface every payment rail implements. The hosted page asks the rail what to show; the rail
// reports outcomes back through the core's payment use-cases (markProcessing / completeOrder / closeOrder).
import type { Order } from '../domain/order.js';
import type { Deps } from '../core/deps.js';

export interface RailCheckout {
  /** Short label shown to the customer. */
  title: string;
  /** Whether the page offers the sandbox's "Pay" / "Fail" test buttons. */
  testButtons: boolean;
}

export interface PaymentRail {
  readonly id: string;
  /** Offered for this order? (currency, mode, configuration) */
  supports(deps: Deps, order: Order): boolean;
  checkout(deps: Deps, order: Order): RailCheckout;
}
