// What a webhook carries, per format (shared/spec/cpay.md "Webhooks"), and how the merchant must answer.
import type { CpayOrderFields } from './cpay-fields.js';
import { signParams } from './signature.js';

export type WebhookFormat = 'cpay' | 'cpay-legacy';

/** cpay (newer generation) notifies only final states; cpay-legacy (seed 001 §15) also PROCESSING. */
export function notifies(format: WebhookFormat, status: number): boolean {
  return format === 'cpay' ? status === 14 || status === 15 : status === 11 || status === 14 || status === 15;
}

export function webhookFields(format: WebhookFormat, f: CpayOrderFields): Record<string, string | number> {
  if (format === 'cpay') {
    return {
      merchantId: f.merchantId, merchantTradeNo: f.merchantTradeNo, merchantUserId: f.merchantUserId, orderId: f.orderId,
      orderStatus: f.orderStatus, orderAmount: f.orderAmount, receivedAmount: f.receivedAmount, serviceFee: f.serviceFee, fee: f.fee,
      actualAmount: f.actualAmount, currency: f.currency, cryptoCurrency: f.cryptoCurrency, network: f.network, hash: f.hash,
      remark: f.remark, createTime: f.createTime,
    };
  }
  return {
    merchantId: String(f.merchantId), merchantTradeNo: f.merchantTradeNo, merchantUserId: f.merchantUserId, orderId: f.orderId,
    orderStatus: f.status, hash: f.hash, actualAmount: f.actualAmount, receivedAmount: f.receivedAmount, fee: f.fee,
    cryptoCurrency: f.cryptoCurrency, network: f.network, remark: f.remark, extInfo: f.extInfo, createTime: String(f.createTime),
  };
}

const asStrings = (o: Record<string, string | number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

/** The form body to POST, signed with the merchant's current security key. */
export function webhookBody(format: WebhookFormat, fields: Record<string, string | number>, securityKey: string): URLSearchParams {
  const sign = signParams(asStrings(fields), securityKey);
  if (format === 'cpay') return new URLSearchParams({ param: JSON.stringify({ ...fields, sign }) });
  return new URLSearchParams({ ...asStrings(fields), sign });
}

export function expectedAnswer(format: WebhookFormat): string {
  return format === 'cpay' ? 'success' : 'OK';
}

export function isAcknowledged(format: WebhookFormat, httpStatus: number, body: string): boolean {
  return httpStatus >= 200 && httpStatus < 300 && body.trim().toLowerCase() === expectedAnswer(format).toLowerCase();
}
