// C-Pay openapi signature (seed 001 §16): every non-empty parameter except `sign`, sorted by name
// (plain byte order), joined `name=value` with `&`, then `&key=<securityKey>`; HMAC-SHA256 keyed by the
// security key, lowercase hex. Values are used exactly as sent: no URL-encoding, no trimming.
//
// The demo code the CPay documents ship differs only in what it does with empty values; Tender accepts
// all of them (its spec, "Signature recipes"), and so does verification here:
// - text:       §16's text and the Go demos: empty values are left out (what `sign` produces);
// - all-params: seed 001's PHP and Java demos, the newer Java demo: every parameter, an empty one as `k=`;
// - php-empty:  the newer PHP demo's `!empty($v)`: `""` and `"0"` are left out.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignableParams = Readonly<Record<string, string | undefined>>;

export const SIGNATURE_RECIPES = ['text', 'all-params', 'php-empty'] as const;
export type SignatureRecipe = (typeof SIGNATURE_RECIPES)[number];

const KEEPS: Record<SignatureRecipe, (v: string) => boolean> = {
  text: (v) => v !== '',
  'all-params': () => true,
  'php-empty': (v) => v !== '' && v !== '0',
};

export function canonicalString(params: SignableParams, securityKey: string, recipe: SignatureRecipe = 'text'): string {
  const keep = KEEPS[recipe];
  const names = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && keep(params[k]))
    .sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  return `${names.map((k) => `${k}=${params[k]}`).join('&')}&key=${securityKey}`;
}

/** The `sign` parameter for these parameters (any `sign` among them is ignored); §16's text recipe by default. */
export function sign(params: SignableParams, securityKey: string, recipe: SignatureRecipe = 'text'): string {
  return createHmac('sha256', securityKey)
    .update(canonicalString(params, securityKey, recipe), 'utf8')
    .digest('hex');
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

/** The first recipe whose signature equals `given`, or undefined (each distinct text is hashed once). */
export function matchingRecipe(
  params: SignableParams,
  securityKey: string,
  given: string,
): SignatureRecipe | undefined {
  const seen = new Set<string>();
  for (const recipe of SIGNATURE_RECIPES) {
    const text = canonicalString(params, securityKey, recipe);
    if (seen.has(text)) continue;
    seen.add(text);
    if (safeEqualHex(createHmac('sha256', securityKey).update(text, 'utf8').digest('hex'), given)) return recipe;
  }
  return undefined;
}

/** True when `given` signs `params` under any recipe the spec allows. */
export function verify(params: SignableParams, securityKey: string, given: string): boolean {
  return matchingRecipe(params, securityKey, given) !== undefined;
}
