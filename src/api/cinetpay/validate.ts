// Validation of POST /v2/payment and /v2/payment/check as CinetPay does it (shared/spec/cinetpay.md),
// refusing with CinetPay's codes (docs/cinetpay.md). Pure: no database. Each field's own rule is its schema
// (schemas.ts, checked by schema-check.ts); here are only the key aliases, the rules across fields, the
// text rule and what the merchant's values become.
import type { AssetTable } from '../../domain/assets.js';
import { CP, CinetpayRefusal } from '../../domain/cinetpay.js';
import {
  CARD_CUSTOMER_FIELDS,
  type CURRENCIES,
  CUSTOMER_FIELDS,
  CheckBody,
  CredentialsBody,
  InitBody,
} from './schemas.js';
import { missingFieldsRefusal, schemaChecker } from './schema-check.js';
import { parseDecimal } from '../../domain/money.js';
import { hostOf } from '../../domain/redirects.js';
import { literalRefusal, type DestinationPolicy } from '../../domain/destination-policy.js';
import type { CinetpayInit } from '../../core/cinetpay.js';
import { isBadText } from '../../domain/text.js';

/** Minimum amount per currency, in major units (Tender's table; CinetPay's docs give XOF/XAF/CDF/USD). */
export const MINIMUMS: Record<(typeof CURRENCIES)[number], string> = {
  XOF: '100',
  XAF: '100',
  CDF: '400',
  GNF: '1000',
  USD: '0.2',
};

const checkCredentials = schemaChecker(CredentialsBody);
const checkInit = schemaChecker(InitBody);
export const checkCheckBody = schemaChecker(CheckBody);

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

/** A field its schema allowed as a string or number, trimmed, under the text rule (src/domain/text.ts). */
function text(b: Body, k: string): string {
  const t = b[k]!.text.trim();
  // Every field read through here is a single line (ids, codes, URLs, names); description may span lines.
  if (isBadText(t, k !== 'description')) refuse(CP.INVALID_PARAMETER, `${k} has control characters`);
  return t;
}

export function requireFields(b: Body, fields: readonly string[]): void {
  const missing = fields.filter((f) => !present(b, f));
  if (missing.length) throw missingFieldsRefusal(missing);
}

export function credentials(b: Body): { apikey: string; siteId: string } {
  checkCredentials(b);
  return { apikey: text(b, 'apikey'), siteId: text(b, 'site_id') };
}

/** amount: an integer (USD: up to 2 decimals), a multiple of 5 except in USD, at least the currency's minimum. */
export function parseAmount(
  b: Body,
  currency: (typeof CURRENCIES)[number],
  assets: AssetTable,
): { amount: bigint; text: string } {
  const t = b.amount!.text.trim();
  // The schema sees a JSON number's value; its digits must also be plain (1e3 and -0 are numbers too).
  if (!/^[0-9]+(\.[0-9]+)?$/.test(t)) refuse(CP.ERROR_AMOUNT_TYPE, 'amount must be written as plain digits');
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
  const u = text(b, k);
  if (!hostOf(u)) refuse(CP.ERROR_URL_NOTVALID, `${k} must be an absolute http(s) URL`);
  return u;
}

/** Channels as the schema allowed them (a comma-separated list of known names, any case), each once. */
export function parseChannels(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(',')
        .map((c) => c.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
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
  checkInit(b);
  // The seed 002 SDK's first version sends no transaction_id: the core generates one (returned in data).
  const transactionId = present(b, 'transaction_id') ? text(b, 'transaction_id') : null;
  const currency = text(b, 'currency').toUpperCase() as (typeof CURRENCIES)[number];
  const { amount, text: amountText } = parseAmount(b, currency, assets);
  const description = text(b, 'description');
  const notifyUrl = url(b, 'notify_url');
  // Live mode: no notifications to loopback, private or metadata addresses (issue 9, defect 11).
  const ssrf = policy && literalRefusal(policy, notifyUrl);
  if (ssrf) refuse(CP.ERROR_URL_NOTVALID, `notify_url is not allowed: ${ssrf}`);
  const returnUrl = url(b, 'return_url');
  const channels = present(b, 'channels') ? parseChannels(text(b, 'channels')) : ['ALL'];
  const lang = present(b, 'lang') ? (text(b, 'lang').toLowerCase() as 'fr' | 'en') : 'fr';
  let metadata: string | null = null;
  if (b.metadata !== undefined && b.metadata.type !== 'null') {
    // CinetPay stores metadata as text; integrations that pass an object (or a number) get its JSON text
    // back in check and in cpm_custom, exactly as sent. The limit is on that text, which no schema sees.
    metadata = b.metadata.type === 'string' ? b.metadata.text : rawJsonText(b.metadata);
    if (metadata.length > 4096) refuse(CP.INVALID_PARAMETER, 'metadata must be at most 4096 characters');
  }
  const invoiceData = b.invoice_data?.type === 'object' ? (b.invoice_data.value as Record<string, unknown>) : null;
  const lockPhoneNumber = present(b, 'lock_phone_number') && text(b, 'lock_phone_number').toLowerCase() === 'true';
  if (lockPhoneNumber) requireFields(b, ['customer_phone_number']);
  if (channels.includes('CREDIT_CARD')) requireFields(b, CARD_CUSTOMER_FIELDS);
  const customer: Record<string, string> = {};
  for (const f of CUSTOMER_FIELDS) if (present(b, f)) customer[f] = text(b, f);
  if (customer.customer_country !== undefined) customer.customer_country = customer.customer_country.toUpperCase();
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
