// Client of the minimal dialect (seed 003): start_payment, the hosted page URL, watch.
import { TenderApiError, TenderNetworkError } from './errors.js';
import { send, resolveTransport, trimSlash, type TransportOptions } from './http.js';
import { assertDecimal, type DecimalString } from './openapi.js';

export interface MinimalClientOptions extends TransportOptions {
  baseUrl: string;
  /** `msk_…`: keep it on your server. */
  merchantSecret: string;
}

export interface StartedPayment {
  /** The payment code: send the customer to payUrl(code, redirect). */
  code: string;
  message: string;
  /** Poll watch(watchCode) for the outcome. */
  watchCode: string;
}

export type WatchStatus = 'created' | 'completed' | 'failed' | 'expired';

export interface WatchResult {
  /** `created` pending, `completed` paid; `failed` / `expired` are final too (Tender's documented extension). */
  status: WatchStatus;
  /** The amount exactly as it was given to startPayment, as text. */
  amount: DecimalString;
  /** The merchant's brand. */
  merchant: string;
  /** "YYYY-MM-DD HH:mm:ss" UTC. */
  createdAt: string;
  /** "YYYY-MM-DD HH:mm:ss" UTC; null until completed. */
  completedAt: string | null;
}

export class MinimalClient {
  readonly baseUrl: string;
  readonly #secret: string;
  readonly #transport: ReturnType<typeof resolveTransport>;

  constructor(o: MinimalClientOptions) {
    if (!o.merchantSecret) throw new TypeError('merchantSecret is required');
    this.baseUrl = trimSlash(o.baseUrl);
    this.#secret = o.merchantSecret;
    this.#transport = resolveTransport(o);
  }

  /**
   * POST /api/start_payment. `amount` in major units of `currency` (default: the merchant's currency).
   * Not retried unless you pass `idempotencyKey`: seed 003 has no idempotency, so a blind retry could start
   * two payments; with the key Tender returns the first payment again, which makes a retry safe.
   */
  async startPayment(
    amount: DecimalString,
    o: { currency?: string; idempotencyKey?: string } = {},
  ): Promise<StartedPayment> {
    assertDecimal(amount, 'amount');
    // The amount goes out as a JSON number written from the decimal text itself (no float in between),
    // which /watch echoes back verbatim.
    const currency = o.currency ? `,"currency":${JSON.stringify(o.currency)}` : '';
    const body = `{"merchant_secret":${JSON.stringify(this.#secret)},"amount":${amount}${currency}}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
    const ans = await send(this.#transport, {
      method: 'POST',
      url: `${this.baseUrl}/api/start_payment`,
      body,
      headers,
      idempotent: Boolean(o.idempotencyKey),
    });
    const j = parse(ans.text, ans.status, ans.attempts, ans.headers);
    return { code: String(j.code), message: String(j.message), watchCode: String(j.watch_code) };
  }

  /** The hosted payment page; `redirect` must be on your registered hosts. */
  payUrl(code: string, redirect: string): string {
    return `${this.baseUrl}/pay/${encodeURIComponent(code)}?redirect=${encodeURIComponent(redirect)}`;
  }

  /** GET /watch/{watchCode} (a read: retried on network errors, timeouts and 5xx). */
  async watch(watchCode: string): Promise<WatchResult> {
    const ans = await send(this.#transport, {
      method: 'GET',
      url: `${this.baseUrl}/watch/${encodeURIComponent(watchCode)}`,
      idempotent: true,
    });
    const j = parse(ans.text, ans.status, ans.attempts, ans.headers);
    return {
      status: j.status as WatchStatus,
      amount: rawMember(ans.text, 'amount') ?? String(j.amount),
      merchant: String(j.merchant),
      createdAt: String(j.created_at),
      completedAt: j.completed_at === null ? null : String(j.completed_at),
    };
  }
}

function parse(text: string, status: number, attempts: number, headers: Headers): Record<string, unknown> {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new TenderNetworkError(`HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`, false, attempts);
  }
  const o = (j ?? {}) as Record<string, unknown>;
  if (status >= 300)
    throw new TenderApiError(
      'minimal',
      String(o.code ?? status),
      String(o.message ?? ''),
      headers.get('x-trace-id') ?? undefined,
      status,
      j,
    );
  return o;
}

/** The raw text of a top-level number or string member (so "12.50" stays "12.50", never 12.5). */
function rawMember(text: string, name: string): string | undefined {
  const m = new RegExp(`"${name}"\\s*:\\s*(-?[0-9][0-9.eE+-]*|"(?:[^"\\\\]|\\\\.)*")`).exec(text);
  if (!m) return undefined;
  return m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!;
}
