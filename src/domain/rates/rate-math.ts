// Exchange-rate arithmetic on exact fractions of bigints: no float ever touches a rate or an amount.
// Direction (shared/spec M3's decision): a rate is *units of the source currency per 1 unit of the target*
// (USDT→BTC at 40000 means 40000 USDT buy 1 BTC). Every rounding favours the house by less than one unit of
// the last digit it keeps (docs/rates-and-exchange.md has worked examples).

/** A positive fraction n/d. */
export interface Ratio {
  n: bigint;
  d: bigint;
}

/** A rate as quoted: `units / 10^scale` source units per target unit (e.g. 40000000000 at scale 6). */
export interface ScaledRate {
  units: bigint;
  scale: number;
}

/** Quoted rates keep at least this many decimals (the seed writes "40000.000000")... */
export const MIN_RATE_SCALE = 6;
/** ...and at least this many significant digits, up to MAX_RATE_SCALE decimals. */
const SIGNIFICANT = 7n;
export const MAX_RATE_SCALE = 18;

const PRICE = /^(0|[1-9][0-9]{0,29})(?:\.([0-9]{1,30}))?$/;

/** Parses a positive plain decimal ("40000.5") exactly; undefined for anything else (zero, signs, exponents). */
export function parsePositiveDecimal(text: string): Ratio | undefined {
  const m = PRICE.exec(text);
  if (!m) return undefined;
  const frac = m[2] ?? '';
  const n = BigInt(m[1]! + frac);
  if (n === 0n) return undefined;
  return reduce({ n, d: 10n ** BigInt(frac.length) });
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function reduce(r: Ratio): Ratio {
  const g = gcd(r.n, r.d);
  return { n: r.n / g, d: r.d / g };
}

export const invert = (r: Ratio): Ratio => ({ n: r.d, d: r.n });
export const times = (a: Ratio, b: Ratio): Ratio => reduce({ n: a.n * b.n, d: a.d * b.d });
export const over = (a: Ratio, b: Ratio): Ratio => times(a, invert(b));

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** The rate widened by `bps` basis points in the house's favour (more source per target). */
export function withSpread(mid: Ratio, bps: number): Ratio {
  if (!Number.isInteger(bps) || bps < 0) throw new Error('spread must be a non-negative whole number of bps');
  return times(mid, { n: 10000n + BigInt(bps), d: 10000n });
}

/** Decimals a quote keeps: MIN_RATE_SCALE, more for small rates so 7 significant digits survive. */
export function quoteScale(r: Ratio): number {
  let scale = MIN_RATE_SCALE;
  while (scale < MAX_RATE_SCALE && (r.n * 10n ** BigInt(scale)) / r.d < 10n ** (SIGNIFICANT - 1n)) scale++;
  return scale;
}

/** Rounds a rate UP to `scale` decimals: the customer pays at most one unit of the last decimal more. */
export function quoteRate(r: Ratio, scale = quoteScale(r)): ScaledRate {
  return { units: ceilDiv(r.n * 10n ** BigInt(scale), r.d), scale };
}

/** "40000.000000": exactly `scale` decimals. */
export function formatRate(q: ScaledRate): string {
  const digits = q.units.toString().padStart(q.scale + 1, '0');
  const int = digits.slice(0, digits.length - q.scale);
  return q.scale > 0 ? `${int}.${digits.slice(digits.length - q.scale)}` : int;
}

/**
 * purchaseType 0: how much target `sourceMinor` buys at the quoted rate, rounded DOWN to the target's
 * minor unit (the house keeps the fraction, less than one minor unit).
 */
export function targetForSource(sourceMinor: bigint, sourceExp: number, q: ScaledRate, targetExp: number): bigint {
  const num = sourceMinor * 10n ** BigInt(q.scale + targetExp);
  const den = q.units * 10n ** BigInt(sourceExp);
  return num / den;
}

/**
 * purchaseType 1: how much source buys `targetMinor` at the quoted rate, rounded UP to the source's minor
 * unit (the customer pays less than one minor unit more, never less than the rate says).
 */
export function sourceForTarget(targetMinor: bigint, targetExp: number, q: ScaledRate, sourceExp: number): bigint {
  const num = targetMinor * q.units * 10n ** BigInt(sourceExp);
  const den = 10n ** BigInt(targetExp + q.scale);
  return ceilDiv(num, den);
}

/** Exchange fee in basis points, rounded UP to the minor unit (the house's side, by less than one unit). */
export function exchangeFee(gross: bigint, bps: number): bigint {
  if (!Number.isInteger(bps) || bps < 0 || bps > 10000) throw new Error('fee must be 0-10000 bps');
  return ceilDiv(gross * BigInt(bps), 10000n);
}
