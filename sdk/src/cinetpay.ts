// Client of the CinetPay dialect (seed 002, shared/spec/cinetpay.md): initialise a payment, verify it,
// and check notifications' x-token. Field names on the wire are CinetPay's own.
import { createHmac } from 'node:crypto';
import { TenderApiError, TenderNetworkError, TenderWebhookError } from './errors.js';
import { send, resolveTransport, trimSlash, type TransportOptions } from './http.js';
import { safeEqualHex } from './signature.js';

export interface CinetPayClientOptions extends TransportOptions {
  baseUrl: string;
  apikey: string;
  siteId: string | number;
}

export type CinetPayCurrency = 'XOF' | 'XAF' | 'CDF' | 'GNF' | 'USD';
export type CinetPayChannel = 'ALL' | 'MOBILE_MONEY' | 'CREDIT_CARD' | 'WALLET';

export interface InitPaymentParams {
  /** Your id for this payment, unique per site: sending the same body again returns the same token and URL. */
  transactionId: string;
  /** An integer, a multiple of 5 except in USD; as text or a safe integer. */
  amount: string | number;
  currency: CinetPayCurrency;
  /** No `# / $ _ &`. */
  description: string;
  notifyUrl: string;
  returnUrl: string;
  /** Default ALL; several may be combined (sent comma-separated). */
  channels?: CinetPayChannel | CinetPayChannel[];
  lang?: 'fr' | 'en';
  metadata?: string;
  /** Up to 3 keys shown on the receipt. */
  invoiceData?: Record<string, string>;
  lockPhoneNumber?: boolean;
  /**
   * Required by the CREDIT_CARD channel: id, name, surname, email, phone, address, city, country (ISO2),
   * state, zip.
   */
  customer?: {
    id?: string;
    name?: string;
    surname?: string;
    email?: string;
    phoneNumber?: string;
    address?: string;
    city?: string;
    country?: string;
    state?: string;
    zipCode?: string;
  };
}

export interface InitPaymentResult {
  /** Store it: checkPayment({ token }) accepts it. */
  paymentToken: string;
  /** Send the customer there (browser or WebView). */
  paymentUrl: string;
  code: string;
  message: string;
  description: string;
  apiResponseId: string;
}

export type CinetPayStatus = 'ACCEPTED' | 'REFUSED' | 'WAITING_FOR_CUSTOMER';

export interface CheckPaymentResult {
  /** ACCEPTED: paid. REFUSED: failed (final). WAITING_FOR_CUSTOMER: pending — never treat it as failed. */
  status: CinetPayStatus;
  /** "00" SUCCES for ACCEPTED; CinetPay's code otherwise (e.g. "627", "600", "602", "662", "623"). */
  code: string;
  message: string;
  amount: string;
  currency: string;
  paymentMethod: string;
  description: string;
  metadata: string | null;
  operatorId: string | null;
  paymentDate: string | null;
  fundAvailabilityDate: string | null;
  /** The customer's phone (mobile money), without and with its country prefix; null for cards or before payment. */
  phoneNumber: string | null;
  phonePrefix: string | null;
  apiResponseId: string;
  raw: unknown;
}

const STATUSES = new Set<string>(['ACCEPTED', 'REFUSED', 'WAITING_FOR_CUSTOMER']);

export class CinetPayClient {
  readonly baseUrl: string;
  readonly siteId: string;
  readonly #apikey: string;
  readonly #transport: ReturnType<typeof resolveTransport>;

  constructor(o: CinetPayClientOptions) {
    if (!o.apikey) throw new TypeError('apikey is required');
    if (o.siteId === undefined || String(o.siteId) === '') throw new TypeError('siteId is required');
    this.baseUrl = trimSlash(o.baseUrl);
    this.siteId = String(o.siteId);
    this.#apikey = o.apikey;
    this.#transport = resolveTransport(o);
  }

