// Webhooks are outbox rows written in the transaction of the status change they report.
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import { cpayOrderFields } from '../domain/cpay-fields.js';
import { notifies, webhookFields, type WebhookFormat } from '../domain/webhook-payload.js';
import { insertDelivery, latestDeliveries } from '../store/webhooks-repo.js';
import { findOrder } from '../store/orders-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import { inTx } from '../store/db.js';
import { TenderError } from '../domain/errors.js';
import { cinetpayNotificationFields } from './cinetpay.js';

export async function enqueueOrderWebhook(
  tx: pg.PoolClient,
  deps: Deps,
  order: Order,
  merchant: MerchantRow,
  force = false,
): Promise<string | undefined> {
  // The order's dialect decides first (CinetPay orders notify their notify_url); else the merchant's setting.
  const format: WebhookFormat = order.dialect === 'cinetpay' ? 'cinetpay' : merchant.webhook_format;
  if (!force && !notifies(format, order.status)) return undefined;
  const payload =
    format === 'cinetpay'
      ? await cinetpayNotificationFields(tx, deps, order)
      : webhookFields(format, cpayOrderFields(order, deps.assets));
  return insertDelivery(tx, {
    merchantId: order.merchantId,
    orderId: order.id,
    orderStatus: order.status,
    format,
    url: order.callbackUrl ?? merchant.callback_url,
    payload,
    at: deps.clock.now(),
    firstDelaySeconds: deps.config.webhookBackoffSeconds[0] ?? 0,
  });
}

/** Sends the order's current state again (operator action), as a new delivery with a fresh retry schedule. */
export async function resendOrderWebhook(deps: Deps, orderId: string): Promise<string> {
  return inTx(deps.db, async (tx) => {
    const order = await findOrder(tx, { by: 'id', id: orderId });
    if (!order) throw new TenderError('ORDER_NOT_FOUND');
    const merchant = (await findMerchant(tx, order.merchantId))!;
    return (await enqueueOrderWebhook(tx, deps, order, merchant, true))!;
  });
}

export { latestDeliveries };
