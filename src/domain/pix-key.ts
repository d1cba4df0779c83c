// Pix keys (DICT, Banco Central do Brasil) as createFiatPayoutOrder's `accountType` + `toAccount` name them
// (seed 001 §5, shared/spec M2): 1 CPF or CNPJ, 2 e-mail, 3 mobile phone, 4 random key (EVP). Each way a key
// can be wrong has its own catalog code, so a merchant can tell its user what to fix. Keys are normalised to
// the form DICT stores (docs/pix-payouts.md). A key is personal data (a CPF names a person), so the value is
// held in a PixKey that shows itself masked in logs, errors and JSON; only reveal() gives it to a rail.
import { inspect } from 'node:util';
import { type ErrorCode, TenderError } from './errors.js';

export type PixKeyType = 'cpf' | 'cnpj' | 'email' | 'phone' | 'random';

/** DICT limits every key to 77 characters; an e-mail key is the only kind that can reach it. */
export const PIX_KEY_MAX = 77;

export class PixKey {
  readonly type: PixKeyType;
  readonly #value: string;
  constructor(type: PixKeyType, normalised: string) {
    this.type = type;
    this.#value = normalised;
  }
  /** The normalised key, for the rail only. */
  reveal(): string {
    return this.#value;
  }
  masked(): string {
    return maskPixKey(this.type, this.#value);
  }
  toString(): string {
    return `${this.type}:${this.masked()}`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return `PixKey(${this.toString()})`;
  }
}

// Case is folded for ASCII letters only: String#toUpperCase maps 'ſ' to 'S' and 'ß' to 'SS', and toLowerCase
// maps the Kelvin sign to 'k', which would let a non-ASCII text pass as a key it is not.
export const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (c) => c.toUpperCase());
export const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

// ---- CPF and CNPJ (accountType 1) ----

const mod11 = (sum: number) => (sum % 11 < 2 ? 0 : 11 - (sum % 11));

/** The two check digits of a 9-digit CPF base: weights 10..2, then 11..2 over the base and the first digit. */
export function cpfCheckDigits(base: string): string {
  const d = [...base].map(Number);
  const first = mod11(d.reduce((s, v, i) => s + v * (10 - i), 0));
  const second = mod11([...d, first].reduce((s, v, i) => s + v * (11 - i), 0));
  return `${first}${second}`;
}

const CNPJ_WEIGHTS = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * The two check digits of a 12-character CNPJ base. Receita Federal's rule for the alphanumeric CNPJ (issued from
 * July 2026, Nota Técnica COCAD/SUARA/RFB 49/2024) is the numeric one with each character worth its ASCII code
 * minus 48 ('0'-'9' = 0-9, 'A' = 17 … 'Z' = 42), so numeric CNPJs keep their digits.
 */
export function cnpjCheckDigits(base: string): string {
  const v = [...base].map((c) => c.charCodeAt(0) - 48);
  const first = mod11(v.reduce((s, x, i) => s + x * CNPJ_WEIGHTS[i + 1]!, 0));
  const second = mod11([...v, first].reduce((s, x, i) => s + x * CNPJ_WEIGHTS[i]!, 0));
  return `${first}${second}`;
}

// Bare, or exactly the official masks 000.000.000-00 and 00.000.000/0000-00 (letters allowed in a CNPJ body).
const CPF_FORM = /^(?:[0-9]{11}|[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2})$/;
const CNPJ_FORM = /^(?:[0-9A-Z]{12}[0-9]{2}|[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}\/[0-9A-Z]{4}-[0-9]{2})$/;
const sameCharacter = (s: string) => /^(.)\1*$/.test(s);

function taxId(text: string): PixKey {
  if (CPF_FORM.test(text)) {
    const cpf = text.replace(/[.-]/g, '');
    if (sameCharacter(cpf) || cpfCheckDigits(cpf.slice(0, 9)) !== cpf.slice(9))
      throw new TenderError('PIX_CPF_INVALID', 'toAccount is not a valid CPF (check digits do not match)');
    return new PixKey('cpf', cpf);
  }
  // Receita Federal writes CNPJ letters in upper case; a lower-case copy is the same number.
  const upper = asciiUpper(text);
  if (CNPJ_FORM.test(upper)) {
    const cnpj = upper.replace(/[./-]/g, '');
    if (sameCharacter(cnpj) || cnpjCheckDigits(cnpj.slice(0, 12)) !== cnpj.slice(12))
      throw new TenderError('PIX_CNPJ_INVALID', 'toAccount is not a valid CNPJ (check digits do not match)');
    return new PixKey('cnpj', cnpj);
  }
  throw new TenderError(
    'PIX_TAX_ID_INVALID',
    'toAccount must be a CPF (11 digits) or a CNPJ (14 characters), bare or as 000.000.000-00 / 00.000.000/0000-00',
  );
}

// ---- e-mail (accountType 2) ----

// A practical rule, not RFC 5322's: dot-atoms only (no quoted local parts, no IP literals, no comments), a domain
// of at least two LDH labels with an alphabetic top-level label. DICT stores e-mail keys in lower case.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function email(text: string): PixKey {
  const e = asciiLower(text);
  const bad = (why: string) => new TenderError('PIX_EMAIL_INVALID', `toAccount is not a valid e-mail address: ${why}`);
  if (e.length > PIX_KEY_MAX) throw bad(`longer than ${PIX_KEY_MAX} characters`);
  const at = e.lastIndexOf('@');
  if (at < 1 || at === e.length - 1) throw bad('it needs a name, one @ and a domain');
  const local = e.slice(0, at);
  const domain = e.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) throw bad('the part before @ is not allowed');
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !/^[a-z]{2,63}$/.test(labels.at(-1)!))
    throw bad('the domain is not allowed');
  return new PixKey('email', e);
}

