// Typed exceptions. Everything the SDK throws on purpose is one of these three classes.

export type Dialect = 'openapi' | 'minimal' | 'cinetpay';

/**
 * The gateway answered and refused the request (or failed on its side).
 * - openapi: `code` is the numeric envelope code (e.g. 10004 bad sign, 20001 duplicate merchantTradeNo,
 *   1 internal) and `httpStatus` is usually 200 — Tender answers refusals with HTTP 200 and `code != 0`.
 * - minimal: `code` is the string code (e.g. `bad_merchant_secret`) and `httpStatus` 400/401/404/409/500.
 * - cinetpay: `code` is CinetPay's string code (e.g. `"609"`) and `traceid` its `api_response_id`.
 */
export class TenderApiError extends Error {
  override readonly name = 'TenderApiError';
  constructor(
    readonly dialect: Dialect,
    readonly code: number | string,
    readonly msg: string,
    readonly traceid: string | undefined,
    readonly httpStatus: number,
    /** The parsed answer, for anything the typed fields do not carry. */
    readonly body?: unknown,
  ) {
    super(`${dialect} error ${code}: ${msg}${traceid ? ` (traceid ${traceid})` : ''} [HTTP ${httpStatus}]`);
  }
}

/** No usable answer: connection refused/reset, timeout (`timedOut`), or a body that is not the dialect's JSON. */
export class TenderNetworkError extends Error {
  override readonly name = 'TenderNetworkError';
  constructor(
    message: string,
    readonly timedOut: boolean,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A webhook or notification failed verification (missing field, bad signature, malformed body). Answer it
 * with a non-2xx status.
 */
export class TenderWebhookError extends Error {
  override readonly name = 'TenderWebhookError';
  constructor(message: string) {
    super(message);
  }
}
