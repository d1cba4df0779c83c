// The webhooks of card refunds and chargebacks (issue 13 part 3): Tender's own event form, through the same
// outbox as status webhooks, in the transaction of the change. The order keeps its status (14), so the
// notification is the order's usual one in the merchant's format, signed the same way, plus the event fields
// (docs/refunds.md): `eventType`, `eventId`, `eventAmount`, `refundedAmount`,
// `chargebackAmount`.
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import { cpayAmount } from '../domain/cpay-fields.js';
import { findMerchant } from '../store/merchants-repo.js';
import { insertDelivery } from '../store/webhooks-repo.js';
import { formatOfOrder } from './notification-formats/index.js';

export type CardMoneyEvent = 'refund.succeeded' | 'refund.failed' | 'chargeback.recorded';

export async function enqueueCardMoneyWebhook(
  tx: pg.PoolClient,
  deps: Deps,
  order: Order,
  e: { type: CardMoneyEvent; id: string; amount: bigint; refunded: bigint; chargedBack: bigint },
): Promise<string> {
  const merchant = (await findMerchant(tx, order.merchantId))!;
  const format = formatOfOrder(order, merchant.webhook_format);
  const exponent = deps.assets.ledger(order.currency).exponent;
  const payload = {
    ...(await format.payload(tx, deps, order)),
    eventType: e.type,
    eventId: e.id,
    eventAmount: cpayAmount(e.amount, exponent),
    refundedAmount: cpayAmount(e.refunded, exponent),
    chargebackAmount: cpayAmount(e.chargedBack, exponent),
  };
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
