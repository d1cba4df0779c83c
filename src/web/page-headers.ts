// Headers of every hosted-page HTML answer. Scripts run only with this response's nonce, so text that reaches
// the page (a brand, a redirect, an injected tag) can never run script; forms may only post to Tender itself
// and to where a post may redirect the customer (the merchant's return URLs); nothing is cached or framed by
// others. The referrer goes to Tender only (`same-origin`): a payment link never leaks to a wallet or a shop,
// and the page's own form posts still carry an Origin header for the cross-site check (same-origin.ts);
// with `no-referrer` browsers would send `Origin: null` instead.
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

export interface PagePolicy {
  /** The nonce of the page's own inline script; none for pages without script. */
  nonce?: string;
  /** Absolute URLs a form post on this page may redirect to; only their origins are used. */
  formTargets?: ReadonlyArray<string | null | undefined>;
  /**
   * Portal and console pages (issue 12): no inline style or script at all; the stylesheet and scripts come
   * from /assets/ on this origin, and nothing may frame them.
   */
  strict?: boolean;
}

/** A fresh nonce for one response (128 bits, base64 as CSP expects). */
export const newNonce = (): string => randomBytes(16).toString('base64');

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    // URL.origin is already normalized (punycode host, no spaces or ';'), so it is safe inside the header.
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export function contentSecurityPolicy(p: PagePolicy): string {
  const targets = [...new Set((p.formTargets ?? []).flatMap((t) => (t ? [originOf(t)] : [])).filter(Boolean))];
  // Strict pages may still name form targets (the card pages: a post redirects to the merchant's return URL).
  if (p.strict)
    return [
      "default-src 'none'",
      "style-src 'self'",
      "script-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      `form-action ${["'self'", ...targets].join(' ')}`,
      "frame-ancestors 'none'",
    ].join('; ');
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src ${p.nonce ? `'nonce-${p.nonce}'` : "'none'"}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    `form-action ${["'self'", ...targets].join(' ')}`,
    "frame-ancestors 'self'",
  ].join('; ');
}

export function pageHeaders(reply: FastifyReply, p: PagePolicy = {}): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .header('x-frame-options', p.strict ? 'DENY' : 'SAMEORIGIN')
    .header('referrer-policy', 'same-origin')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', contentSecurityPolicy(p))
    .type('text/html; charset=utf-8');
}

/** Headers of a merchant-portal or console page: the strict policy above. */
export const portalHeaders = (reply: FastifyReply): FastifyReply => pageHeaders(reply, { strict: true });
