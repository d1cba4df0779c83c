// Reading the legacy API's forms (docs/cinetpay-legacy.md): credentials in the PHP SDK's names (apikey,
// cpm_site_id) or the Node library's (username, password), and the signed fields of getSignatureByPost and of
// the cash-desk form. Refusals carry CinetPay's codes. Pure: no database.
import type { AssetTable } from '../../domain/assets.js';
import { CP, CinetpayRefusal, type CinetpayCode } from '../../domain/cinetpay.js';
import type { LegacySignedFields } from '../../domain/cinetpay-legacy.js';
import { isBadText } from '../../domain/text.js';
import { hostOf } from '../../domain/redirects.js';
import { CURRENCIES } from '../cinetpay/schemas.js';
import { parseAmount, type Body } from '../cinetpay/validate.js';

const refuse = (cp: CinetpayCode, description: string): never => {
  throw new CinetpayRefusal(cp, description);
};

/** Longest value of each field Tender keeps (CinetPay publishes none for this API). */
const MAX_LENGTH: Record<string, number> = { cpm_designation: 1000, cpm_custom: 4096 };

/** A field, trimmed, under the text rule (src/domain/text.ts); '' when absent. */
export function field(form: Map<string, string>, k: string): string {
  const v = (form.get(k) ?? '').trim();
  if (isBadText(v, k !== 'cpm_designation' && k !== 'cpm_custom'))
    refuse(CP.INVALID_PARAMETER, `${k} has control characters`);
  if (v.length > (MAX_LENGTH[k] ?? 255)) refuse(CP.INVALID_PARAMETER, `${k} is too long`);
  return v;
}

function required(form: Map<string, string>, keys: readonly string[]): void {
  const missing = keys.filter((k) => field(form, k) === '');
  if (missing.length) refuse(CP.MINIMUM_REQUIRED_FIELDS, `missing: ${missing.join(', ')}`);
}

/** apikey + cpm_site_id (PHP SDK), or username + password (cinetpay-nodejs: its apikey and site id). */
export function legacyCredentials(form: Map<string, string>): { apikey: string; siteId: string } {
  const apikey = field(form, 'apikey') || field(form, 'username');
  const siteId = field(form, 'cpm_site_id') || field(form, 'password') || field(form, 'site_id');
  if (!apikey || !siteId) refuse(CP.MINIMUM_REQUIRED_FIELDS, 'send apikey and cpm_site_id');
  return { apikey, siteId };
}

/** The transaction id checkPayStatus asks about. */
export function legacyTransId(form: Map<string, string>): string {
  required(form, ['cpm_trans_id']);
  return field(form, 'cpm_trans_id');
}

/** The signed fields of getSignatureByPost (and of the cash-desk form that repeats them). */
export function legacySignedFields(form: Map<string, string>, assets: AssetTable): LegacySignedFields {
  required(form, ['cpm_trans_id', 'cpm_amount', 'cpm_currency', 'cpm_designation', 'cpm_trans_date']);
  // "CFA", the Node library's default and common in merchants' code, is the West African franc CinetPay started with.
  const raw = field(form, 'cpm_currency').toUpperCase();
  const currency = raw === 'CFA' ? 'XOF' : raw;
  if (!(CURRENCIES as readonly string[]).includes(currency))
    refuse(CP.ERROR_CURRENCY_NOTVALID, `cpm_currency must be one of ${CURRENCIES.join(', ')}`);
  const amountText = field(form, 'cpm_amount');
  const body: Body = { amount: { type: 'string', text: amountText, value: amountText } };
  const { amount } = parseAmount(body, currency as (typeof CURRENCIES)[number], assets);
  const language = (field(form, 'cpm_language') || 'fr').toLowerCase();
  if (language !== 'fr' && language !== 'en') refuse(CP.ERROR_LANG_NOTVALID, 'cpm_language must be fr or en');
  return {
    currency,
    paymentConfig: field(form, 'cpm_payment_config') || 'SINGLE',
    pageAction: field(form, 'cpm_page_action') || 'PAYMENT',
    version: field(form, 'cpm_version') || 'V1',
    language: language as 'fr' | 'en',
    transDate: field(form, 'cpm_trans_date'),
    transId: field(form, 'cpm_trans_id'),
    designation: field(form, 'cpm_designation'),
    amount,
    amountText,
    custom: field(form, 'cpm_custom'),
  };
}

/** An optional URL of the cash-desk form: absent or blank is null, otherwise an absolute http(s) URL. */
export function optionalUrl(form: Map<string, string>, k: string): string | null {
  const v = field(form, k);
  if (v === '') return null;
  if (!hostOf(v)) refuse(CP.ERROR_URL_NOTVALID, `${k} must be an absolute http(s) URL`);
  return v;
}
