// C-Pay openapi signature (seed 001 §16): every non-empty parameter except `sign`, sorted by name
// (plain byte order), joined `name=value` with `&`, then `&key=<securityKey>`; HMAC-SHA256 keyed by the
// security key, lowercase hex. Values are used exactly as sent: no URL-encoding, no trimming.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignableParams = Readonly<Record<string, string | undefined>>;

export function canonicalString(params: SignableParams, securityKey: string): string {
  const names = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== '')
    .sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  return `${names.map((k) => `${k}=${params[k]}`).join('&')}&key=${securityKey}`;
}

/** The `sign` parameter for these parameters (any `sign` among them is ignored). */
export function sign(params: SignableParams, securityKey: string): string {
  return createHmac('sha256', securityKey).update(canonicalString(params, securityKey), 'utf8').digest('hex');
}

/** Constant-time comparison of two hex/ASCII signatures (case-insensitive, as senders may upper-case hex). */
export function safeEqualHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  // The lengths are public (64 hex chars); comparing a with itself keeps the time flat on a length mismatch.
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

export function verify(params: SignableParams, securityKey: string, given: string): boolean {
  return safeEqualHex(sign(params, securityKey), given);
}
