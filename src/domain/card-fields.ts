// Checks of the card fields of pwpp and createOrderByCreditCard (issue 13, spec M7/M8), each failure with its own
// catalog code (docs/cards.md "Refusals"). A card number or CVV is never repeated in a message.
import { isIP, isIPv4 } from 'node:net';
import { CardNumber } from './card-number.js';
import { TenderError } from './errors.js';

export type CardBrand = 'VISA' | 'MASTER';

/** VISA: 4…; Mastercard: 51–55 and 2221–2720. Other schemes are on none of the reference's channels. */
export function brandOf(digits: string): CardBrand | undefined {
  if (digits.startsWith('4')) return 'VISA';
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'MASTER';
  return undefined;
}

export function parseCardNumber(text: string): { number: CardNumber; brand: CardBrand } {
  let number: CardNumber;
  try {
    number = CardNumber.parse(text);
  } catch {
    throw new TenderError('CARD_PAN_INVALID', 'cardNumber must be 12-19 digits with a valid check digit (Luhn)');
  }
  const brand = brandOf(number.reveal());
  if (!brand) throw new TenderError('CARD_BRAND_NOT_SUPPORTED');
  return { number, brand };
}

/** MM/YY (the reference's `12/27`); a month already over is CARD_EXPIRED. */
export function parseExpDate(text: string, now: Date): { expMonth: number; expYear: number } {
  const m = /^(0[1-9]|1[0-2])\/([0-9]{2})$/.exec(text);
  if (!m) throw new TenderError('CARD_EXPIRY_INVALID');
  const expMonth = Number(m[1]);
  const expYear = 2000 + Number(m[2]);
  const y = now.getUTCFullYear();
  if (expYear < y || (expYear === y && expMonth < now.getUTCMonth() + 1)) throw new TenderError('CARD_EXPIRED');
  return { expMonth, expYear };
}

export function checkCvv(text: string): void {
  if (!/^[0-9]{3,4}$/.test(text)) throw new TenderError('CARD_CVV_INVALID');
}

const REGIONS = new Intl.DisplayNames(['en'], { type: 'region' });

/** ISO 3166-1 alpha-2, upper case (a code Intl does not know is refused). */
export function parseCountry2(text: string): string {
  const c = text.toUpperCase();
  if (!/^[A-Z]{2}$/.test(c) || REGIONS.of(c) === c || c === 'XX' || c === 'ZZ')
    throw new TenderError('CARD_COUNTRY_INVALID');
  return c;
}

export function checkIp(text: string, v4Only: boolean): void {
  if (v4Only ? !isIPv4(text) : isIP(text) === 0)
    throw new TenderError(
      'CARD_IP_INVALID',
      v4Only ? 'ip must be an IPv4 address' : 'ip must be an IPv4 or IPv6 address',
    );
}

export function checkEmail(text: string): void {
  if (text.length > 64 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) throw new TenderError('CARD_EMAIL_INVALID');
}

/** `products`: a JSON array (of objects), as text. */
export function checkProducts(text: string): void {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new TenderError('CARD_PRODUCTS_INVALID', 'products must be a JSON array (it is not valid JSON)');
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x)))
    throw new TenderError('CARD_PRODUCTS_INVALID', 'products must be a JSON array of objects');
}

/** A billing text field: `pattern` over the whole value; the message names the field and the rule. */
export function checkField(name: string, value: string, pattern: RegExp, rule: string): void {
  if (!pattern.test(value)) throw new TenderError('CARD_FIELD_INVALID', `${name} must be ${rule}`);
}

/**
 * A card amount with two decimals: pwpp v1 rounds further decimals down (seed 001 §12: 1.528 → 1.52), pwpp v2
 * rounds half-up (its reference page: 1.528 → 1.53). Answers minor units.
 */
export function cardAmount(text: string, rounding: 'down' | 'half-up'): bigint {
  const m = /^(0|[1-9][0-9]{0,29})(?:\.([0-9]{1,30}))?$/.exec(text);
  if (!m) throw new TenderError('INVALID_PARAM', 'amount must be a plain decimal number such as 19.99');
  const frac = m[2] ?? '';
  let minor = BigInt(m[1]!) * 100n + BigInt(`${frac}00`.slice(0, 2));
  if (rounding === 'half-up' && frac.length > 2 && Number(frac[2]) >= 5) minor += 1n;
  if (minor <= 0n) throw new TenderError('AMOUNT_NOT_POSITIVE', 'amount must be at least 0.01 after rounding');
  return minor;
}
