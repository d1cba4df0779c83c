// Every order status change goes through here: state table, compare-and-set, event row, ledger entry
// and webhook outbox row, all in one transaction.
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import { assertTransition, OrderStatus } from '../domain/order-status.js';
import { orderPaymentEntry } from '../domain/ledger.js';
import { feeFor } from '../domain/money.js';
import { TenderError } from '../domain/errors.js';
import { inTx } from '../store/db.js';
import { casOrderStatus, findOrder, lockExpiredPending, type StatusPatch } from '../store/orders-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import { postEntry } from '../store/ledger-repo.js';
import { enqueueOrderWebhook } from './webhooks.js';

// The status changes inside a caller's transaction, for use-cases that write their own rows in the same
// transaction as the order's change (e.g. a mobile-money attempt's state: src/core/mobile-money.ts).

export function markProcessingInTx(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  s: Settlement,
  reason: string,
): Promise<Order> {
  return change(tx, deps, orderId, OrderStatus.PROCESSING, reason, () => ({
    rail: s.rail,
    network: s.network,
    hash: s.hash,
    remark: s.remark,
    extInfo: s.extInfo,
    paidAmount: s.paidAmount,
  }));
}

export function completeOrderInTx(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  s: Settlement,
  reason: string,
): Promise<Order> {
  return change(tx, deps, orderId, OrderStatus.COMPLETED, reason, (o, feeBps) => {
    const paid = s.paidAmount ?? o.amount;
    const fee = feeFor(paid, feeBps);
    return {
      rail: s.rail,
      paidAmount: paid,
      fee,
      receivedAmount: paid - fee,
      network: s.network,
      hash: s.hash,
      remark: s.remark,
      extInfo: s.extInfo,
    };
  });
}

export function closeOrderInTx(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  remark: string,
  reason: string,
): Promise<Order> {
  return change(tx, deps, orderId, OrderStatus.CLOSED, reason, () => ({ remark }));
}

async function change(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  to: OrderStatus,
  reason: string,
  build: (o: Order, feeBps: number) => StatusPatch,
): Promise<Order> {
  const current = await findOrder(tx, { by: 'id', id: orderId }, undefined, true);
  if (!current) throw new TenderError('ORDER_NOT_FOUND');
  assertTransition(current.status, to);
  const merchant = (await findMerchant(tx, current.merchantId))!;
  const patch = build(current, merchant.fee_bps);
  const now = deps.clock.now();
  const updated = await casOrderStatus(tx, orderId, current.status, to, patch, reason, now);
  if (!updated) throw new TenderError('ILLEGAL_TRANSITION', 'order changed concurrently');
  if (to === OrderStatus.COMPLETED) {
    await postEntry(
      tx,
      orderPaymentEntry({
        orderId,
        merchantId: updated.merchantId,
        rail: updated.rail ?? 'unknown',
        currency: updated.currency,
        gross: updated.paidAmount!,
        fee: updated.fee!,
      }),
      now,
    );
  }
  await enqueueOrderWebhook(tx, deps, updated, merchant);
  deps.log.info({ orderId, from: current.status, to, reason }, 'order status changed');
  return updated;
}

export interface Settlement {
  rail: string;
  paidAmount?: bigint;
  network?: string;
  hash?: string;
  remark?: string;
  extInfo?: string;
}

/** PENDING → PROCESSING: a payment is under way (e.g. a deposit seen but not yet confirmed). */
export function markProcessing(deps: Deps, orderId: string, s: Settlement, reason = 'payment seen'): Promise<Order> {
  return inTx(deps.db, (tx) => markProcessingInTx(tx, deps, orderId, s, reason));
}

/** → COMPLETED: the money arrived. Fee per the merchant's rate; ledger entry in the same transaction. */
export function completeOrder(
  deps: Deps,
  orderId: string,
  s: Settlement,
  reason = 'payment confirmed',
): Promise<Order> {
  return inTx(deps.db, (tx) => completeOrderInTx(tx, deps, orderId, s, reason));
}

/** → CLOSED: rejected, failed or expired. */
export function closeOrder(
  deps: Deps,
  orderId: string,
  remark: string,
  reason = 'payment failed',
  extInfo?: string,
): Promise<Order> {
  return inTx(deps.db, (tx) => change(tx, deps, orderId, OrderStatus.CLOSED, reason, () => ({ remark, extInfo })));
}

/** Closes pending orders whose time ran out; safe to run from several workers at once. */
export async function expireDueOrders(deps: Deps, limit = 100): Promise<number> {
  return inTx(deps.db, async (tx) => {
    const ids = await lockExpiredPending(tx, deps.clock.now(), limit);
    for (const id of ids) await change(tx, deps, id, OrderStatus.CLOSED, 'expired', () => ({ remark: 'expired' }));
    return ids.length;
  });
}
