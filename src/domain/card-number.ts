// Card numbers (PANs) for createFiatPayoutOrder's channel 2 (shared/spec M2 decision: `toAccount` is the card
// number, Luhn-checked, stored sealed, shown masked). PCI DSS: the full number must never reach a log, an error
// message or an answer, so it lives only inside a CardNumber, whose every printable form is the masked one.
import { inspect } from 'node:util';
import { TenderError } from './errors.js';

/** ISO/IEC 7812 numbers have 12 to 19 digits (issuer identification, account, Luhn check digit). */
export const PAN_MIN = 12;
export const PAN_MAX = 19;

/** Luhn (ISO/IEC 7812-1 annex B): doubling every second digit from the right, the sum is a multiple of 10. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * First 6 and last 4 digits, the most PCI DSS allows to display. On numbers shorter than 16 digits that would
 * leave fewer than 6 digits hidden (a 12-digit PAN would show 10), so those show the last 4 only.
 */
export function maskPan(digits: string): string {
  const head = digits.length >= 16 ? digits.slice(0, 6) : '';
  return head + '*'.repeat(digits.length - head.length - 4) + digits.slice(-4);
}

export class CardNumber {
  readonly #digits: string;
  private constructor(digits: string) {
    this.#digits = digits;
  }
  /** Digits only, 12-19 of them, Luhn-valid, not all zeros; else CARD_NUMBER_INVALID (never echoing it). */
  static parse(text: string): CardNumber {
    const bad = (why: string) => new TenderError('CARD_NUMBER_INVALID', `toAccount is not a valid card number: ${why}`);
    if (!/^[0-9]+$/.test(text)) throw bad('digits only, without spaces or separators');
    if (text.length < PAN_MIN || text.length > PAN_MAX) throw bad(`it must have ${PAN_MIN} to ${PAN_MAX} digits`);
    if (/^0+$/.test(text)) throw bad('it is all zeros');
    if (!luhnValid(text)) throw bad('the check digit does not match (Luhn)');
    return new CardNumber(text);
  }
  /** The full number, for the rail and the sealing store only. */
  reveal(): string {
    return this.#digits;
  }
  masked(): string {
    return maskPan(this.#digits);
  }
  get length(): number {
    return this.#digits.length;
  }
  toString(): string {
    return this.masked();
  }
  toJSON(): string {
    return this.masked();
  }
  [inspect.custom](): string {
    return `CardNumber(${this.masked()})`;
  }
}
