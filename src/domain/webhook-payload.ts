// What a webhook carries, per format (shared/spec/cpay.md "Webhooks"), and how the merchant must answer.
import type { CpayOrderFields } from './cpay-fields.js';
import { signParams } from './signature.js';
import { NOTIFICATION_FIELDS, xToken, type NotificationFields } from './cinetpay.js';

/** cpay / cpay-legacy are merchant settings; cinetpay is the format of every order of the cinetpay dialect. */
export type WebhookFormat = 'cpay' | 'cpay-legacy' | 'cinetpay';

/**
 * cpay (newer generation) notifies only final states; cpay-legacy (seed 001 §15) also PROCESSING;
 * cinetpay also PROCESSING (the first call while the customer confirms, shared/spec/cinetpay.md).
 */
export function notifies(format: WebhookFormat, status: number): boolean {
  return format === 'cpay' ? status === 14 || status === 15 : status === 11 || status === 14 || status === 15;
}

export function webhookFields(format: WebhookFormat, f: CpayOrderFields): Record<string, string | number> {
  if (format === 'cpay') {
    return {
      merchantId: f.merchantId,
      merchantTradeNo: f.merchantTradeNo,
      merchantUserId: f.merchantUserId,
      orderId: f.orderId,
      orderStatus: f.orderStatus,
      orderAmount: f.orderAmount,
      receivedAmount: f.receivedAmount,
      serviceFee: f.serviceFee,
      fee: f.fee,
      actualAmount: f.actualAmount,
      currency: f.currency,
      cryptoCurrency: f.cryptoCurrency,
      network: f.network,
      hash: f.hash,
      remark: f.remark,
      createTime: f.createTime,
    };
  }
  return {
    merchantId: String(f.merchantId),
    merchantTradeNo: f.merchantTradeNo,
    merchantUserId: f.merchantUserId,
    orderId: f.orderId,
    orderStatus: f.status,
    hash: f.hash,
    actualAmount: f.actualAmount,
    receivedAmount: f.receivedAmount,
    fee: f.fee,
    cryptoCurrency: f.cryptoCurrency,
    network: f.network,
    remark: f.remark,
    extInfo: f.extInfo,
    createTime: String(f.createTime),
  };
}

const asStrings = (o: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

/**
 * Leaves out fields whose value is empty. The demos merchants copy sign differently only in what they do
 * with empty values (domain/signature.ts): without any, and without a bare "0" (amounts are written
 * "0.00", domain/cpay-fields.ts), every recipe signs the same text and so verifies the webhook.
 */
export function withoutEmpty(fields: Record<string, string | number>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => String(v) !== ''));
}

/** The form body to POST, signed with the merchant's current security key. */
export function webhookBody(
  format: WebhookFormat,
  fields: Record<string, string | number>,
  securityKey: string,
): URLSearchParams {
  const sent = withoutEmpty(fields);
  const sign = signParams(asStrings(sent), securityKey);
  if (format === 'cpay') return new URLSearchParams({ param: JSON.stringify({ ...sent, sign }) });
  return new URLSearchParams({ ...asStrings(sent), sign });
}

/** What Tender's documentation tells the merchant to answer (seed 001 §15: `OK`; the newer reference: `success`). */
export function expectedAnswer(format: WebhookFormat): string {
  return format === 'cpay' ? 'success' : 'OK';
}

/**
 * Either cpay format is acknowledged by HTTP 2xx with `success` or `OK` (trimmed, any case): merchants keep
 * the answer of whichever generation they coded against when the format setting changes under them
 * (shared/spec "Acknowledgement"); anything else is retried.
 */
const CPAY_ANSWERS = new Set(['success', 'ok']);

export function isAcknowledged(format: WebhookFormat, httpStatus: number, body: string): boolean {
  // CinetPay: the merchant answers HTTP 200, whatever the body.
  if (format === 'cinetpay') return httpStatus === 200;
  return httpStatus >= 200 && httpStatus < 300 && CPAY_ANSWERS.has(body.trim().toLowerCase());
}

/**
 * The request to send for a delivery: form body plus the format's own headers. cpay formats are signed
 * with the merchant's security key; cinetpay carries the x-token keyed by the site's notification secret.
 */
export function webhookRequest(
  format: WebhookFormat,
  fields: Record<string, string | number>,
  key: string,
): { body: URLSearchParams; headers: Record<string, string> } {
  if (format !== 'cinetpay') return { body: webhookBody(format, fields, key), headers: {} };
  const f = Object.fromEntries(NOTIFICATION_FIELDS.map((k) => [k, String(fields[k] ?? '')])) as NotificationFields;
  return {
    body: new URLSearchParams(NOTIFICATION_FIELDS.map((k) => [k, f[k]])),
    headers: { 'x-token': xToken(f, key) },
  };
}
