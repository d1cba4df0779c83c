// Mobile-money payments, as the hosted page drives them: start (operator + phone) → the order goes to
// PROCESSING while the customer confirms (OTP or approval on the phone) → COMPLETED or CLOSED. The rail
// connector decides; this keeps the attempt's state and moves the order through the core's payments.
//
// Every change of an attempt's state is written in the SAME transaction as the order's status change (with
// its ledger entry and webhook outbox row), under the order's row lock and then the attempt's (always in
// that order, so two use-cases never deadlock). A crash therefore leaves either both or neither.
// The one place where two transactions cannot be avoided is start: the connector must be asked between
// claiming the order and recording its answer, and a network call must not hold row locks. So start records
// the attempt as 'initiating' first, asks the connector (initiate is idempotent per order, like an operator
// API keyed by the merchant's reference), then writes its answer and PENDING → PROCESSING in one
// transaction. An attempt left 'initiating' by a crash or an error is finished by the next start of the same
// order or by the poller's recovery (recoverMobileMoney), which asks the connector again.
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { MobileMoneyAttempt, MobileMoneyOutcome, MobileMoneyRail } from '../rails/rail.js';
import { TenderError, isTenderError } from '../domain/errors.js';
import { OrderStatus } from '../domain/order-status.js';
import { inTx } from '../store/db.js';
import { findOrder } from '../store/orders-repo.js';
import {
  type AttemptPatch,
  type AttemptRow,
  type MobileMoneyRow,
  deleteInitiating,
  findAttempt,
  findMobileMoney,
  insertInitiating,
  isAccepted,
  staleInitiating,
  updateAttempt,
} from '../store/mobile-money-repo.js';
import { closeOrderInTx, completeOrderInTx, markProcessingInTx } from './payments.js';
import { getOrder } from './orders.js';
import { normalisePhone, operatorOf, sandboxMobileMoney } from '../rails/mobile-money/index.js';

export const MOBILE_MONEY_RAIL = 'mobile-money';
/** An attempt still 'initiating' after this long is taken as interrupted (far above any connector timeout). */
export const INITIATION_TIMEOUT_MS = 60_000;

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

/** Locks the order, then its attempt (the one lock order of this module). */
async function lockBoth(tx: pg.PoolClient, orderId: string): Promise<{ order: Order; row: AttemptRow } | undefined> {
  const order = await findOrder(tx, { by: 'id', id: orderId }, undefined, true);
  const row = order && (await findAttempt(tx, orderId, true));
  return order && row ? { order, row } : undefined;
}

/**
 * Writes a connector's verdict on a confirming attempt of a PROCESSING order: the order's status change and
 * the attempt's state (and OTP count) in the caller's transaction. Non-final verdicts only write the patch.
 */
async function settleInTx(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  out: MobileMoneyOutcome,
  patch: AttemptPatch = {},
): Promise<void> {
  if (out.kind === 'succeeded') {
    const s = { rail: MOBILE_MONEY_RAIL, remark: 'mobile money payment' };
    await completeOrderInTx(tx, deps, orderId, s, 'mobile money confirmed');
    patch = { ...patch, state: 'succeeded' };
  } else if (out.kind === 'failed') {
    await closeOrderInTx(tx, deps, orderId, out.reason, `mobile money ${out.reason}`);
    patch = { ...patch, state: 'failed', failure: out.reason };
  }
  if (Object.keys(patch).length > 0) await updateAttempt(tx, orderId, patch, deps.clock.now());
}

/**
 * Brings a confirming attempt and its order back in line when an older version crashed between its
 * transactions (attempt 'confirming' on an order that is PENDING, COMPLETED or CLOSED). Caller holds both locks.
 */
async function reconcileInTx(tx: pg.PoolClient, deps: Deps, order: Order, row: AttemptRow): Promise<void> {
  const now = deps.clock.now();
  if (order.status === OrderStatus.PENDING) {
    // The connector had accepted (the row has its reference): the customer is confirming.
    const s = { rail: MOBILE_MONEY_RAIL, remark: 'mobile money: waiting for the customer' };
    await markProcessingInTx(tx, deps, order.id, s, 'mobile money confirmation step (recovered)');
  } else if (order.status === OrderStatus.COMPLETED) await updateAttempt(tx, row.order_id, { state: 'succeeded' }, now);
  else if (order.status === OrderStatus.CLOSED)
    await updateAttempt(tx, row.order_id, { state: 'failed', failure: order.remark ?? 'order_closed' }, now);
}

