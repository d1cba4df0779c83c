// Client of the C-Pay openapi v1 dialect (seed 001 + the newer CPay generation): signed requests,
// `{code, msg, data, traceid}` envelopes unwrapped into typed data or a TenderApiError.
import { TenderApiError, TenderNetworkError } from './errors.js';
import { send, resolveTransport, trimSlash, type TransportOptions } from './http.js';
import { sign } from './signature.js';

/** Order statuses (the same numbers in `orderStatus` and, as strings, in the deprecated `status`). */
export const OrderStatus = { PENDING: 0, PROCESSING: 11, COMPLETED: 14, CLOSED: 15 } as const;
export type OrderStatusCode = (typeof OrderStatus)[keyof typeof OrderStatus];

/**
 * A decimal amount as text, e.g. "12.50" (Tender writes at least two decimals, as CPay does) — never a JS
 * number, so nothing is lost to floating point.
 */
export type DecimalString = string;

export interface OpenApiClientOptions extends TransportOptions {
  /** e.g. "http://127.0.0.1:8080" (without /openapi/v1). */
  baseUrl: string;
  merchantId: string | number;
  securityKey: string;
}

export interface CreateOrderParams {
  /** Your order number; unique per merchant. Sending the same one again returns the same order (idempotency key). */
  merchantTradeNo: string;
  /** Your customer's id. */
  userId: string;
  amount: DecimalString;
  cryptoCurrency: string;
  /** e.g. "TRON(TRC-20)": the order gets its own deposit address on that network. */
  network?: string;
  callbackURL?: string;
  successURL?: string;
  failURL?: string;
  /** Milliseconds since the epoch; added automatically (Date.now()) when absent. */
  createTime?: number | string;
}

/**
 * An order as Tender answers it: BOTH field generations, with consistent values (shared/spec/cpay.md).
 * Newer names: orderStatus (number), serviceFee, orderAmount, receivedAmount, currency.
 * Deprecated names kept for older integrations: status (string), fee, actualAmount.
 */
export interface OrderData {
  orderId: string;
  merchantId: number | string;
  merchantTradeNo: string;
  merchantUserId: string;
  /** Newer generation: 0 PENDING, 11 PROCESSING, 14 COMPLETED, 15 CLOSED. */
  orderStatus: OrderStatusCode;
  /** Older generation: the same status as a string ("0", "11", "14", "15"). */
  status: string;
  currency: string;
  cryptoCurrency: string;
  orderAmount: DecimalString;
  /** What the customer paid (older name; "0.00" until paid). */
  actualAmount: DecimalString;
  /** What is credited to the merchant. */
  receivedAmount: DecimalString;
  pledgeAmount: DecimalString;
  serviceFee: DecimalString;
  /** Older name of serviceFee. */
  fee: DecimalString;
  network: string;
  hash: string;
  remark: string;
  extInfo: string;
  createTime: number | string;
  /** The hosted payment page to send the customer to. */
  cashierURL: string;
  returnURL: string;
  successURL: string;
  failURL: string;
  orderCurrency?: string;
  /** Present when the order was created with a `network`: where the customer pays. */
  address?: string;
}

export type OrderLookup = { merchantTradeNo: string } | { cpayOrderId: string } | { hash: string };

export interface BalanceRow {
  availableBalance: DecimalString;
  freezeBalance: DecimalString;
  /** Seed 001's name of the currency. */
  cryptoCurrency: string;
  /** Newer name of the same currency. */
  currency: string;
}

export interface WalletAddressRow {
  address: string;
  currency: string;
  network: string;
}

type ParamValue = string | number | bigint | undefined | null;

/** What a call needs: its path, method, and whether sending it twice is harmless. */
interface Endpoint {
  method: 'GET' | 'POST';
  path: string;
  idempotent: boolean;
}

const ENDPOINTS = {
  createOrder: { method: 'POST', path: 'createOrder', idempotent: true },
  getOrderDetail: { method: 'GET', path: 'getOrderDetail', idempotent: true },
  getMerchantBalance: { method: 'GET', path: 'getMerchantBalance', idempotent: true },
  getWalletAddress: { method: 'GET', path: 'getWalletAddress', idempotent: true },
} as const satisfies Record<string, Endpoint>;

export class OpenApiClient {
  readonly baseUrl: string;
  readonly merchantId: string;
  readonly #securityKey: string;
  readonly #transport: ReturnType<typeof resolveTransport>;

