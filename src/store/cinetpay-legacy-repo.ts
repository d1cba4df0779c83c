// SQL of CinetPay's legacy signature-form API: the per-order legacy row, and the cash desk's write-once
// addresses (notification URL on the order, return URL on its CinetPay row, cancel URL here).
import type { Tx } from './db.js';

export interface LegacyOrderRow {
  order_id: string;
  fields: string;
  trans_date: string;
  page_action: string;
  payment_config: string;
  version: string;
  cancel_url: string | null;
  desk_at: Date | null;
  created_at: Date;
}

export interface NewLegacyOrder {
  orderId: string;
  fields: string;
  transDate: string;
  pageAction: string;
  paymentConfig: string;
  version: string;
  at: Date;
}

/** Written with the order (one transaction); a replayed getSignatureByPost finds the row already there. */
export async function insertLegacyOrder(tx: Tx, o: NewLegacyOrder): Promise<void> {
  await tx.query(
    `INSERT INTO cinetpay_legacy_orders (order_id, fields, trans_date, page_action, payment_config, version, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING`,
    [o.orderId, o.fields, o.transDate, o.pageAction, o.paymentConfig, o.version, o.at],
  );
}

export async function findLegacyOrder(tx: Tx, orderId: string, forUpdate = false): Promise<LegacyOrderRow | undefined> {
  const { rows } = await tx.query<LegacyOrderRow>(
    `SELECT * FROM cinetpay_legacy_orders WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows[0];
}

/** The first cash-desk form's addresses, in the caller's transaction (the legacy row is locked by it). */
export async function setDeskAddresses(
  tx: Tx,
  o: { orderId: string; notifyUrl: string | null; returnUrl: string | null; cancelUrl: string | null; at: Date },
): Promise<void> {
  await tx.query('UPDATE cinetpay_legacy_orders SET cancel_url = $2, desk_at = $3 WHERE order_id = $1', [
    o.orderId,
    o.cancelUrl,
    o.at,
  ]);
  await tx.query('UPDATE cinetpay_orders SET notify_url = $2, return_url = $3 WHERE order_id = $1', [
    o.orderId,
    o.notifyUrl ?? '',
    o.returnUrl ?? '',
  ]);
  // The outbox sends notifications to the order's callback URL (core/webhooks.ts), the merchant's default without.
  if (o.notifyUrl) await tx.query('UPDATE orders SET callback_url = $2 WHERE id = $1', [o.orderId, o.notifyUrl]);
}

/** Whether the merchant's notification page acknowledged a notification of the order (CinetPay's cpm_ipn_ack). */
export async function notificationAcknowledged(tx: Tx, orderId: string): Promise<boolean> {
  const { rows } = await tx.query(
    "SELECT 1 FROM webhook_deliveries WHERE order_id = $1 AND state = 'delivered' LIMIT 1",
    [orderId],
  );
  return rows.length > 0;
}
