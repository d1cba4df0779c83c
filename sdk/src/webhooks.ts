// CPay webhook verification, both formats Tender sends (shared/spec/cpay.md "In Tender"):
// - `cpay` (default): ONE form field `param` holding a JSON object; answer the text `success`.
// - `cpay-legacy` (seed 001 §15): the fields as top-level form fields; answer the text `OK`.
// Both are signed like requests (seed 001 §16) with the merchant's security key. Tender leaves out empty
// fields and writes amounts "0.00", never "0", so its webhooks verify under every recipe the CPay demos use
// (signature.ts); a webhook signed under any of them is accepted, and the event says which one matched.
import { TenderWebhookError } from './errors.js';
import { matchingRecipe, type SignatureRecipe } from './signature.js';
import type { DecimalString, OrderStatusCode } from './openapi.js';

export type CpayWebhookFormat = 'cpay' | 'cpay-legacy';

export interface CpayWebhookEvent {
  format: CpayWebhookFormat;
  /** The text to answer with HTTP 200 once you have processed the event; anything else makes Tender retry. */
  answer: 'success' | 'OK';
  merchantId: string;
  merchantTradeNo: string;
  merchantUserId: string;
  orderId: string;
  /** 11 PROCESSING (cpay-legacy only), 14 COMPLETED, 15 CLOSED. */
  orderStatus: OrderStatusCode;
  /** Amount ordered (cpay format only; "" in cpay-legacy, which does not carry it). */
  orderAmount: DecimalString;
  /** What the customer paid. */
  actualAmount: DecimalString;
  /** What was credited to you. */
  receivedAmount: DecimalString;
  /** Fee (serviceFee in the newer generation, fee in the older; the same value). */
  fee: DecimalString;
  currency: string;
  cryptoCurrency: string;
  network: string;
  hash: string;
  remark: string;
  extInfo: string;
  /** Milliseconds since the epoch, as text. */
  createTime: string;
  /** Every signed field as received, as strings. */
  fields: Readonly<Record<string, string>>;
  /** The signature recipe the `sign` matched (Tender's own webhooks match `text`, hence all of them). */
  recipe: SignatureRecipe;
}

/** The answer Tender expects for a format, as text for an HTTP 200 response. */
export function cpayWebhookAnswer(format: CpayWebhookFormat): 'success' | 'OK' {
  return format === 'cpay' ? 'success' : 'OK';
}

const STATUSES = new Set([0, 11, 14, 15]);

/**
 * Verifies a CPay webhook (either format, detected from the body) in constant time and returns the
 * typed event, or throws TenderWebhookError. Pass the RAW body text (or the parsed form); answer a
 * thrown error with a non-2xx status so the delivery is retried — and log it: it may be forged.
 */
export function verifyCpayWebhook(body: string | URLSearchParams, securityKey: string): CpayWebhookEvent {
  if (!securityKey) throw new TypeError('securityKey is required');
  const form = typeof body === 'string' ? new URLSearchParams(body) : body;
  let format: CpayWebhookFormat;
  let fields: Record<string, string>;
  let given: string;
  const param = form.get('param');
  if (param !== null) {
    format = 'cpay';
    let parsed: unknown;
    try {
      parsed = JSON.parse(param);
    } catch {
      throw new TenderWebhookError('webhook `param` is not valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new TenderWebhookError('webhook `param` is not a JSON object');
    fields = {};
    given = '';
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (k === 'sign') {
        given = typeof v === 'string' ? v : '';
        continue;
      }
      // Scalars are signed as their text (numbers as JSON writes them); objects would be signed as JSON.
      fields[k] = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  } else {
    format = 'cpay-legacy';
    fields = {};
    for (const [k, v] of form) if (k !== 'sign') fields[k] = v;
    given = form.get('sign') ?? '';
  }
  if (!given) throw new TenderWebhookError('webhook has no sign');
  const recipe = matchingRecipe(fields, securityKey, given);
  if (!recipe)
    throw new TenderWebhookError('webhook sign does not match (wrong security key, rotated key, or tampered body)');
  const status = Number(fields.orderStatus);
  if (!fields.orderStatus || !STATUSES.has(status))
    throw new TenderWebhookError(`webhook orderStatus ${JSON.stringify(fields.orderStatus)} is not a known status`);
  if (!fields.merchantId || !fields.orderId) throw new TenderWebhookError('webhook lacks merchantId or orderId');
  const f = (k: string) => fields[k] ?? '';
  return {
    format,
    answer: cpayWebhookAnswer(format),
    merchantId: f('merchantId'),
    merchantTradeNo: f('merchantTradeNo'),
    merchantUserId: f('merchantUserId'),
    orderId: f('orderId'),
    orderStatus: status as OrderStatusCode,
    orderAmount: f('orderAmount'),
    actualAmount: f('actualAmount'),
    receivedAmount: f('receivedAmount'),
    fee: f('serviceFee') || f('fee'),
    currency: f('currency') || f('cryptoCurrency'),
    cryptoCurrency: f('cryptoCurrency'),
    network: f('network'),
    hash: f('hash'),
    remark: f('remark'),
    extInfo: f('extInfo'),
    createTime: f('createTime'),
    fields: Object.freeze({ ...fields }),
    recipe,
  };
}