  constructor(o: OpenApiClientOptions) {
    if (!o.securityKey) throw new TypeError('securityKey is required');
    if (o.merchantId === undefined || String(o.merchantId) === '') throw new TypeError('merchantId is required');
    this.baseUrl = trimSlash(o.baseUrl);
    this.merchantId = String(o.merchantId);
    this.#securityKey = o.securityKey;
    this.#transport = resolveTransport(o);
  }

  /**
   * POST createOrder (seed 001 §13). Retried on network errors/timeouts/5xx like a GET: Tender (like CPay)
   * treats merchantId + merchantTradeNo as the idempotency key — the same request again returns the
   * original order, never a second one — so a retry with the SAME merchantTradeNo (and the same
   * createTime and sign, which are kept) is safe. Different fields under that merchantTradeNo are refused
   * with code 20001 and are never retried.
   */
  createOrder(p: CreateOrderParams): Promise<OrderData> {
    assertDecimal(p.amount, 'amount');
    return this.call<OrderData>(ENDPOINTS.createOrder, { ...p, createTime: p.createTime ?? Date.now() });
  }

  /** GET getOrderDetail (seed 001 §9) by merchantTradeNo, cpayOrderId (Tender's orderId) or transaction hash. */
  getOrderDetail(by: OrderLookup): Promise<OrderData> {
    return this.call<OrderData>(ENDPOINTS.getOrderDetail, { ...by });
  }

  /** GET getMerchantBalance (seed 001 §6): one row per ledger currency. */
  getMerchantBalance(): Promise<BalanceRow[]> {
    return this.call<BalanceRow[]>(ENDPOINTS.getMerchantBalance, {});
  }

  /** GET getWalletAddress (seed 001 §3): the user's stable deposit addresses, one row per asset and network. */
  getWalletAddress(p: { userId: string }): Promise<WalletAddressRow[]> {
    return this.call<WalletAddressRow[]>(ENDPOINTS.getWalletAddress, { ...p });
  }

  /** The signed parameters of a request (merchantId added, empty values dropped, `sign` computed). */
  signedParams(params: Record<string, ParamValue>): Record<string, string> {
    const p: Record<string, string> = { merchantId: this.merchantId };
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined || v === null || k === 'sign') continue;
      const s = String(v);
      if (s !== '') p[k] = s; // §16: empty values are not signed; they are not sent either
    }
    p.sign = sign(p, this.#securityKey);
    return p;
  }

  /**
   * Any openapi endpoint: a new one is one method above calling this with its Endpoint. GETs send the
   * parameters as the query string, POSTs as an x-www-form-urlencoded body.
   */
  protected async call<T>(e: Endpoint, params: Record<string, ParamValue>): Promise<T> {
    const form = new URLSearchParams(this.signedParams(params)).toString();
    const url = `${this.baseUrl}/openapi/v1/${e.path}`;
    const ans = await send(
      this.#transport,
      e.method === 'GET'
        ? { method: 'GET', url: `${url}?${form}`, idempotent: e.idempotent }
        : {
            method: 'POST',
            url,
            body: form,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            idempotent: e.idempotent,
          },
    );
    let body: { code?: unknown; msg?: unknown; data?: unknown; traceid?: unknown };
    try {
      body = JSON.parse(ans.text);
    } catch {
      throw new TenderNetworkError(
        `${e.path}: HTTP ${ans.status} with a body that is not JSON: ${ans.text.slice(0, 200)}`,
        false,
        ans.attempts,
      );
    }
    const traceid = typeof body.traceid === 'string' ? body.traceid : (ans.headers.get('x-trace-id') ?? undefined);
    if (typeof body.code !== 'number') {
      const notEnvelope = (body as { message?: unknown }).message ?? body.msg ?? 'not an openapi envelope';
      throw new TenderApiError(
        'openapi',
        ans.status,
        `HTTP ${ans.status}: ${String(notEnvelope)}`,
        traceid,
        ans.status,
        body,
      );
    }
    if (body.code !== 0 || ans.status >= 300)
      throw new TenderApiError('openapi', body.code, String(body.msg ?? ''), traceid, ans.status, body);
    return body.data as T;
  }
}

const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
export function assertDecimal(v: unknown, name: string): void {
  if (typeof v !== 'string' || !DECIMAL.test(v))
    throw new TypeError(
      `${name} must be a decimal string such as "12.5" (got ${typeof v === 'string' ? JSON.stringify(v) : typeof v})`,
    );
}
