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

/**
 * A mobile-money rail (issue 4): the customer picks an operator and gives a phone number with its country
 * prefix; the operator then asks for a confirmation (an OTP typed on the page, or "approve on your phone").
 * The sandbox connector (src/rails/mobile-money/index.ts) implements it; a real operator connector
 * would implement the same methods over the operator's API. The core (src/core/mobile-money.ts) keeps the
 * attempt's state and moves the order: PROCESSING at the confirmation step, then COMPLETED or CLOSED.
 */
export interface MobileMoneyOperator {
  code: string;
  name: string;
  /** How the customer confirms: an OTP typed on the page, or an approval on the phone (push). */
  confirmation: 'otp' | 'push';
  /** What CinetPay's check and notification report as payment_method. */
  paymentMethod: string;
}

export interface MobileMoneyAttempt {
  orderId: string;
  operator: string;
  phonePrefix: string;
  phone: string;
  amount: bigint;
  currency: string;
  operatorId: string;
  confirmation: 'otp' | 'push';
  otpAttempts: number;
  startedAt: Date;
  deadline: Date;
}

export type MobileMoneyOutcome =
  | { kind: 'pending' }
  | { kind: 'retry_otp'; attemptsLeft: number }
  | { kind: 'succeeded' }
  | { kind: 'failed'; reason: 'insufficient_balance' | 'otp_error' | 'customer_timeout' | 'declined' };

export interface MobileMoneyRail extends PaymentRail {
  operators(): MobileMoneyOperator[];
  /**
   * Asks the operator to collect; answers the confirmation step and the operator's reference. Must be
   * idempotent per orderId (operators key a collection by the merchant's reference): the core asks again,
   * with the same `now`, when a start was interrupted before the answer was recorded (src/core/mobile-money.ts).
   * Throw a TenderError only for a refusal that left nothing at the operator; any other error is retried.
   */
  initiate(req: {
    orderId: string;
    operator: string;
    phonePrefix: string;
    phone: string;
    amount: bigint;
    currency: string;
    now: Date;
  }): Promise<{ operatorId: string; confirmation: 'otp' | 'push'; deadline: Date }>;
  /** Checks a code; called under the attempt's row lock, so one code at a time per attempt. */
  submitOtp(a: MobileMoneyAttempt, otp: string, now: Date): Promise<MobileMoneyOutcome>;
  /** The operator's current verdict (push approvals, timeouts). */
  poll(a: MobileMoneyAttempt, now: Date): Promise<MobileMoneyOutcome>;
}
