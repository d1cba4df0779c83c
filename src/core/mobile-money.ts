// Mobile-money payments, as the hosted page drives them: start (operator + phone) → the order goes to
// PROCESSING while the customer confirms (OTP or approval on the phone) → COMPLETED or CLOSED. The rail
// connector decides; this keeps the attempt's state and moves the order through the core's payments.
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { MobileMoneyAttempt, MobileMoneyOutcome, MobileMoneyRail } from '../rails/rail.js';
import { TenderError, isTenderError } from '../domain/errors.js';
import { inTx } from '../store/db.js';
import { findOrder } from '../store/orders-repo.js';
import { findMobileMoney, insertMobileMoney, updateMobileMoney, type MobileMoneyRow } from '../store/cinetpay-repo.js';
import { closeOrder, completeOrder, markProcessing } from './payments.js';
import { getOrder } from './orders.js';
import { normalisePhone, operatorOf, sandboxMobileMoney } from '../rails/mobile-money/index.js';

export const MOBILE_MONEY_RAIL = 'mobile-money';

/** The connector of this installation: the sandbox one in sandbox mode; live mode has none configured yet. */
export function mobileMoneyRail(deps: Deps): MobileMoneyRail {
  if (deps.config.mode === 'sandbox') return sandboxMobileMoney;
  throw new TenderError('SANDBOX_ONLY', 'no mobile-money connector is configured');
}

export interface MobileMoneyView {
  order: Order;
  attempt: MobileMoneyRow | undefined;
  otpAttemptsLeft?: number;
}

const attemptOf = (r: MobileMoneyRow, o: Order): MobileMoneyAttempt => ({
  orderId: r.order_id,
  operator: r.operator,
  phonePrefix: r.phone_prefix,
  phone: r.phone,
  amount: o.amount,
  currency: o.currency,
  operatorId: r.operator_id,
  confirmation: r.confirmation,
  otpAttempts: r.otp_attempts,
  startedAt: r.created_at,
  deadline: r.deadline,
});

async function view(deps: Deps, orderId: string, extra: Partial<MobileMoneyView> = {}): Promise<MobileMoneyView> {
  const order = await getOrder(deps, { by: 'id', id: orderId });
  return { order, attempt: await findMobileMoney(deps.db, orderId), ...extra };
}

/** Applies a connector's verdict to the order; a verdict that lost a race to another one changes nothing. */
async function apply(deps: Deps, orderId: string, out: MobileMoneyOutcome): Promise<void> {
  if (out.kind !== 'succeeded' && out.kind !== 'failed') return;
  try {
    if (out.kind === 'succeeded')
      await completeOrder(
        deps,
        orderId,
        { rail: MOBILE_MONEY_RAIL, remark: 'mobile money payment' },
        'mobile money confirmed',
      );
    else await closeOrder(deps, orderId, out.reason, `mobile money ${out.reason}`);
  } catch (e) {
    if (isTenderError(e) && e.code === 'ILLEGAL_TRANSITION') return;
    throw e;
  }
  await updateMobileMoney(
    deps.db,
    orderId,
    out.kind === 'succeeded' ? { state: 'succeeded' } : { state: 'failed', failure: out.reason },
    deps.clock.now(),
  );
}

/** Starts the payment of a pending order: the operator asks the customer to confirm; the order is PROCESSING. */
export async function startMobileMoneyPayment(
  deps: Deps,
  orderId: string,
  input: { operator: string; phonePrefix: string; phone: string },
): Promise<MobileMoneyView> {
  const rail = mobileMoneyRail(deps);
  if (!operatorOf(input.operator)) throw new TenderError('INVALID_PARAM', 'unknown mobile-money operator');
  const { prefix, phone } = normalisePhone(input.phonePrefix, input.phone);
  const order = await getOrder(deps, { by: 'id', id: orderId });
  const now = deps.clock.now();
  if (order.status !== 0) {
    const existing = await findMobileMoney(deps.db, orderId);
    if (existing) return view(deps, orderId);
    throw new TenderError('ILLEGAL_TRANSITION', 'this payment is no longer waiting for a payment method');
  }
  if (order.expiresAt <= now) throw new TenderError('ORDER_EXPIRED');
  const init = await rail.initiate({
    orderId,
    operator: input.operator,
    phonePrefix: prefix,
    phone,
    amount: order.amount,
    currency: order.currency,
    now,
  });
  const inserted = await insertMobileMoney(deps.db, {
    order_id: orderId,
    connector: rail.id,
    operator: input.operator,
    payment_method: operatorOf(input.operator)!.paymentMethod,
    phone_prefix: prefix,
    phone,
    confirmation: init.confirmation,
    operator_id: init.operatorId,
    deadline: init.deadline,
    created_at: now,
  });
  if (!inserted) return view(deps, orderId); // a double submit: the first attempt stands
  try {
    await markProcessing(
      deps,
      orderId,
      { rail: MOBILE_MONEY_RAIL, remark: 'mobile money: waiting for the customer' },
      'mobile money confirmation step',
    );
  } catch (e) {
    await updateMobileMoney(deps.db, orderId, { state: 'failed', failure: 'order_not_pending' }, deps.clock.now());
    throw e;
  }
  return view(deps, orderId);
}

/** The customer's OTP (operators with an OTP step). Wrong codes may be retried up to the connector's limit. */
export async function submitMobileMoneyOtp(deps: Deps, orderId: string, otp: string): Promise<MobileMoneyView> {
  const rail = mobileMoneyRail(deps);
  const out = await inTx(deps.db, async (tx) => {
    const row = await findMobileMoney(tx, orderId, true);
    const order = await findOrder(tx, { by: 'id', id: orderId });
    if (!row || !order) throw new TenderError('ORDER_NOT_FOUND', 'no mobile-money payment for this order');
    if (row.state !== 'confirming' || order.status !== 11) return { kind: 'pending' } as MobileMoneyOutcome;
    const r = await rail.submitOtp(attemptOf(row, order), otp, deps.clock.now());
    if (r.kind === 'retry_otp' || (r.kind === 'failed' && r.reason === 'otp_error'))
      await updateMobileMoney(tx, orderId, { otpAttempts: row.otp_attempts + 1 }, deps.clock.now());
    return r;
  });
  await apply(deps, orderId, out);
  return view(deps, orderId, out.kind === 'retry_otp' ? { otpAttemptsLeft: out.attemptsLeft } : {});
}

/** Asks the connector for its verdict (push approvals, timeouts); the page and check call this. */
export async function pollMobileMoney(deps: Deps, orderId: string): Promise<MobileMoneyView> {
  const row = await findMobileMoney(deps.db, orderId);
  if (row?.state !== 'confirming') return view(deps, orderId);
  const order = await getOrder(deps, { by: 'id', id: orderId });
  if (order.status !== 11) return view(deps, orderId);
  const rail = mobileMoneyRail(deps);
  await apply(deps, orderId, await rail.poll(attemptOf(row, order), deps.clock.now()));
  return view(deps, orderId);
}
