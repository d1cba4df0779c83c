// Customer redirects may only go to the merchant's registered hosts: no open redirect through Tender.
import { TenderError } from './errors.js';

export function hostOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** The hosts a new merchant may redirect to: its website's host and that host with or without `www.`. */
export function defaultAllowedHosts(website: string): string[] {
  const h = hostOf(website);
  if (!h) throw new TenderError('INVALID_PARAM', 'website must be an http(s) URL');
  return h.startsWith('www.') ? [h, h.slice(4)] : [h, `www.${h}`];
}

export function assertAllowedRedirect(url: string, allowedHosts: readonly string[], field: string): void {
  const h = hostOf(url);
  if (!h) throw new TenderError('INVALID_PARAM', `${field} must be an absolute http(s) URL`);
  if (!allowedHosts.includes(h))
    throw new TenderError('REDIRECT_NOT_ALLOWED', `${field} host ${h} is not a registered host of the merchant`);
}

/** Appends txnRef=<orderId> as seed 001 section 12 describes. */
export function withTxnRef(url: string, orderId: string): string {
  const u = new URL(url);
  u.searchParams.set('txnRef', orderId);
  return u.toString();
}
