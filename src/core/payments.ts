// Every order status change goes through here: state table, compare-and-set, event row, ledger entry
// and webhook outbox row, all in one transaction.
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import { assertTransition, OrderStatus } from '../domain/order-status.js';
import { type JournalEntry, orderPaymentEntry } from '../domain/ledger.js';
import { feeFor } from '../domain/money.js';
import { TenderError } from '../domain/errors.js';
import { inTx } from '../store/db.js';
import {
  casOrderStatus,
  expiredPendingIds,
  findOrder,
  lockIfStillDue,
  type StatusPatch,
} from '../store/orders-repo.js';
import { clearWorkFailure, recordWorkFailure } from '../store/work-failures-repo.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';
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
  extInfo?: string,
): Promise<Order> {
  return change(tx, deps, orderId, OrderStatus.CLOSED, reason, () => ({ remark, extInfo }));
}

/**
 * A completion whose money is not the plain payment entry (card orders: the reserve, src/core/card-payments.ts):
 * `build` makes the patch, `entry` the journal entry of the updated order, `after` writes rows beside it with the
 * entry's id. All in the caller's transaction, under the order's lock, like every other change.
 */
export interface CustomCompletion {
  build: (o: Order, feeBps: number) => StatusPatch;
  entry: (updated: Order) => JournalEntry;
  after?: (updated: Order, entryId: string) => Promise<void>;
}

export function completeOrderInTxWith(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  reason: string,
  c: CustomCompletion,
): Promise<Order> {
  return change(tx, deps, orderId, OrderStatus.COMPLETED, reason, c.build, c);
}

async function change(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  to: OrderStatus,
  reason: string,
  build: (o: Order, feeBps: number) => StatusPatch,
  custom?: CustomCompletion,
): Promise<Order> {
  const current = await findOrder(tx, { by: 'id', id: orderId }, undefined, true);
  if (!current) throw new TenderError('ORDER_NOT_FOUND');
  assertTransition(current.status, to);
  const merchant = (await findMerchant(tx, current.merchantId))!;
  const patch = build(current, merchant.fee_bps);
  const now = deps.clock.now();
  const updated = await casOrderStatus(tx, orderId, current.status, to, patch, reason, now);
  if (!updated) throw new TenderError('ILLEGAL_TRANSITION', 'order changed concurrently');
  if (to === OrderStatus.COMPLETED && custom) {
    const entryId = await postEntry(tx, custom.entry(updated), now);
    await custom.after?.(updated, entryId);
  } else if (to === OrderStatus.COMPLETED) {
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
  return inTx(deps.db, (tx) => closeOrderInTx(tx, deps, orderId, remark, reason, extInfo));
}

const EXPIRY = 'order-expiry';

/**
 * Closes pending orders whose time ran out, each in its own transaction: one order that cannot be closed
 * is recorded in work_failures and skipped until its retry time, never holding up the others. Safe to run
 * from several workers at once (an order another worker holds is skipped). Returns how many it closed or
 * set aside, so a pass that only met orders held elsewhere lets the worker wait.
 */
export async function expireDueOrders(deps: Deps, limit = 100): Promise<number> {
  const ids = await expiredPendingIds(deps.db, deps.clock.now(), EXPIRY, limit);
  let handled = 0;
  for (const id of ids) {
    try {
      await inTx(deps.db, async (tx) => {
        if (!(await lockIfStillDue(tx, id, deps.clock.now()))) return; // closed, paid or held elsewhere meanwhile
        await change(tx, deps, id, OrderStatus.CLOSED, 'expired', () => ({ remark: 'expired' }));
        await clearWorkFailure(tx, EXPIRY, id); // an earlier failure is no longer stuck work
        handled++;
      });
    } catch (e) {
      if (isDatabaseUnavailable(e)) throw e; // the whole pass stops; the worker retries it later
      deps.log.error({ err: e, orderId: id }, 'order expiry failed; skipped until its retry time');
      await recordWorkFailure(deps.db, EXPIRY, id, String((e as Error).message ?? e), deps.clock.now());
      handled++;
    }
  }
  return handled;
}
