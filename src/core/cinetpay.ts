// CinetPay use-cases over the core: an initialisation is a core order (dialect 'cinetpay',
// merchantTradeNo `cp:<site_id>:<transaction_id>`) plus its dialect data; a check reads the order (and
// asks the mobile-money connector for news first). Notifications: core/notification-formats/cinetpay.ts.
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { CinetpaySiteRow, CinetpayOrderRow } from '../store/cinetpay-repo.js';
import { findCinetpayOrder, findCinetpayOrderByTransaction, insertCinetpayOrder } from '../store/cinetpay-repo.js';
import { cinetpayPaymentMethod } from './notification-formats/cinetpay.js';
import { findMerchant } from '../store/merchants-repo.js';
import { findOrder } from '../store/orders-repo.js';
import { createOrderWith, getOrder } from './orders.js';
import { pollMobileMoney } from './mobile-money.js';
import { TenderError } from '../domain/errors.js';

export interface CinetpayInit {
  /** null: the merchant sent none (the seed 002 SDK's first version); one is generated and returned. */
  transactionId: string | null;
  amount: bigint;
  amountText: string;
  currency: string;
  description: string;
  notifyUrl: string;
  returnUrl: string;
  channels: string[];
  lang: 'fr' | 'en';
  metadata: string | null;
  invoiceData: Record<string, unknown> | null;
  lockPhoneNumber: boolean;
  customer: Record<string, string>;
}

export const tradeNoOf = (siteId: string, transactionId: string) => `cp:${siteId}:${transactionId}`;

/** Creates (or, for the same body again, finds) the order of a CinetPay initialisation. */
export async function initCinetpayPayment(
  deps: Deps,
  site: CinetpaySiteRow,
  p: CinetpayInit,
): Promise<{ order: Order; extra: CinetpayOrderRow; created: boolean; transactionId: string }> {
  const merchant = await findMerchant(deps.db, site.merchant_id);
  if (!merchant) throw new TenderError('INTERNAL', 'site without merchant');
  // 128 random bits in hex: letters and digits only, as CinetPay wants transaction ids. A clash with an id
  // already on the site is refused below rather than answered with that other payment's token.
  const transactionId = p.transactionId ?? Buffer.from(deps.ids.token(16), 'base64url').toString('hex');
  // The order and its dialect row in one transaction: never an order the rest of the gateway cannot read.
  const { order, created, companion } = await createOrderWith(
    deps,
    merchant,
    {
      dialect: 'cinetpay',
      merchantTradeNo: tradeNoOf(site.site_id, transactionId),
      userId: p.customer.customer_id || null,
      currency: p.currency,
      amount: p.amount,
      amountText: p.amountText,
      callbackUrl: p.notifyUrl,
      fingerprint: {
        amount: p.amount.toString(),
        currency: p.currency,
        description: p.description,
        notify_url: p.notifyUrl,
        return_url: p.returnUrl,
        channels: p.channels.join(','),
        lang: p.lang,
        metadata: p.metadata,
        invoice_data: p.invoiceData ? JSON.stringify(p.invoiceData) : null,
        lock_phone_number: String(p.lockPhoneNumber),
        customer: JSON.stringify(
          Object.keys(p.customer)
            .sort()
            .map((k) => [k, p.customer[k]]),
        ),
      },
    },
    async (tx, order, isNew) => {
      if (isNew) {
        await insertCinetpayOrder(tx, {
          orderId: order.id,
          siteId: site.site_id,
          transactionId,
          channels: p.channels,
          lang: p.lang,
          description: p.description,
          metadata: p.metadata,
          notifyUrl: p.notifyUrl,
          returnUrl: p.returnUrl,
          invoiceData: p.invoiceData,
          lockPhoneNumber: p.lockPhoneNumber,
          customer: p.customer,
          at: deps.clock.now(),
        });
      }
      const extra = await findCinetpayOrder(tx, order.id);
      if (!extra) throw new TenderError('INTERNAL', `cinetpay order ${order.id} has no dialect data`);
      return extra;
    },
  );
  if (p.transactionId === null && !created) throw new TenderError('INTERNAL', 'generated transaction_id clashed');
  return { order, extra: companion, created, transactionId };
}

export interface CinetpayPaymentView {
  order: Order;
  extra: CinetpayOrderRow;
  paymentMethod: string;
  operatorId: string;
  phone: string;
  phonePrefix: string;
}

async function viewOf(deps: Deps, order: Order, extra: CinetpayOrderRow): Promise<CinetpayPaymentView> {
  return { order, extra, ...(await cinetpayPaymentMethod(deps.db, order)) };
}

/** check: by transaction_id or by payment token, within the site. Asks the mobile-money connector first. */
export async function checkCinetpayPayment(
  deps: Deps,
  site: CinetpaySiteRow,
  by: { transactionId?: string; token?: string },
): Promise<CinetpayPaymentView> {
  let extra: CinetpayOrderRow | undefined;
  if (by.transactionId) extra = await findCinetpayOrderByTransaction(deps.db, site.site_id, by.transactionId);
  else if (by.token) {
    const o = await findOrder(deps.db, { by: 'payCode', payCode: by.token }, site.merchant_id);
    extra = o ? await findCinetpayOrder(deps.db, o.id) : undefined;
    if (extra && extra.site_id !== site.site_id) extra = undefined;
  }
  if (!extra) throw new TenderError('ORDER_NOT_FOUND', 'no transaction with this transaction_id or token on this site');
  let order = await getOrder(deps, { by: 'id', id: extra.order_id });
  if (order.status === 11) order = (await pollMobileMoney(deps, order.id)).order;
  return viewOf(deps, order, extra);
}

/** The hosted page's view of a CinetPay order (by its pay code). */
export async function cinetpayPaymentByCode(deps: Deps, payCode: string): Promise<CinetpayPaymentView> {
  const order = await getOrder(deps, { by: 'payCode', payCode });
  const extra = order.dialect === 'cinetpay' ? await findCinetpayOrder(deps.db, order.id) : undefined;
  if (!extra) throw new TenderError('ORDER_NOT_FOUND');
  return viewOf(deps, order, extra);
}
