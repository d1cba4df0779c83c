// Refunds of card orders (issue 13 part 3, spec M7 "Money" decision, docs/refunds.md): full or partial,
// asked by the merchant (portal) or an operator (API, console, CLI), never above what was captured, idempotent per
// (merchant, refundKey).
//
// A refund is accepted in ONE transaction under the lock of the order's card row, which serialises every refund
// and chargeback of the order: the cap (captured − pending and succeeded refunds − chargebacks) is checked there,
// the amount is held (available → frozen, its own entry) and the refund row is written 'pending'. The acquirer
// is then asked with no lock held, with the refund id as its idempotency key. Its answer moves the money in a
// second transaction: refunded → frozen leaves through the card rail; refused → the hold goes back to available.
// No answer (a timeout, an error) leaves the refund pending with nothing moved out of Tender: the retry worker
// (src/workers/card-refund-retrier.ts) asks again with the same id until the acquirer answers, which the
// acquirer's idempotency makes safe. Tender's fee is not given back (docs/refunds.md).
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import { TenderError, isTenderError } from '../domain/errors.js';
import { OrderStatus } from '../domain/order-status.js';
import { parseDecimal } from '../domain/money.js';
import { refundHoldEntry, refundReleaseEntry, refundSettleEntry } from '../domain/card-ledger.js';
import { inTx } from '../store/db.js';
import { postEntry } from '../store/ledger-repo.js';
import { findOrder } from '../store/orders-repo.js';
import { findCardPayment } from '../store/card-repo.js';
import {
  type RefundRow,
  deferRefund,
  findRefund,
  finishRefundRow,
  insertRefund,
  refundByKey,
  refundedSucceeded,
  takenFromOrder,
} from '../store/card-refunds-repo.js';
import { AcquirerRefused } from '../rails/card/acquirer.js';
import { cardAcquirer } from '../rails/card/registry.js';
import { audit, type Actor } from './audit-log.js';
import { enqueueCardMoneyWebhook } from './card-money-webhook.js';
import { CARD_RAIL } from './card-payments.js';

/** Who asks: the merchant through the portal, or an operator (audited). */
export type Requester = { kind: 'merchant'; merchantId: string } | Actor;

export interface RefundInput {
  orderId: string;
  /** Decimal text in the order's currency. */
  amount: string;
  refundKey: string;
  reason?: string;
}

export interface RefundView {
  refundId: string;
  orderId: string;
  refundKey: string;
  state: 'pending' | 'succeeded' | 'failed';
  currency: string;
  amount: string;
  reason: string;
  failure: string | null;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
}

export const KEY = /^[A-Za-z0-9_.:-]{1,64}$/;
const PRINTABLE = /^[^\p{Cc}]{0,200}$/u;
/** Retry schedule of a refund the acquirer did not answer (seconds), then every last step. */
const RETRY_SECONDS = [30, 120, 600, 3600];

export function requesterName(r: Requester): string {
  switch (r.kind) {
    case 'merchant':
      return 'merchant';
    case 'operator':
      return `operator:${r.operatorId}`;
    default:
      return r.kind;
  }
}

