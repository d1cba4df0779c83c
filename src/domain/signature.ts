// C-Pay openapi signature (seed 001 section 16, settled in shared/spec/README.md "Compatibility with merchant
// code in the wild"). Every recipe is the same HMAC-SHA256 over `k=v&...&key=<securityKey>` (names sorted
// in byte order, `sign` left out, lowercase hex); they differ only in which parameters they leave out:
// - text:       §16's text and worked vector, the Go demos: parameters whose value is empty are left out;
// - all-params: seed 001's PHP and Java demos and the reference's newer Java demo: nothing is left out,
//               an empty value is written `k=`;
// - php-empty:  the reference's newer PHP demo, `if (!empty($v))`: `""` and `"0"` are left out.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Params = Readonly<Record<string, string>>;

export const SIGNATURE_RECIPES = ['text', 'all-params', 'php-empty'] as const;
export type SignatureRecipe = (typeof SIGNATURE_RECIPES)[number];

const KEEPS: Record<SignatureRecipe, (v: string) => boolean> = {
  text: (v) => v !== '',
  'all-params': () => true,
  // PHP's empty() is true for the strings "" and "0" (not for "0.0" or "00").
  'php-empty': (v) => v !== '' && v !== '0',
};

/** The text the recipe signs: kept `k=v` pairs sorted by name in byte order, then `&key=`. */
export function canonicalString(params: Params, key: string, recipe: SignatureRecipe = 'text'): string {
  const keep = KEEPS[recipe];
  const names = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && keep(params[k]))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `${names.map((k) => `${k}=${params[k]}`).join('&')}&key=${key}`;
}

const hmac = (text: string, key: string) => createHmac('sha256', key).update(text, 'utf8').digest('hex');

export function signParams(params: Params, key: string, recipe: SignatureRecipe = 'text'): string {
  return hmac(canonicalString(params, key, recipe), key);
}

/**
 * The first recipe (in SIGNATURE_RECIPES order) whose signature equals `sign`, or undefined. Parameters
 * without empty or "0" values sign the same text under every recipe; they count as `text`. Each distinct
 * text is hashed once and compared in constant time.
 */
export function matchRecipe(params: Params, key: string, sign: string): SignatureRecipe | undefined {
  const given = Buffer.from(sign.toLowerCase(), 'utf8');
  const seen = new Set<string>();
  for (const recipe of SIGNATURE_RECIPES) {
    const text = canonicalString(params, key, recipe);
    if (seen.has(text)) continue;
    seen.add(text);
    const expected = Buffer.from(hmac(text, key), 'utf8');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return recipe;
  }
  return undefined;
}

/** True when `sign` matches any recipe the spec allows. */
export function verifyParams(params: Params, key: string, sign: string): boolean {
  return matchRecipe(params, key, sign) !== undefined;
}
