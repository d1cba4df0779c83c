// Validation of POST /v2/payment and /v2/payment/check as CinetPay does it (shared/spec/cinetpay.md),
// refusing with CinetPay's codes (docs/cinetpay.md). Pure: no database.
import type { AssetTable } from '../../domain/assets.js';
import { CP, CinetpayRefusal } from '../../domain/cinetpay.js';
import { parseDecimal } from '../../domain/money.js';
import { hostOf } from '../../domain/redirects.js';
import { literalRefusal, type DestinationPolicy } from '../../domain/destination-policy.js';
import type { CinetpayInit } from '../../core/cinetpay.js';
import { isBadText } from '../../domain/text.js';

export const CURRENCIES = ['XOF', 'XAF', 'CDF', 'GNF', 'USD'] as const;
/** Minimum amount per currency, in major units (Tender's table; CinetPay's docs give XOF/XAF/CDF/USD). */
export const MINIMUMS: Record<(typeof CURRENCIES)[number], string> = {
  XOF: '100',
  XAF: '100',
  CDF: '400',
  GNF: '1000',
  USD: '0.2',
};
export const CHANNELS = ['ALL', 'MOBILE_MONEY', 'CREDIT_CARD', 'WALLET'] as const;
export const CARD_CUSTOMER_FIELDS = [
  'customer_name',
  'customer_surname',
  'customer_email',
  'customer_phone_number',
  'customer_address',
  'customer_city',
  'customer_country',
  'customer_state',
  'customer_zip_code',
] as const;
export const CUSTOMER_FIELDS = ['customer_id', ...CARD_CUSTOMER_FIELDS] as const;
const FORBIDDEN_DESCRIPTION = /[#/$_&]/;
const MAX_TEXT = 255;

/** A parsed body: each top-level value with its JSON type and its text (raw for numbers). */
export type Body = Record<
  string,
  { type: 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null'; text: string; value: unknown }
>;

const refuse = (cp: (typeof CP)[keyof typeof CP], description: string): never => {
  throw new CinetpayRefusal(cp, description);
};

function present(b: Body, k: string): boolean {
  const v = b[k];
  return v !== undefined && v.type !== 'null' && v.text.trim() !== '';
}

/** A non-string JSON value as the merchant wrote it (form values are strings, so this is JSON only). */
function rawJsonText(v: Body[string]): string {
  return v.text !== '' ? v.text : JSON.stringify(v.value);
}

function text(b: Body, k: string, max = MAX_TEXT): string {
  const v = b[k]!;
  if (v.type !== 'string' && v.type !== 'number') refuse(CP.INVALID_PARAMETER, `${k} must be a string`);
  const t = v.text.trim();
  if (t.length > max) refuse(CP.INVALID_PARAMETER, `${k} must be at most ${max} characters`);
  // Every field read through here is a single line (ids, codes, URLs, names); description may span lines.
  if (isBadText(t, k !== 'description')) refuse(CP.INVALID_PARAMETER, `${k} has control characters`);
  return t;
}

export function requireFields(b: Body, fields: readonly string[]): void {
  const missing = fields.filter((f) => !present(b, f));
  if (missing.length)
    refuse(CP.MINIMUM_REQUIRED_FIELDS, `required field${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`);
}

export function credentials(b: Body): { apikey: string; siteId: string } {
  requireFields(b, ['apikey', 'site_id']);
  return { apikey: text(b, 'apikey'), siteId: text(b, 'site_id', 32) };
}

/** amount: an integer (USD: up to 2 decimals), a multiple of 5 except in USD, at least the currency's minimum. */
export function parseAmount(
  b: Body,
  currency: (typeof CURRENCIES)[number],
  assets: AssetTable,
): { amount: bigint; text: string } {
  const v = b.amount!;
  const t = v.text.trim();
  if ((v.type !== 'number' && v.type !== 'string') || !/^[0-9]{1,15}(\.[0-9]+)?$/.test(t))
    refuse(CP.ERROR_AMOUNT_TYPE, 'amount must be a positive integer');
  const [int, frac = ''] = t.split('.');
  const fraction = frac.replace(/0+$/, '');
  if (currency === 'USD' ? fraction.length > 2 : fraction.length > 0) {
    refuse(
      CP.ERROR_AMOUNT_TYPE,
      currency === 'USD' ? 'amount in USD has at most 2 decimals' : 'amount must be an integer',
    );
  }
  if (currency !== 'USD' && BigInt(int!) % 5n !== 0n)
    refuse(CP.ERROR_AMOUNT_MULTIPLE_OF_5, 'amount must be a multiple of 5');
  const exp = assets.ledger(currency).exponent;
  const amount = parseDecimal(fraction ? `${BigInt(int!)}.${fraction}` : String(BigInt(int!)), exp);
  if (amount < parseDecimal(MINIMUMS[currency], exp))
    refuse(CP.ERROR_AMOUNT_TOO_LOW, `amount must be at least ${MINIMUMS[currency]} ${currency}`);
  return { amount, text: t };
}

function url(b: Body, k: string): string {
  const u = text(b, k, 2048);
  if (!hostOf(u)) refuse(CP.ERROR_URL_NOTVALID, `${k} must be an absolute http(s) URL`);
  return u;
}

export function parseChannels(raw: string): string[] {
  const list = raw
    .split(',')
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
  if (!list.length || list.some((c) => !(CHANNELS as readonly string[]).includes(c)))
    refuse(CP.ERROR_CHANNELS_NOTVALID, `channels must be ${CHANNELS.join(', ')} or a comma-separated combination`);
  return [...new Set(list)];
}

/** Every field name the two endpoints read; a key is an alias of one of these only (see withAliases). */
const KNOWN_FIELDS = new Set<string>([
  'apikey',
  'site_id',
  'transaction_id',
  'token',
  'payment_token',
  'amount',
  'currency',
  'description',
  'notify_url',
  'return_url',
  'channels',
  'lang',
  'metadata',
  'invoice_data',
  'lock_phone_number',
  ...CUSTOMER_FIELDS,
]);

/**
 * The seed 002 SDK (both published versions) posts `return_url:`, `notify_url:`, `customer_name:` and
 * `customer_surname:`, a trailing colon typed into the key (CinetPay's own docs' curl example has the same slip).
 * A key that is a known field plus trailing colons/blanks is read as that field. When both spellings are sent,
 * they must agree: guessing which one the merchant meant could send money notices to the wrong URL.
 */
export function withAliases(b: Body): Body {
  const out: Body = Object.create(null);
  for (const [k, v] of Object.entries(b)) out[k] = v;
  for (const [k, v] of Object.entries(b)) {
    const base = k.replace(/[\s:]+$/, '').trim();
    if (base === k || !KNOWN_FIELDS.has(base)) continue;
    const clean = out[base];
    if (clean === undefined || clean.type === 'null') out[base] = v;
    else if (v.type !== 'null' && (clean.type !== v.type || clean.text !== v.text))
      refuse(CP.INVALID_PARAMETER, `${base} was sent twice (as "${k}") with different values`);
  }
  return out;
}

/** The whole initialisation body, after the credentials were checked. */
export function parseInit(b: Body, assets: AssetTable, policy?: DestinationPolicy): CinetpayInit {
  requireFields(b, ['amount', 'currency', 'description', 'notify_url', 'return_url']);
  // The seed 002 SDK's first version sends no transaction_id: the core generates one (returned in data).
  const transactionId = present(b, 'transaction_id') ? text(b, 'transaction_id', 100) : null;
  const cur = text(b, 'currency').toUpperCase();
  if (!(CURRENCIES as readonly string[]).includes(cur))
    refuse(CP.ERROR_CURRENCY_NOTVALID, `currency must be one of ${CURRENCIES.join(', ')}`);
  const currency = cur as (typeof CURRENCIES)[number];
  const { amount, text: amountText } = parseAmount(b, currency, assets);
  const description = text(b, 'description');
  if (FORBIDDEN_DESCRIPTION.test(description))
    refuse(CP.ERROR_DESCRIPTION_CHARACTERS, 'description must not contain # / $ _ &');
  const notifyUrl = url(b, 'notify_url');
  // Live mode: no notifications to loopback, private or metadata addresses (issue 9, defect 11).
  const ssrf = policy && literalRefusal(policy, notifyUrl);
  if (ssrf) refuse(CP.ERROR_URL_NOTVALID, `notify_url is not allowed: ${ssrf}`);
  const returnUrl = url(b, 'return_url');
  const channels = present(b, 'channels') ? parseChannels(text(b, 'channels')) : ['ALL'];
  let lang: 'fr' | 'en' = 'fr';
  if (present(b, 'lang')) {
    const l = text(b, 'lang').toLowerCase();
    if (l !== 'fr' && l !== 'en') refuse(CP.ERROR_LANG_NOTVALID, 'lang must be fr or en');
    lang = l as 'fr' | 'en';
  }
  let metadata: string | null = null;
  if (b.metadata !== undefined && b.metadata.type !== 'null') {
    // CinetPay stores metadata as text; integrations that pass an object (or a number) get its JSON text
    // back in check and in cpm_custom, exactly as sent.
    metadata = b.metadata.type === 'string' ? b.metadata.text : rawJsonText(b.metadata);
    if (metadata.length > 4096) refuse(CP.INVALID_PARAMETER, 'metadata must be at most 4096 characters');
  }
  let invoiceData: Record<string, unknown> | null = null;
  if (b.invoice_data !== undefined && b.invoice_data.type !== 'null') {
    const v = b.invoice_data.value;
    if (b.invoice_data.type !== 'object') refuse(CP.ERROR_INVOICE_DATA, 'invoice_data must be an object');
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length > 3) refuse(CP.ERROR_INVOICE_DATA, 'invoice_data has at most 3 keys');
    if (
      entries.some(
        ([k, x]) => k.length > 50 || (typeof x !== 'string' && typeof x !== 'number') || String(x).length > 255,
      )
    ) {
      refuse(CP.ERROR_INVOICE_DATA, 'invoice_data values must be short strings or numbers');
    }
    invoiceData = v as Record<string, unknown>;
  }
  let lockPhoneNumber = false;
  if (present(b, 'lock_phone_number')) {
    const l = b.lock_phone_number!.text.trim().toLowerCase();
    if (l !== 'true' && l !== 'false') refuse(CP.INVALID_PARAMETER, 'lock_phone_number must be true or false');
    lockPhoneNumber = l === 'true';
  }
  if (lockPhoneNumber) requireFields(b, ['customer_phone_number']);
  if (channels.includes('CREDIT_CARD')) requireFields(b, CARD_CUSTOMER_FIELDS);
  const customer: Record<string, string> = {};
  for (const f of CUSTOMER_FIELDS) if (present(b, f)) customer[f] = text(b, f);
  if (customer.customer_country !== undefined) {
    customer.customer_country = customer.customer_country.toUpperCase();
    if (!/^[A-Z]{2}$/.test(customer.customer_country))
      refuse(CP.INVALID_PARAMETER, 'customer_country must be an ISO 3166-1 alpha-2 code');
  }
  if (customer.customer_email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(customer.customer_email))
    refuse(CP.INVALID_PARAMETER, 'customer_email is not an email address');
  return {
    transactionId,
    amount,
    amountText,
    currency,
    description,
    notifyUrl,
    returnUrl,
    channels,
    lang,
    metadata,
    invoiceData,
    lockPhoneNumber,
    customer,
  };
}