// ---- phone (accountType 3) ----

/** Brazil's 67 area codes (DDD, ANATEL's Plano Nacional de Numeração); 20, 23, 25, 26, 29, 30, … are unused. */
export const BRAZIL_AREA_CODES: ReadonlySet<number> = new Set([
  ...[11, 12, 13, 14, 15, 16, 17, 18, 19], // SP
  ...[21, 22, 24, 27, 28], // RJ, ES
  ...[31, 32, 33, 34, 35, 37, 38], // MG
  ...[41, 42, 43, 44, 45, 46, 47, 48, 49], // PR, SC
  ...[51, 53, 54, 55], // RS
  ...[61, 62, 63, 64, 65, 66, 67, 68, 69], // DF, GO, TO, MT, MS, AC, RO
  ...[71, 73, 74, 75, 77, 79], // BA, SE
  ...[81, 82, 83, 84, 85, 86, 87, 88, 89], // PE, AL, PB, RN, CE, PI
  ...[91, 92, 93, 94, 95, 96, 97, 98, 99], // PA, AM, RR, AP, MA
]);

function phone(text: string): PixKey {
  // Separators people type ("+55 (11) 98765-4321") are dropped; DICT stores E.164: +55 DDD number.
  const e164 = text.replace(/[\s().-]/g, '');
  if (!e164.startsWith('+55'))
    throw new TenderError('PIX_PHONE_NOT_BRAZILIAN', 'toAccount must be a Brazilian phone number starting with +55');
  const rest = e164.slice(3);
  if (!/^[0-9]{10,11}$/.test(rest))
    throw new TenderError(
      'PIX_PHONE_NUMBER_INVALID',
      'toAccount must be +55, a 2-digit area code and an 8-digit landline or 9-digit mobile number',
    );
  if (!BRAZIL_AREA_CODES.has(Number(rest.slice(0, 2))))
    throw new TenderError('PIX_PHONE_AREA_CODE_INVALID', `toAccount has an area code (DDD) not in use in Brazil`);
  const subscriber = rest.slice(2);
  // Mobile numbers have had 9 digits starting with 9 since 2016; landlines have 8 digits starting with 2-5.
  if (subscriber.length === 9 ? subscriber[0] !== '9' : !/^[2-5]/.test(subscriber))
    throw new TenderError(
      'PIX_PHONE_NUMBER_INVALID',
      'toAccount must be a 9-digit mobile number starting with 9 or an 8-digit landline starting with 2-5',
    );
  return new PixKey('phone', e164);
}

// ---- random key (accountType 4) ----

// A canonical UUID version 4 (RFC 9562 variant). UUIDs are case-insensitive on input; DICT stores lower case.
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function randomKey(text: string): PixKey {
  const k = asciiLower(text);
  if (!UUID_V4.test(k))
    throw new TenderError(
      'PIX_RANDOM_KEY_INVALID',
      'toAccount must be a random key: a UUID version 4 written 8-4-4-4-12 hex digits with hyphens',
    );
  return new PixKey('random', k);
}

const BY_ACCOUNT_TYPE: Record<string, (text: string) => PixKey> = { 1: taxId, 2: email, 3: phone, 4: randomKey };
const TOO_LONG: Record<string, ErrorCode> = {
  1: 'PIX_TAX_ID_INVALID',
  2: 'PIX_EMAIL_INVALID',
  3: 'PIX_PHONE_NUMBER_INVALID',
  4: 'PIX_RANDOM_KEY_INVALID',
};

/** shared/spec M2: toAccount holds up to 128 characters (no key of any type is that long). */
export const TO_ACCOUNT_MAX = 128;

/** accountType ("1"-"4") and toAccount → the normalised key, or the catalog error that says what is wrong. */
export function parsePixKey(accountType: string, toAccount: string): PixKey {
  const parse = BY_ACCOUNT_TYPE[accountType];
  if (!/^[1-4]$/.test(accountType) || !parse)
    throw new TenderError(
      'PIX_ACCOUNT_TYPE_INVALID',
      'accountType must be 1 (CPF/CNPJ), 2 (e-mail), 3 (phone) or 4 (random key)',
    );
  if (toAccount.length > TO_ACCOUNT_MAX)
    throw new TenderError(TOO_LONG[accountType]!, `toAccount is longer than ${TO_ACCOUNT_MAX} characters`);
  return parse(toAccount.trim());
}

/** The key as support staff may see it: enough to recognise, not enough to reuse (LGPD). */
export function maskPixKey(type: PixKeyType, v: string): string {
  switch (type) {
    case 'cpf': // the form Banco Central shows on receipts: ***.456.789-**
      return `***.${v.slice(3, 6)}.${v.slice(6, 9)}-**`;
    case 'cnpj': // a company's number is public; the branch and check digits are hidden all the same
      return `${v.slice(0, 2)}.${v.slice(2, 5)}.${v.slice(5, 8)}/****-**`;
    case 'email': {
      const at = v.lastIndexOf('@');
      return `${v[0]}***${v.slice(at)}`;
    }
    case 'phone':
      return `${v.slice(0, 5)}*****${v.slice(-4)}`;
    case 'random':
      return `${v.slice(0, 4)}****-****-****-****-********${v.slice(-4)}`;
  }
}
