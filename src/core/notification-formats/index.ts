// The one registry of notification formats the outbox builds payloads through. A new dialect with its own
// notifications adds a file here; core/webhooks.ts never names a dialect.
import type { Order } from '../../domain/order.js';
import type { WebhookFormat } from '../../domain/webhook-payload.js';
import type { NotificationFormat } from './format.js';
import { cpay, cpayLegacy } from './cpay.js';
import { cinetpay } from './cinetpay.js';

const FORMATS: readonly NotificationFormat[] = [cpay, cpayLegacy, cinetpay];

export function notificationFormat(id: WebhookFormat): NotificationFormat {
  const f = FORMATS.find((x) => x.id === id);
  if (!f) throw new Error(`unknown notification format ${id}`);
  return f;
}

/** The order's dialect decides when it has a format of its own; otherwise the merchant's setting. */
export function formatOfOrder(order: Pick<Order, 'dialect'>, merchantFormat: WebhookFormat): NotificationFormat {
  return FORMATS.find((x) => x.dialect === order.dialect) ?? notificationFormat(merchantFormat);
}

export type { NotificationFormat, NotificationPayload } from './format.js';
