// Webhooks are outbox rows written in the transaction of the status change they report.
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import { insertDelivery, latestDeliveries } from '../store/webhooks-repo.js';
import { findOrder } from '../store/orders-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import { inTx } from '../store/db.js';
import { TenderError } from '../domain/errors.js';
import { formatOfOrder } from './notification-formats/index.js';
import { audit, SYSTEM_ACTOR, type Actor } from './audit-log.js';

export async function enqueueOrderWebhook(
  tx: pg.PoolClient,
  deps: Deps,
  order: Order,
  merchant: MerchantRow,
  force = false,
): Promise<string | undefined> {
  const format = formatOfOrder(order, merchant.webhook_format);
  if (!force && !format.notifies(order.status)) return undefined;
  const payload = await format.payload(tx, deps, order);
  return insertDelivery(tx, {
    merchantId: order.merchantId,
    orderId: order.id,
    orderStatus: order.status,
    format: format.id,
    url: order.callbackUrl ?? merchant.callback_url,
    payload,
    at: deps.clock.now(),
    firstDelaySeconds: deps.config.webhookBackoffSeconds[0] ?? 0,
  });
}

/** Sends the order's current state again (operator action), as a new delivery with a fresh retry schedule. */
export async function resendOrderWebhook(deps: Deps, orderId: string, actor: Actor = SYSTEM_ACTOR): Promise<string> {
  return inTx(deps.db, async (tx) => {
    const order = await findOrder(tx, { by: 'id', id: orderId });
    if (!order) throw new TenderError('ORDER_NOT_FOUND');
    const merchant = (await findMerchant(tx, order.merchantId))!;
    const deliveryId = (await enqueueOrderWebhook(tx, deps, order, merchant, true))!;
    await audit(tx, deps, actor, {
      action: 'order.webhook_resend',
      merchantId: order.merchantId,
      target: order.id,
      after: { deliveryId, orderStatus: order.status },
    });
    return deliveryId;
  });
}

export { latestDeliveries };