/** Starts the payment of a pending order: the operator asks the customer to confirm; the order is PROCESSING. */
export async function startMobileMoneyPayment(
  deps: Deps,
  orderId: string,
  input: { operator: string; phonePrefix: string; phone: string },
  rail: MobileMoneyRail = mobileMoneyRail(deps),
): Promise<MobileMoneyView> {
  const op = operatorOf(input.operator);
  if (!op) throw new TenderError('INVALID_PARAM', 'unknown mobile-money operator');
  const { prefix, phone } = normalisePhone(input.phonePrefix, input.phone);
  // Step 1: claim the order for this attempt (one attempt per order; a double submit finds the first).
  const claimed = await inTx(deps.db, async (tx) => {
    const order = await findOrder(tx, { by: 'id', id: orderId }, undefined, true);
    if (!order) throw new TenderError('ORDER_NOT_FOUND');
    const existing = await findAttempt(tx, orderId);
    if (existing) return existing;
    if (order.status !== OrderStatus.PENDING)
      throw new TenderError('ILLEGAL_TRANSITION', 'this payment is no longer waiting for a payment method');
    const now = deps.clock.now();
    if (order.expiresAt <= now) throw new TenderError('ORDER_EXPIRED');
    return insertInitiating(tx, {
      order_id: orderId,
      connector: rail.id,
      operator: input.operator,
      payment_method: op.paymentMethod,
      phone_prefix: prefix,
      phone,
      created_at: now,
    });
  });
  // Steps 2 and 3 (also for a first attempt a crash or an error left initiating: the first attempt stands).
  if (claimed?.state === 'initiating') await finishInitiation(deps, orderId, rail);
  return view(deps, orderId);
}

/**
 * Asks the connector for an initiating attempt and writes its answer with the order's PENDING → PROCESSING
 * in one transaction. Idempotent and safe to run concurrently: the connector answers the same for the same
 * order, and only the first writer finds the attempt still 'initiating' under the lock.
 */
async function finishInitiation(deps: Deps, orderId: string, rail: MobileMoneyRail): Promise<void> {
  const row = await findAttempt(deps.db, orderId);
  const order = await findOrder(deps.db, { by: 'id', id: orderId });
  if (!row || !order || row.state !== 'initiating') return;
  if (order.status !== OrderStatus.PENDING) {
    // Closed (expired) or paid by other means while the start was interrupted: never ask the connector now.
    await failInitiating(deps, orderId);
    return;
  }
  let init: Awaited<ReturnType<MobileMoneyRail['initiate']>>;
  try {
    init = await rail.initiate({
      orderId,
      operator: row.operator,
      phonePrefix: row.phone_prefix,
      phone: row.phone,
      amount: order.amount,
      currency: order.currency,
      now: row.created_at,
    });
  } catch (e) {
    // A refusal (bad number, operator down for this request) leaves nothing at the operator: forget the
    // attempt so the customer can start again. Any other error may have reached it: the attempt stays
    // 'initiating' and a later start or the recovery asks again.
    if (isTenderError(e)) await inTx(deps.db, (tx) => deleteInitiating(tx, orderId));
    throw e;
  }
  const accepted = { confirmation: init.confirmation, operatorId: init.operatorId, deadline: init.deadline };
  await inTx(deps.db, async (tx) => {
    const both = await lockBoth(tx, orderId);
    if (both?.row.state !== 'initiating') return;
    const now = deps.clock.now();
    if (both.order.status !== OrderStatus.PENDING) {
      await updateAttempt(tx, orderId, { state: 'failed', failure: 'order_not_pending', accepted }, now);
      return;
    }
    await updateAttempt(tx, orderId, { state: 'confirming', accepted }, now);
    const s = { rail: MOBILE_MONEY_RAIL, remark: 'mobile money: waiting for the customer' };
    await markProcessingInTx(tx, deps, orderId, s, 'mobile money confirmation step');
  });
}

