// CinetPay's legacy signature-form API over the one core (docs/cinetpay-legacy.md). A getSignatureByPost is a
// CinetPay order (dialect 'cinetpay', the same merchantTradeNo `cp:<site_id>:<trans_id>`, the same hosted page
// and notifications) plus a legacy row; the signature is the order's pay code, a random capability stored with
// it. The cash desk checks the signature and the fields against the order; checkPayStatus reads the order.
import { timingSafeEqual } from 'node:crypto';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { CinetpaySiteRow } from '../store/cinetpay-repo.js';
import { findCinetpayOrder, findCinetpayOrderByTransaction, insertCinetpayOrder } from '../store/cinetpay-repo.js';
import {
  findLegacyOrder,
  insertLegacyOrder,
  notificationAcknowledged,
  setDeskAddresses,
  type LegacyOrderRow,
} from '../store/cinetpay-legacy-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import { findOrder } from '../store/orders-repo.js';
import { inTx } from '../store/db.js';
import { createOrderWith } from './orders.js';
import { checkCinetpayPayment, tradeNoOf } from './cinetpay.js';
import { assertCallbackTarget } from './callback-url.js';
import { assertAllowedRedirect, hostOf } from '../domain/redirects.js';
import { canonicalFields, legacyTransaction, type LegacySignedFields } from '../domain/cinetpay-legacy.js';
import { cinetpayDate } from '../domain/cinetpay.js';
import { formatMinor } from '../domain/money.js';
import { TenderError } from '../domain/errors.js';

/** getSignatureByPost: creates the order (or finds it for the same fields again) and answers its signature. */
export async function legacySignature(deps: Deps, site: CinetpaySiteRow, f: LegacySignedFields): Promise<string> {
  const merchant = await findMerchant(deps.db, site.merchant_id);
  if (!merchant) throw new TenderError('INTERNAL', 'site without merchant');
  const fields = canonicalFields(f);
  const { order } = await createOrderWith(
    deps,
    merchant,
    {
      dialect: 'cinetpay',
      merchantTradeNo: tradeNoOf(site.site_id, f.transId),
      userId: null,
      currency: f.currency,
      amount: f.amount,
      amountText: f.amountText,
      callbackUrl: null,
      // 'api' keeps a v2 initialisation with the same transaction id from matching: that is TRANSACTION_EXIST.
      fingerprint: { api: 'legacy', fields },
    },
    async (tx, o, isNew) => {
      if (!isNew) return;
      const at = deps.clock.now();
      await insertCinetpayOrder(tx, {
        orderId: o.id,
        siteId: site.site_id,
        transactionId: f.transId,
        channels: ['ALL'],
        lang: f.language,
        description: f.designation,
        metadata: f.custom === '' ? null : f.custom,
        // The cash-desk form brings them (setDeskAddresses).
        notifyUrl: '',
        returnUrl: '',
        invoiceData: null,
        lockPhoneNumber: false,
        customer: {},
        at,
      });
      await insertLegacyOrder(tx, {
        orderId: o.id,
        fields,
        transDate: f.transDate,
        pageAction: f.pageAction,
        paymentConfig: f.paymentConfig,
        version: f.version,
        at,
      });
    },
  );
  return order.payCode;
}

export interface DeskForm {
  fields: LegacySignedFields;
  signature: string;
  notifyUrl: string | null;
  returnUrl: string | null;
  cancelUrl: string | null;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The cash desk (secure.cinetpay.com's form target): the signature must be the order's and the form's fields
 * the ones it was issued for, else FORBIDDEN (a tampered form). The first valid form sets the notification,
 * return and cancel URLs (notify_url held to the callback rules, the others to the merchant's registered
 * hosts); a later form must bring the same ones. Answers the order's pay code (its hosted page).
 */
export async function openCashDesk(deps: Deps, site: CinetpaySiteRow, form: DeskForm): Promise<{ payCode: string }> {
  const extra = await findCinetpayOrderByTransaction(deps.db, site.site_id, form.fields.transId);
  const order = extra ? await findOrder(deps.db, { by: 'id', id: extra.order_id }) : undefined;
  if (!extra || !order || !sameSecret(order.payCode, form.signature))
    throw new TenderError('FORBIDDEN', 'the signature does not match a payment of this site');
  const merchant = (await findMerchant(deps.db, site.merchant_id))!;
  if (form.notifyUrl) {
    if (!hostOf(form.notifyUrl)) throw new TenderError('INVALID_PARAM', 'notify_url must be an absolute http(s) URL');
    assertCallbackTarget(deps, form.notifyUrl, 'notify_url');
  }
  if (form.returnUrl) assertAllowedRedirect(form.returnUrl, merchant, 'return_url');
  if (form.cancelUrl) assertAllowedRedirect(form.cancelUrl, merchant, 'cancel_url');
  await inTx(deps.db, async (tx) => {
    const legacy = await findLegacyOrder(tx, order.id, true);
    if (!legacy || !sameSecret(legacy.fields, canonicalFields(form.fields)))
      throw new TenderError('FORBIDDEN', 'the form fields are not the ones the signature was issued for');
    if (legacy.desk_at === null) {
      await setDeskAddresses(tx, { orderId: order.id, ...form, at: deps.clock.now() });
      return;
    }
    const row = (await findCinetpayOrder(tx, order.id))!;
    const same =
      row.notify_url === (form.notifyUrl ?? '') &&
      row.return_url === (form.returnUrl ?? '') &&
      (legacy.cancel_url ?? '') === (form.cancelUrl ?? '');
    if (!same) throw new TenderError('FORBIDDEN', 'this payment was opened with other notify, return or cancel URLs');
  });
  return { payCode: order.payCode };
}

/** checkPayStatus: the payment of `transId` on the site (a legacy or a v2 one), as the legacy API reports it. */
export async function legacyPayStatus(deps: Deps, site: CinetpaySiteRow, transId: string) {
  const v = await checkCinetpayPayment(deps, site, { transactionId: transId });
  const legacy: LegacyOrderRow | undefined = await findLegacyOrder(deps.db, v.order.id);
  const o: Order = v.order;
  const customer = v.extra.customer;
  return legacyTransaction({
    siteId: site.site_id,
    signature: o.payCode,
    amount: formatMinor(o.amount, deps.assets.ledger(o.currency).exponent),
    currency: o.currency,
    transId: v.extra.transaction_id,
    transDate: legacy?.trans_date ?? cinetpayDate(o.createdAt),
    custom: v.extra.metadata ?? '',
    designation: v.extra.description,
    orderId: o.id,
    status: o.status,
    remark: o.remark,
    paymentMethod: v.paymentMethod,
    phone: v.phone,
    phonePrefix: v.phonePrefix,
    buyerName: [customer.customer_name, customer.customer_surname].filter(Boolean).join(' '),
    ipnAck: await notificationAcknowledged(deps.db, o.id),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    completedAt: o.completedAt,
  });
}
