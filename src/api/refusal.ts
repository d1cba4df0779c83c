// One place that answers a refusal in the dialect of the path it was aimed at. Used where no dialect
// plugin is in charge yet: the not-found handler, Fastify's frameworkErrors (bad percent-encoding, an
// over-long path parameter) and Node's clientError (431, 408, malformed HTTP). Merchants' clients parse
// only their own envelope, and customers on a hosted page should see a page, not JSON.
import { ERRORS, type ErrorCode, type ErrorKind } from '../domain/errors.js';
import { CINETPAY_BY_CATALOG, CP } from '../domain/cinetpay.js';
import { legacyRefusal } from '../domain/cinetpay-legacy.js';
import { renderMessage } from '../web/checkout-page.js';
import { renderNotFound } from '../web/mobile-money-page.js';
import { OPENAPI_CODES } from './openapi/error-codes.js';
import { HTTP_STATUS_BY_KIND } from './envelope.js';

export type Dialect =
  | 'openapi'
  | 'other'
  | 'minimal'
  | 'cinetpay'
  | 'cinetpay-legacy'
  | 'admin'
  | 'checkout-page'
  | 'payment-page';

/** The dialect a path belongs to; anything else (/, /healthz, unknown prefixes) is 'other', shaped like openapi. */
export function dialectOf(url: string): Dialect {
  const path = url.split('?')[0]!;
  if (path.startsWith('/api/') || path === '/api' || path.startsWith('/watch')) return 'minimal';
  // CinetPay's legacy API: /v1/?method=... and /v2/?method=... (the v2 checkout API has no route at /v2/).
  if (path === '/v1' || path.startsWith('/v1/') || path === '/v2/') return 'cinetpay-legacy';
  if (path.startsWith('/v2/') || path === '/v2') return 'cinetpay';
  if (path.startsWith('/admin/') || path === '/admin' || path === '/metrics') return 'admin';
  if (path.startsWith('/pay/') || path === '/pay') return 'checkout-page';
  if (path.startsWith('/payment/') || path === '/payment') return 'payment-page';
  if (path.startsWith('/openapi/') || path.startsWith('/sandbox/')) return 'openapi';
  return 'other';
}

/** A catalog error, or NOT_FOUND: no such route (the openapi dialect has always answered that as code 404). */
export type RefusalCode = ErrorCode | 'NOT_FOUND';

export interface Refusal {
  status: number;
  contentType: string;
  headers: Record<string, string>;
  body: string;
}

const HTTP_BY_KIND: Record<ErrorKind | 'route', number> = { ...HTTP_STATUS_BY_KIND, route: 404 };

/** Headers of every HTML refusal: like the hosted pages', never cached, framed or sniffed, nothing external. */
export const PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'self'",
};
const API_HEADERS: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The answer to `code` for a request to `url` (path and query). `httpStatus` is the status of refusals that are about
 * HTTP itself (404 path, 413, 414, 415, 431, 400 bad URL); without it each dialect picks its own.
 */
export function renderRefusal(
  url: string,
  code: RefusalCode,
  message: string,
  traceid: string,
  httpStatus?: number,
): Refusal {
  const kind = code === 'NOT_FOUND' ? 'route' : ERRORS[code].kind;
  const status = httpStatus ?? HTTP_BY_KIND[kind];
  const json = (s: number, body: unknown): Refusal => ({
    status: s,
    contentType: JSON_TYPE,
    headers: API_HEADERS,
    body: JSON.stringify(body),
  });
  const dialect = dialectOf(url);
  switch (dialect) {
    case 'minimal':
      return json(status, { code: code.toLowerCase(), message });
    case 'admin':
      return json(status, { error: code, message, traceid });
    case 'cinetpay': {
      const cp = code === 'NOT_FOUND' ? CP.TRANSACTION_NOT_FOUND : (CINETPAY_BY_CATALOG[code] ?? CP.INVALID_PARAMETER);
      return json(httpStatus ?? cp.http, {
        code: cp.code,
        message: cp.message,
        description: message,
        api_response_id: traceid,
      });
    }
    case 'cinetpay-legacy': {
      const cp = code === 'NOT_FOUND' ? CP.TRANSACTION_NOT_FOUND : (CINETPAY_BY_CATALOG[code] ?? CP.INVALID_PARAMETER);
      return json(httpStatus ?? status, legacyRefusal(cp, message));
    }
    case 'checkout-page':
    case 'payment-page': {
      const notFound = status === 404;
      const lang = /[?&]lang=en(?:&|$)/.test(url) ? 'en' : 'fr';
      const html =
        notFound && dialect === 'payment-page'
          ? renderNotFound(lang)
          : notFound
            ? renderMessage('Payment not found', 'This payment link is not valid.')
            : renderMessage('Cannot continue', `The request could not be read: ${message}.`);
      return { status, contentType: 'text/html; charset=utf-8', headers: PAGE_HEADERS, body: html };
    }
    default:
      // Processed openapi requests answer HTTP 200 (the seed's rule); refusals about HTTP keep their status, and
      // paths outside the dialect (/healthz) say it with the status too, so a monitor never reads a 200.
      return json(httpStatus ?? (dialect === 'openapi' && code !== 'NOT_FOUND' ? 200 : status), {
        code: code === 'NOT_FOUND' ? 404 : OPENAPI_CODES[code],
        msg: message,
        data: null,
        traceid,
      });
  }
}
