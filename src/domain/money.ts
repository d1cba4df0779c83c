// Amounts are bigint minor units; the wire carries decimal strings. Nothing here ever touches a float.
import { TenderError } from './errors.js';

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * Parses a plain decimal string ("12.5") into minor units at `exponent`.
 * Refuses signs, exponents, spaces and anything with more significant decimals than the unit can hold:
 * an amount that cannot be represented is an error, never a rounding.
 */
export function parseDecimal(text: string, exponent: number, field = 'amount', maxDecimals = exponent): bigint {
  const m = DECIMAL.exec(text);
  if (!m) throw new TenderError('INVALID_PARAM', `${field} must be a plain decimal number`);
  const intPart = m[1]!;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > maxDecimals) {
    throw new TenderError('INVALID_PARAM', `${field} has more than ${maxDecimals} decimals`);
  }
  if (frac.length > exponent) {
    throw new TenderError('INVALID_PARAM', `${field} cannot be represented with ${exponent} decimals`);
  }
  return BigInt(intPart + frac.padEnd(exponent, '0'));
}

/** Formats minor units as the shortest decimal string (no trailing zeros, no exponent notation). */
export function formatMinor(amount: bigint, exponent: number): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(exponent + 1, '0');
  const intPart = digits.slice(0, digits.length - exponent);
  const frac = exponent > 0 ? digits.slice(digits.length - exponent).replace(/0+$/, '') : '';
  return (negative ? '-' : '') + intPart + (frac ? `.${frac}` : '');
}

/** Moves an amount between two unit scales; throws when the conversion would lose precision. */
export function rescale(amount: bigint, fromExponent: number, toExponent: number): bigint {
  if (toExponent >= fromExponent) return amount * 10n ** BigInt(toExponent - fromExponent);
  const div = 10n ** BigInt(fromExponent - toExponent);
  if (amount % div !== 0n)
    throw new TenderError('AMOUNT_NOT_REPRESENTABLE', 'amount cannot be represented without rounding');
  return amount / div;
}

/** Basis-point fee, rounded down so the merchant is never charged more than the rate says. */
export function feeFor(amount: bigint, feeBps: number): bigint {
  return (amount * BigInt(feeBps)) / 10000n;
}
