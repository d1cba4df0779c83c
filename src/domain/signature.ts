// C-Pay openapi signature (seed 001 section 16, settled in shared/spec/README.md).
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Params = Readonly<Record<string, string>>;

/** `k=v` pairs of every non-empty parameter except `sign`, sorted by name in byte order, then `&key=`. */
export function canonicalString(params: Params, key: string): string {
  const names = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== '')
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `${names.map((k) => `${k}=${params[k]}`).join('&')}&key=${key}`;
}

export function signParams(params: Params, key: string): string {
  return createHmac('sha256', key).update(canonicalString(params, key), 'utf8').digest('hex');
}

export function verifyParams(params: Params, key: string, sign: string): boolean {
  const expected = Buffer.from(signParams(params, key), 'utf8');
  const given = Buffer.from(sign.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