export function refundView(deps: Deps, r: RefundRow): RefundView {
  const exponent = deps.assets.ledger(r.currency).exponent;
  return {
    refundId: r.id,
    orderId: r.order_id,
    refundKey: r.refund_key,
    state: r.state,
    currency: r.currency,
    amount: formatAmount(BigInt(r.amount), exponent),
    reason: r.reason,
    failure: r.failure,
    requestedBy: r.requested_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function formatAmount(v: bigint, exponent: number): string {
  if (exponent === 0) return v.toString();
  const s = v.toString().padStart(exponent + 1, '0');
  return `${s.slice(0, -exponent)}.${s.slice(-exponent)}`;
}

export function checkedReason(reason: string | undefined): string {
  const r = (reason ?? '').trim();
  if (!PRINTABLE.test(r)) throw new TenderError('CARD_REASON_INVALID');
  return r;
}

export function amountIn(
  deps: Deps,
  currency: string,
  text: string,
  code: 'CARD_REFUND_AMOUNT_INVALID' | 'CARD_CHARGEBACK_AMOUNT_INVALID',
): bigint {
  let v: bigint;
  try {
    v = parseDecimal(String(text ?? '').trim(), deps.assets.ledger(currency).exponent);
  } catch {
    throw new TenderError(code);
  }
  if (v <= 0n) throw new TenderError(code);
  return v;
}

/** The order and its card row, locked: the one lock every refund and chargeback of the order takes first. */
export async function lockCardOrder(
  tx: pg.PoolClient,
  orderId: string,
  merchantId: string | undefined,
): Promise<{ order: Order; acquirerRef: string | null; state: string }> {
  const card = await findCardPayment(tx, orderId, true);
  const order = card ? await findOrder(tx, { by: 'id', id: orderId }) : undefined;
  // Another merchant's order is "not found", never "not yours".
  if (!card || !order || (merchantId !== undefined && order.merchantId !== merchantId))
    throw new TenderError('ORDER_NOT_FOUND');
  return { order, acquirerRef: card.acquirer_ref, state: card.state };
}

/**
 * Accepts a refund (or answers the one already accepted under this key) and asks the acquirer. Answers the refund
 * as it stands: 'succeeded', 'pending' (the acquirer did not answer: retried by the worker), or throws
 * CARD_REFUND_REFUSED when the acquirer refused it (the refund row stays, 'failed').
 */
export async function requestRefund(deps: Deps, who: Requester, input: RefundInput): Promise<RefundView> {
  const refundKey = String(input.refundKey ?? '');
  if (!KEY.test(refundKey)) throw new TenderError('CARD_REFUND_KEY_INVALID');
  const reason = checkedReason(input.reason);
  const merchantScope = who.kind === 'merchant' ? who.merchantId : undefined;
  let accepted: { row: RefundRow; fresh: boolean };
  try {
    accepted = await inTx(deps.db, async (tx) => {
      const { order, acquirerRef, state } = await lockCardOrder(tx, input.orderId, merchantScope);
      const amount = amountIn(deps, order.currency, input.amount, 'CARD_REFUND_AMOUNT_INVALID');
      const earlier = await refundByKey(tx, order.merchantId, refundKey);
      if (earlier) {
        if (earlier.order_id !== order.id || BigInt(earlier.amount) !== amount || earlier.reason !== reason)
          throw new TenderError('CARD_REFUND_KEY_REUSED');
        return { row: earlier, fresh: false };
      }
      if (order.status !== OrderStatus.COMPLETED || state !== 'captured' || !acquirerRef)
        throw new TenderError('CARD_REFUND_NOT_REFUNDABLE');
      const taken = await takenFromOrder(tx, order.id);
      if (taken.refunds + taken.chargebacks + amount > order.amount)
        throw new TenderError('CARD_REFUND_EXCEEDS_CAPTURED');
      const id = `rf_${deps.ids.token(12)}`;
      const now = deps.clock.now();
      const holdEntryId = await postEntry(
        tx,
        refundHoldEntry({
          orderId: order.id,
          merchantId: order.merchantId,
          currency: order.currency,
          refundId: id,
          amount,
        }),
        now,
      );
      await insertRefund(
        tx,
        {
          id,
          order_id: order.id,
          merchant_id: order.merchantId,
          currency: order.currency,
          amount,
          refund_key: refundKey,
          reason,
          requested_by: requesterName(who),
          hold_entry_id: holdEntryId,
        },
        now,
      );
      if (who.kind !== 'merchant')
        await audit(tx, deps, who, {
          action: 'card.refund',
          merchantId: order.merchantId,
          target: order.id,
          after: { refundId: id, amount: input.amount, currency: order.currency, refundKey, reason },
        });
      return { row: (await findRefund(tx, id))!, fresh: true };
    });
  } catch (e) {
    // The floor under merchant balances (migration 013): the hold would take available below zero.
    if (isTenderError(e) && e.code === 'INSUFFICIENT_BALANCE')
      throw new TenderError('CARD_REFUND_INSUFFICIENT_BALANCE');
    // The same key raced in for another order of the merchant (orders lock apart): the key's unique index.
    if ((e as { code?: string }).code === '23505') throw new TenderError('CARD_REFUND_KEY_REUSED');
    throw e;
  }
  let row = accepted.row;
  if (accepted.fresh) row = await askAcquirer(deps, row);
  if (row.state === 'failed') throw new TenderError('CARD_REFUND_REFUSED', `the acquirer refused: ${row.failure}`);
  return refundView(deps, row);
}

/**
 * Asks the acquirer about a pending refund and records its answer. A timeout or any other failure to get an
 * answer only schedules the next attempt. Answers the refund as it is afterwards.
 */
export async function askAcquirer(deps: Deps, row: RefundRow): Promise<RefundRow> {
  const card = await findCardPayment(deps.db, row.order_id);
  let answer: { ok: true } | { ok: false; reason: string } | undefined;
  try {
    await cardAcquirer(deps).refund(card!.acquirer_ref!, BigInt(row.amount), row.id);
    answer = { ok: true };
  } catch (e) {
    if (e instanceof AcquirerRefused) answer = { ok: false, reason: e.reason };
    else deps.log.warn({ refundId: row.id, err: (e as Error).message }, 'card refund: no answer from the acquirer');
  }
  if (answer) await finishRefund(deps, row.id, answer);
  else {
    const delay = RETRY_SECONDS[Math.min(row.attempts, RETRY_SECONDS.length - 1)]!;
    const now = deps.clock.now();
    await inTx(deps.db, (tx) => deferRefund(tx, row.id, new Date(now.getTime() + delay * 1000), now));
  }
  return (await findRefund(deps.db, row.id))!;
}

/** pending → succeeded | failed with its entry and webhook; a refund already finished is left as it is. */
async function finishRefund(
  deps: Deps,
  refundId: string,
  answer: { ok: true } | { ok: false; reason: string },
): Promise<void> {
  await inTx(deps.db, async (tx) => {
    const r = await findRefund(tx, refundId, true);
    if (r?.state !== 'pending') return;
    const order = (await findOrder(tx, { by: 'id', id: r.order_id }))!;
    const amount = BigInt(r.amount);
    const w = { orderId: r.order_id, merchantId: r.merchant_id, currency: r.currency, refundId: r.id, amount };
    const now = deps.clock.now();
    const entryId = await postEntry(
      tx,
      answer.ok ? refundSettleEntry({ ...w, rail: CARD_RAIL }) : refundReleaseEntry(w),
      now,
    );
    await finishRefundRow(tx, r.id, answer.ok ? 'succeeded' : 'failed', entryId, answer.ok ? null : answer.reason, now);
    const taken = await takenFromOrder(tx, r.order_id);
    await enqueueCardMoneyWebhook(tx, deps, order, {
      type: answer.ok ? 'refund.succeeded' : 'refund.failed',
      id: r.id,
      amount,
      refunded: await refundedSucceeded(tx, r.order_id),
      chargedBack: taken.chargebacks,
    });
  });
}
