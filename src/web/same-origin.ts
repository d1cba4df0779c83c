// Page POSTs (network choice, sandbox buttons, mobile-money steps) change orders, so they must come from
// Tender's own pages, not from a form on another site that a customer happens to visit (cross-site request
// forgery). Browsers say where a POST comes from: Origin (all current browsers on POST), else
// Sec-Fetch-Site, else Referer. A request with none of them is not a browser's cross-site form and passes.
import type { FastifyRequest } from 'fastify';
import { TenderError } from '../domain/errors.js';
import { isLoopbackHost } from '../config.js';

function hostOfOrigin(text: string): { origin: string; host: string; hostname: string } | undefined {
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return { origin: u.origin, host: u.host, hostname: u.hostname };
  } catch {
    return undefined;
  }
}

/**
 * Whether `origin` is this server: the public URL's origin, or — for a server reached on a loopback address
 * (development, tests) — the host the request itself was sent to.
 */
export function isOwnOrigin(origin: string, publicUrl: string, requestHost: string | undefined): boolean {
  const o = hostOfOrigin(origin);
  if (!o) return false;
  if (o.origin === hostOfOrigin(publicUrl)?.origin) return true;
  return requestHost !== undefined && isLoopbackHost(o.hostname) && o.host === requestHost.toLowerCase();
}

/** Throws FORBIDDEN unless the POST plausibly comes from one of this server's own pages. */
export function assertSameOrigin(req: FastifyRequest, publicUrl: string): void {
  const h = req.headers;
  const own = (o: string) => isOwnOrigin(o, publicUrl, h.host);
  const origin = h.origin;
  if (origin !== undefined) {
    // "null" comes from sandboxed frames, data: pages and privacy redirects: never one of our pages.
    if (own(origin)) return;
    throw new TenderError('FORBIDDEN', `a form of ${origin.slice(0, 100)} cannot act on this payment`);
  }
  const site = h['sec-fetch-site'];
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return;
    throw new TenderError('FORBIDDEN', 'a form of another site cannot act on this payment');
  }
  const referer = h.referer;
  if (referer !== undefined && !own(referer))
    throw new TenderError('FORBIDDEN', 'a form of another site cannot act on this payment');
}
