// CinetPay notifications (shared/spec/cinetpay.md): status-less fields of the order and its CinetPay row.
import type pg from 'pg';
import type { Deps } from '../deps.js';
import type { Order } from '../../domain/order.js';
import { cinetpayDate, type NotificationFields } from '../../domain/cinetpay.js';
import { notifies } from '../../domain/webhook-payload.js';
import { formatMinor } from '../../domain/money.js';
import { findCinetpayOrder } from '../../store/cinetpay-repo.js';
import { findMobileMoney } from '../../store/mobile-money-repo.js';
import { findLegacyOrder } from '../../store/cinetpay-legacy-repo.js';
import { notifySecretOf } from '../cinetpay-sites.js';
import type { NotificationFormat } from './format.js';

/** How the customer paid, as CinetPay names it: the mobile-money operator, VISAM for cards, or nothing yet. */
export async function cinetpayPaymentMethod(
  tx: pg.PoolClient | Deps['db'],
  order: Order,
): Promise<{ paymentMethod: string; operatorId: string; phone: string; phonePrefix: string }> {
  const mm = await findMobileMoney(tx, order.id);
  if (mm) {
    return {
      paymentMethod: mm.payment_method,
      operatorId: mm.operator_id,
      phone: mm.phone,
      phonePrefix: mm.phone_prefix,
    };
  }
  // Card payments (sandbox card outcome): CinetPay reports Visa/Mastercard as VISAM.
  const card = order.rail !== null && order.status !== 0;
  return { paymentMethod: card ? 'VISAM' : '', operatorId: card ? order.id : '', phone: '', phonePrefix: '' };
}

/** cp:<site_id>:<transaction_id>, the merchantTradeNo of every CinetPay order (core/cinetpay.ts tradeNoOf). */
function idsOfTradeNo(tradeNo: string): { siteId: string; transactionId: string } {
  const m = /^cp:([0-9]+):(.*)$/s.exec(tradeNo);
  return { siteId: m?.[1] ?? '', transactionId: m?.[2] ?? tradeNo };
}

export const cinetpay: NotificationFormat = {
  id: 'cinetpay',
  dialect: 'cinetpay',
  notifies: (status) => notifies('cinetpay', status),
  // The site's current notification secret (x-token).
  signingKey: (deps, d) => notifySecretOf(deps, String(d.payload.cpm_site_id)),
  async payload(tx, deps, order): Promise<NotificationFields> {
    // The dialect row is written with the order (one transaction); the fallback only keeps a notification
    // possible for an order whose row was lost, instead of blocking its status change.
    const extra = await findCinetpayOrder(tx, order.id);
    const ids = extra
      ? { siteId: extra.site_id, transactionId: extra.transaction_id }
      : idsOfTradeNo(order.merchantTradeNo);
    const v = await cinetpayPaymentMethod(tx, order);
    // An order of the legacy signature-form API (docs/cinetpay-legacy.md) echoes what its signature bound.
    const legacy = await findLegacyOrder(tx, order.id);
    return {
      cpm_site_id: ids.siteId,
      cpm_trans_id: ids.transactionId,
      cpm_trans_date: legacy?.trans_date ?? cinetpayDate(order.createdAt),
      cpm_amount: formatMinor(order.amount, deps.assets.ledger(order.currency).exponent),
      cpm_currency: order.currency,
      signature: order.payCode,
      payment_method: v.paymentMethod,
      cel_phone_num: v.phone,
      cpm_phone_prefixe: v.phonePrefix,
      cpm_language: extra?.lang ?? 'fr',
      cpm_version: legacy?.version ?? 'V4',
      cpm_payment_config: legacy?.payment_config ?? 'Single',
      cpm_page_action: legacy?.page_action ?? 'Payment',
      cpm_custom: extra?.metadata ?? '',
      cpm_designation: extra?.description ?? '',
      cpm_error_message: '',
    };
  },
};
