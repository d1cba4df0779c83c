// A payout's status changes (spec M1 "Statuses" and "Money"), each inside the caller's transaction: order
// compare-and-set with its event row, the ledger entry of the change, the payout's stage and the webhook.
//   0 → 11   broadcast (cpay-legacy notifies 11)
//   → 14     confirmed to the network's depth: frozen −total, payout clearing +received, fee revenue +fee
//   → 15     rejected, failed or never signed: frozen −total → available +total
// Fiat payouts (src/core/fiat-payout-send.ts) start at 11 and take the same → 14 and → 15.
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import { OrderStatus } from '../domain/order-status.js';
import { payoutReleaseEntry, payoutSettleEntry } from '../domain/ledger.js';
import { TenderError } from '../domain/errors.js';
import { casOrderStatus, findOrder } from '../store/orders-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import { postEntry } from '../store/ledger-repo.js';
import { findPayout, setPayoutStage, type PayoutRow } from '../store/payouts-repo.js';
import { enqueueOrderWebhook } from './webhooks.js';

/** The ledger's clearing account of payouts sent through `rail`. */
export const payoutClearing = (rail: string) => `payout-${rail}`;

async function locked(tx: pg.PoolClient, orderId: string): Promise<{ order: Order; payout: PayoutRow }> {
  const order = await findOrder(tx, { by: 'id', id: orderId }, undefined, true);
  const payout = await findPayout(tx, orderId, 'update');
  if (!order || !payout) throw new TenderError('ORDER_NOT_FOUND');
  return { order, payout };
}

async function notify(tx: pg.PoolClient, deps: Deps, order: Order): Promise<void> {
  const merchant = (await findMerchant(tx, order.merchantId))!;
  await enqueueOrderWebhook(tx, deps, order, merchant);
}

/** 0 → 11 with the transaction hash; a payout already at 11 or final is left as it is. */
export async function payoutBroadcastInTx(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  hash: string,
  wireNetwork: string,
): Promise<Order> {
  const { order, payout } = await locked(tx, orderId);
  if (order.status !== OrderStatus.PENDING) return order;
  const now = deps.clock.now();
  const updated = await casOrderStatus(
    tx,
    orderId,
    OrderStatus.PENDING,
    OrderStatus.PROCESSING,
    { hash, rail: payout.rail, network: wireNetwork },
    'payout broadcast',
    now,
  );
  if (!updated) throw new TenderError('ILLEGAL_TRANSITION', 'payout changed concurrently');
  await notify(tx, deps, updated);
  return updated;
}

/**
 * → 14: the transaction is confirmed to the network's depth (crypto), or the rail reports the payout paid (fiat:
 * `hash` is the rail's reference, no network).
 */
export async function payoutConfirmedInTx(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  hash: string,
  wireNetwork: string | undefined,
): Promise<Order> {
  const { order, payout } = await locked(tx, orderId);
  if (order.status === OrderStatus.COMPLETED) return order;
  if (order.status === OrderStatus.CLOSED) throw new TenderError('ILLEGAL_TRANSITION', 'payout is closed');
  const now = deps.clock.now();
  const updated = await casOrderStatus(
    tx,
    orderId,
    order.status,
    OrderStatus.COMPLETED,
    { hash, rail: payout.rail, network: wireNetwork },
    'payout confirmed',
    now,
  );
  if (!updated) throw new TenderError('ILLEGAL_TRANSITION', 'payout changed concurrently');
  await postEntry(
    tx,
    payoutSettleEntry({
      orderId,
      merchantId: order.merchantId,
      rail: payoutClearing(payout.rail),
      currency: order.currency,
      received: BigInt(payout.received),
      fee: BigInt(payout.fee),
    }),
    now,
  );
  await setPayoutStage(tx, orderId, 'closed', null, now);
  await notify(tx, deps, updated);
  deps.log.info({ orderId, hash }, 'payout confirmed');
  return updated;
}

/** → 15: nothing was (or ever will be) paid; the hold goes back to the merchant's available balance. */
export async function payoutClosedInTx(
  tx: pg.PoolClient,
  deps: Deps,
  orderId: string,
  remark: string,
  reason: string,
): Promise<Order> {
  const { order } = await locked(tx, orderId);
  if (order.status === OrderStatus.CLOSED) return order;
  if (order.status === OrderStatus.COMPLETED) throw new TenderError('ILLEGAL_TRANSITION', 'payout is completed');
  const now = deps.clock.now();
  const updated = await casOrderStatus(tx, orderId, order.status, OrderStatus.CLOSED, { remark }, reason, now);
  if (!updated) throw new TenderError('ILLEGAL_TRANSITION', 'payout changed concurrently');
  await postEntry(
    tx,
    payoutReleaseEntry({ orderId, merchantId: order.merchantId, currency: order.currency, total: order.amount }),
    now,
  );
  await setPayoutStage(tx, orderId, 'closed', null, now);
  await notify(tx, deps, updated);
  deps.log.info({ orderId, reason }, 'payout closed');
  return updated;
}