  /**
   * POST /v2/payment. Retried on network errors/timeouts/5xx/429: transaction_id is the idempotency key
   * per site (the spec: the same body again returns the same token and URL), so a retry cannot create a
   * second payment. Keep the same transactionId when you retry yourself.
   */
  async initPayment(p: InitPaymentParams): Promise<InitPaymentResult> {
    // A decimal string goes on the wire as sent (Tender accepts numeric strings), so no float ever touches it.
    const amount = p.amount;
    if (typeof amount === 'string' && !/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(amount))
      throw new TypeError('amount must be a decimal number');
    if (typeof amount === 'number' && !Number.isSafeInteger(amount))
      throw new TypeError('a numeric amount must be a safe integer; pass decimals as a string');
    const c = p.customer ?? {};
    const body = dropUndefined({
      apikey: this.#apikey,
      site_id: this.siteId,
      transaction_id: p.transactionId,
      amount,
      currency: p.currency,
      description: p.description,
      notify_url: p.notifyUrl,
      return_url: p.returnUrl,
      channels: Array.isArray(p.channels) ? p.channels.join(',') : (p.channels ?? 'ALL'),
      lang: p.lang,
      metadata: p.metadata,
      invoice_data: p.invoiceData,
      lock_phone_number: p.lockPhoneNumber,
      customer_id: c.id,
      customer_name: c.name,
      customer_surname: c.surname,
      customer_email: c.email,
      customer_phone_number: c.phoneNumber,
      customer_address: c.address,
      customer_city: c.city,
      customer_country: c.country,
      customer_state: c.state,
      customer_zip_code: c.zipCode,
    });
    const { j, status } = await this.#post('/v2/payment', body);
    const d = (j.data ?? {}) as Record<string, unknown>;
    if (String(j.code) !== '201' || typeof d.payment_token !== 'string' || typeof d.payment_url !== 'string')
      throw apiError(j, status);
    return {
      paymentToken: d.payment_token,
      paymentUrl: d.payment_url,
      code: '201',
      message: String(j.message ?? ''),
      description: String(j.description ?? ''),
      apiResponseId: String(j.api_response_id ?? ''),
    };
  }

  /**
   * POST /v2/payment/check by transactionId or token. A read, so it is retried like a GET. Returns the
   * payment's status (ACCEPTED / REFUSED / WAITING_FOR_CUSTOMER — a refusal is a result, not an exception);
   * throws TenderApiError when the check itself is refused (bad apikey 609, bad site 613, unknown transaction…).
   */
  async checkPayment(by: { transactionId: string } | { token: string }): Promise<CheckPaymentResult> {
    const body =
      'token' in by
        ? { apikey: this.#apikey, site_id: this.siteId, token: by.token }
        : { apikey: this.#apikey, site_id: this.siteId, transaction_id: by.transactionId };
    const { j, status } = await this.#post('/v2/payment/check', body);
    const d = (j.data ?? null) as Record<string, unknown> | null;
    if (!d || typeof d.status !== 'string' || !STATUSES.has(d.status)) throw apiError(j, status);
    const opt = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
    return {
      status: d.status as CinetPayStatus,
      code: String(j.code ?? ''),
      message: String(j.message ?? ''),
      amount: String(d.amount ?? ''),
      currency: String(d.currency ?? ''),
      paymentMethod: String(d.payment_method ?? ''),
      description: String(d.description ?? ''),
      metadata: opt(d.metadata),
      operatorId: opt(d.operator_id),
      paymentDate: opt(d.payment_date),
      fundAvailabilityDate: opt(d.fund_availability_date),
      phoneNumber: opt(d.phone_number),
      phonePrefix: opt(d.phone_prefix),
      apiResponseId: String(j.api_response_id ?? ''),
      raw: j,
    };
  }

  async #post(path: string, body: Record<string, unknown>): Promise<{ j: Record<string, unknown>; status: number }> {
    const ans = await send(this.#transport, {
      method: 'POST',
      url: `${this.baseUrl}${path}`,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      idempotent: true,
    });
    let j: unknown;
    try {
      j = JSON.parse(ans.text);
    } catch {
      throw new TenderNetworkError(
        `${path}: HTTP ${ans.status} with a body that is not JSON: ${ans.text.slice(0, 200)}`,
        false,
        ans.attempts,
      );
    }
    if (j === null || typeof j !== 'object')
      throw new TenderNetworkError(
        `${path}: HTTP ${ans.status} with a body that is not a JSON object`,
        false,
        ans.attempts,
      );
    return { j: j as Record<string, unknown>, status: ans.status };
  }
}