async function failInitiating(deps: Deps, orderId: string): Promise<void> {
  await inTx(deps.db, async (tx) => {
    const both = await lockBoth(tx, orderId);
    if (both?.row.state === 'initiating' && both.order.status !== OrderStatus.PENDING)
      await updateAttempt(tx, orderId, { state: 'failed', failure: 'order_not_pending' }, deps.clock.now());
  });
}

/**
 * The customer's OTP (operators with an OTP step). Wrong codes may be retried up to the connector's limit.
 * The connector's check, the attempt count and the verdict's effects are one transaction under the locks, so
 * concurrent submissions are checked one after another, each seeing the count the previous one wrote, and
 * none can be checked between the last wrong code and the failure it causes.
 */
export async function submitMobileMoneyOtp(
  deps: Deps,
  orderId: string,
  otp: string,
  rail: MobileMoneyRail = mobileMoneyRail(deps),
): Promise<MobileMoneyView> {
  const out = await inTx(deps.db, async (tx): Promise<MobileMoneyOutcome> => {
    const both = await lockBoth(tx, orderId);
    if (!both) throw new TenderError('ORDER_NOT_FOUND', 'no mobile-money payment for this order');
    const { order, row } = both;
    if (row.state !== 'confirming' || !isAccepted(row) || order.status !== OrderStatus.PROCESSING)
      return { kind: 'pending' };
    const r = await rail.submitOtp(attemptOf(row, order), otp, deps.clock.now());
    const counted = r.kind === 'retry_otp' || (r.kind === 'failed' && r.reason === 'otp_error');
    await settleInTx(tx, deps, orderId, r, counted ? { otpAttempts: row.otp_attempts + 1 } : {});
    return r;
  });
  return view(deps, orderId, out.kind === 'retry_otp' ? { otpAttemptsLeft: out.attemptsLeft } : {});
}

/**
 * Asks the connector for its verdict (push approvals, timeouts); the page, check and poller call this.
 * The connector is asked without holding locks (its verdicts are final once given); the verdict is then
 * written in one transaction only if the attempt is still confirming on a PROCESSING order.
 */
export async function pollMobileMoney(deps: Deps, orderId: string, rail?: MobileMoneyRail): Promise<MobileMoneyView> {
  const row = await findAttempt(deps.db, orderId);
  if (row?.state !== 'confirming' || !isAccepted(row)) return view(deps, orderId);
  const order = await getOrder(deps, { by: 'id', id: orderId });
  if (order.status !== OrderStatus.PROCESSING) {
    await inTx(deps.db, async (tx) => {
      const both = await lockBoth(tx, orderId);
      if (both?.row.state === 'confirming' && both.order.status !== OrderStatus.PROCESSING)
        await reconcileInTx(tx, deps, both.order, both.row);
    });
    return view(deps, orderId);
  }
  const out = await (rail ?? mobileMoneyRail(deps)).poll(attemptOf(row, order), deps.clock.now());
  if (out.kind === 'succeeded' || out.kind === 'failed')
    await inTx(deps.db, async (tx) => {
      const both = await lockBoth(tx, orderId);
      if (both?.row.state === 'confirming' && both.order.status === OrderStatus.PROCESSING)
        await settleInTx(tx, deps, orderId, out);
    });
  return view(deps, orderId);
}

/**
 * Finishes starts interrupted before the connector's answer was recorded (the poller runs this). Takes up to
 * `limit` after the order id `after`, so a caller can walk them in rounds; answers the ids it took.
 */
export async function recoverMobileMoney(
  deps: Deps,
  limit = 50,
  rail?: MobileMoneyRail,
  after = '',
): Promise<string[]> {
  const olderThan = new Date(deps.clock.now().getTime() - INITIATION_TIMEOUT_MS);
  const ids = await staleInitiating(deps.db, olderThan, limit, after);
  for (const id of ids)
    await finishInitiation(deps, id, rail ?? mobileMoneyRail(deps)).catch((e) =>
      deps.log.warn({ err: e, orderId: id }, 'mobile-money start recovery failed'),
    );
  return ids;
}
