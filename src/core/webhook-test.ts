// "Send test webhook" of the portal's webhook settings: one signed webhook about a made-up order, in the
// merchant's format, POSTed at once to its saved callback URL through the normal transport (timeout, first
// bytes only, SSRF policy), with the exact request and the answer handed back for the page to show. It is
// marked as a test three ways: the `x-tender-test: 1` header (outside the signed fields, like
// x-tender-mode), an orderId and merchantTradeNo starting `TEST-`, and the remark. Nothing is written: the
// order does not exist, so no outbox row, no retry, no ledger entry.
import type { Deps } from './deps.js';
import { getMerchant } from './merchants.js';
import { TenderError } from '../domain/errors.js';
import type { CpayOrderFields } from '../domain/cpay-fields.js';
import { destinationPolicy, type DestinationPolicy } from '../domain/destination-policy.js';
import { expectedAnswer, isAcknowledged, webhookFields, webhookRequest } from '../domain/webhook-payload.js';

/** The POST itself (src/workers/webhook-transport.ts postWebhook), passed in so core stays below workers. */
export type WebhookPost = (
  url: string,
  headers: Record<string, string>,
  body: string,
  o: { timeoutMs: number; policy: DestinationPolicy },
) => Promise<{ status: number; body: string; headers: Record<string, string> }>;

export type TestFormat = 'cpay' | 'cpay-legacy';

export interface TestWebhookReport {
  format: TestFormat;
  sentAt: Date;
  request: {
    method: 'POST';
    url: string;
    headers: Array<[string, string]>;
    /** The body exactly as sent (form-encoded). */
    body: string;
    /** The same body decoded, for reading. */
    fields: Array<[string, string]>;
  };
  /** What the receiver answered; undefined when no answer came (refused, unreachable, timed out). */
  answer?: { status: number; headers: Array<[string, string]>; body: string };
  /** Why there is no answer: `RefusedDestination: ...`, `TimeoutError: ...`, a network error. */
  error?: string;
  durationMs: number;
  /** Whether the dispatcher would count this answer as delivered. */
  acknowledged: boolean;
  /** What the merchant's code is expected to answer in this format. */
  expected: string;
}

export const TEST_MARK_HEADER = 'x-tender-test';

/** A completed 1.00 USDT order on TRON that does not exist: every field a real webhook of this format has. */
export function testOrderFields(merchantId: number, id: string, at: Date): CpayOrderFields {
  return {
    orderId: `TEST-${id}`,
    merchantId,
    merchantTradeNo: `TEST-${id}`,
    merchantUserId: 'test-user',
    orderStatus: 14,
    status: '14',
    currency: 'USDT',
    cryptoCurrency: 'USDT',
    orderAmount: '1.00',
    actualAmount: '1.00',
    receivedAmount: '1.00',
    pledgeAmount: '0.00',
    serviceFee: '0.00',
    fee: '0.00',
    network: 'TRON(TRC-20)',
    hash: '',
    remark: 'TEST webhook sent from the Tender portal; not a real order',
    extInfo: '',
    createTime: at.getTime(),
  };
}

export async function sendTestWebhook(deps: Deps, merchantId: string, post: WebhookPost): Promise<TestWebhookReport> {
  const merchant = await getMerchant(deps, merchantId);
  const url = merchant.callback_url;
  if (!url) throw new TenderError('INVALID_PARAM', 'save a callback URL first');
  const format: TestFormat = merchant.webhook_format === 'cpay-legacy' ? 'cpay-legacy' : 'cpay';
  const sentAt = deps.clock.now();
  const fields = webhookFields(format, testOrderFields(Number(merchant.id), deps.ids.token(9), sentAt));
  const key = deps.box.open(merchant.security_key_sealed).reveal();
  const signed = webhookRequest(format, fields, key);
  const body = signed.body.toString();
  // The dispatcher's headers (src/workers/webhook-dispatcher.ts), plus the test mark.
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'Tender-Webhook/1',
    ...(deps.config.mode === 'sandbox' ? { 'x-tender-mode': 'sandbox' } : {}),
    [TEST_MARK_HEADER]: '1',
    ...signed.headers,
  };
  const request = {
    method: 'POST' as const,
    url,
    headers: [...Object.entries(headers), ['content-length', String(Buffer.byteLength(body))] as [string, string]],
    body,
    fields: [...signed.body.entries()],
  };
  const t0 = performance.now();
  const took = () => Math.round(performance.now() - t0);
  const base = { format, sentAt, request, expected: expectedAnswer(format) };
  try {
    const res = await post(url, headers, body, {
      timeoutMs: deps.config.webhookTimeoutMs,
      policy: destinationPolicy(deps.config.mode, deps.config.webhookAllowPrivate),
    });
    const durationMs = took();
    const acknowledged = isAcknowledged(format, res.status, res.body);
    deps.log.info({ merchantId, httpStatus: res.status, durationMs, acknowledged }, 'test webhook sent');
    return {
      ...base,
      answer: { status: res.status, headers: Object.entries(res.headers), body: res.body },
      durationMs,
      acknowledged,
    };
  } catch (e) {
    const durationMs = took();
    const err = e as Error;
    const error = `${err.name}: ${err.message}`.slice(0, 512);
    deps.log.info({ merchantId, durationMs, error }, 'test webhook not delivered');
    return { ...base, error, durationMs, acknowledged: false };
  }
}