function apiError(j: Record<string, unknown>, httpStatus: number): TenderApiError {
  const msg = [j.message, j.description].filter((x) => typeof x === 'string' && x !== '').join(': ');
  return new TenderApiError(
    'cinetpay',
    String(j.code ?? httpStatus),
    msg,
    typeof j.api_response_id === 'string' ? j.api_response_id : undefined,
    httpStatus,
    j,
  );
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The notification's fields in the order the x-token covers them (shared/spec/cinetpay.md). */
export const CINETPAY_TOKEN_FIELDS = [
  'cpm_site_id',
  'cpm_trans_id',
  'cpm_trans_date',
  'cpm_amount',
  'cpm_currency',
  'signature',
  'payment_method',
  'cel_phone_num',
  'cpm_phone_prefixe',
  'cpm_language',
  'cpm_version',
  'cpm_payment_config',
  'cpm_page_action',
  'cpm_custom',
  'cpm_designation',
  'cpm_error_message',
] as const;

/**
 * The x-token of a notification: HMAC-SHA256 (hex), keyed by the site's secret, of the fields concatenated
 * without separators.
 */
export function cinetPayToken(fields: Readonly<Record<string, string | undefined>>, notifySecret: string): string {
  return createHmac('sha256', notifySecret)
    .update(CINETPAY_TOKEN_FIELDS.map((k) => fields[k] ?? '').join(''), 'utf8')
    .digest('hex');
}

/**
 * A verified CinetPay notification. It carries NO status, by design (seed 002): it only says "look at
 * this transaction". Call `CinetPayClient.checkPayment({ transactionId })` and act on its `status`;
 * expect the same notification several times, and a first one while the payment is still
 * WAITING_FOR_CUSTOMER. Answer HTTP 200 once handled.
 */
export interface CinetPayNotification {
  transactionId: string;
  siteId: string;
  /** Every form field as received (cpm_amount, payment_method, …): informative only, never proof of payment. */
  fields: Readonly<Record<string, string>>;
}

type HeaderBag = Headers | Readonly<Record<string, string | string[] | undefined>>;

function header(h: HeaderBag, name: string): string | undefined {
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  const bag = h as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : bag[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Checks a notification's `x-token` header in constant time and returns {transactionId, siteId}; throws
 * TenderWebhookError otherwise. `formBody` is the raw x-www-form-urlencoded text (or its parsed form).
 * The status is NOT in the notification: fetch it with checkPayment.
 */
export function verifyCinetPayNotification(
  formBody: string | URLSearchParams | Readonly<Record<string, string>>,
  headers: HeaderBag,
  notifySecret: string,
): CinetPayNotification {
  if (!notifySecret) throw new TypeError('notifySecret is required');
  const form =
    typeof formBody === 'string' || formBody instanceof URLSearchParams
      ? new URLSearchParams(formBody)
      : new URLSearchParams({ ...formBody });
  const fields = Object.fromEntries(form);
  const token = header(headers, 'x-token');
  if (!token) throw new TenderWebhookError('notification has no x-token header');
  if (!safeEqualHex(cinetPayToken(fields, notifySecret), token))
    throw new TenderWebhookError('notification x-token does not match (wrong secret or tampered fields)');
  if (!fields.cpm_trans_id || !fields.cpm_site_id)
    throw new TenderWebhookError('notification lacks cpm_trans_id or cpm_site_id');
  return { transactionId: fields.cpm_trans_id, siteId: fields.cpm_site_id, fields: Object.freeze(fields) };
}
