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

/** What a redirect is checked against: the merchant's registered website and its allowed host names. */
export interface RedirectOwner {
  website: string;
  allowed_hosts: readonly string[];
}

/**
 * A customer redirect (minimal `redirect`, openapi successURL/failURL) must go to a registered host of the
 * merchant, over the website's scheme or https (never down to http: that would hand the order id and the
 * customer's session to anyone on the network), and on the website's port (its explicit port, or each
 * scheme's default when the website names none: another port is another service, perhaps not the merchant's).
 * Operator-added hosts (allowedHosts) are host names only and follow the same scheme and port rule.
 */
export function assertAllowedRedirect(url: string, owner: RedirectOwner, field: string): void {
  const h = hostOf(url);
  if (!h) throw new TenderError('INVALID_PARAM', `${field} must be an absolute http(s) URL`);
  if (!owner.allowed_hosts.includes(h))
    throw new TenderError('REDIRECT_NOT_ALLOWED', `${field} host ${h} is not a registered host of the merchant`);
  const target = new URL(url);
  const site = websiteOf(owner.website);
  if (site.protocol === 'https:' && target.protocol !== 'https:')
    throw new TenderError('REDIRECT_NOT_ALLOWED', `${field} must use https like the merchant's website`);
  if (target.port !== site.port) {
    const want = site.port ? `port ${site.port}` : 'the default port';
    throw new TenderError('REDIRECT_NOT_ALLOWED', `${field} must use ${want} like the merchant's website`);
  }
}

/** The registered website; one that no longer parses is held to the strictest rule (https, default port). */
function websiteOf(website: string): { protocol: string; port: string } {
  try {
    const u = new URL(website);
    if (u.protocol === 'http:' || u.protocol === 'https:') return { protocol: u.protocol, port: u.port };
  } catch {
    // fall through
  }
  return { protocol: 'https:', port: '' };
}

/** Appends txnRef=<orderId> as seed 001 section 12 describes. */
export function withTxnRef(url: string, orderId: string): string {
  const u = new URL(url);
  u.searchParams.set('txnRef', orderId);
  return u.toString();
}
