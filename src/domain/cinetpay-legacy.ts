// CinetPay's legacy signature-form API (the official PHP SDK up to 1.7.0 and cinetpay-nodejs 1.0.0;
// docs/cinetpay-legacy.md): how its bodies are read, which fields a signature binds, and what
// checkPayStatus reports for each order state. Pure: no I/O.
import { checkResult, cinetpayDate, type CinetpayCode } from './cinetpay.js';

/** The fields getSignatureByPost receives and the cash-desk form repeats (besides apikey and cpm_site_id). */
export const SIGNED_FIELDS = [
  'cpm_currency',
  'cpm_payment_config',
  'cpm_page_action',
  'cpm_version',
  'cpm_language',
  'cpm_trans_date',
  'cpm_trans_id',
  'cpm_designation',
  'cpm_amount',
  'cpm_custom',
] as const;

const ENCODED = /^[A-Za-z0-9*\-._~!'()%+=&]*$/;
const PERCENT_OK = /^(?:[^%]|%[0-9A-Fa-f]{2})*$/;
const PAIR_START = /&(?=[A-Za-z_][A-Za-z0-9_]*=)/;

/**
 * A form body as the legacy clients send it. The PHP SDK joins `key=value` pairs WITHOUT url-encoding (spaces,
 * '@', ':', '/' raw); its file_get_contents fallback, the Node library and browsers url-encode. A body made only
 * of characters url-encoding leaves (letters, digits, `*-._~!'()`, `%XX`, `+`, `=`, `&`) is decoded as
 * url-encoded; any other character means raw text, taken as is. Pairs split at an `&` that starts a `name=`,
 * so a raw value keeps an `&` followed by a blank or a non-name. The first value of a repeated name wins.
 */
export function parseLegacyForm(body: string): Map<string, string> {
  const text = body.replace(/^\uFEFF/, '').replace(/[\r\n]+$/, '');
  const out = new Map<string, string>();
  if (text === '') return out;
  if (ENCODED.test(text) && PERCENT_OK.test(text)) {
    for (const [k, v] of new URLSearchParams(text)) if (!out.has(k)) out.set(k, v);
    return out;
  }
  for (const pair of text.split(PAIR_START)) {
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    if (k !== '' && !out.has(k)) out.set(k, eq < 0 ? '' : pair.slice(eq + 1));
  }
  return out;
}

/** What a signature binds: every signed field as the merchant sent it, the amount as minor units. */
export interface LegacySignedFields {
  currency: string;
  paymentConfig: string;
  pageAction: string;
  version: string;
  language: 'fr' | 'en';
  transDate: string;
  transId: string;
  designation: string;
  amount: bigint;
  amountText: string;
  custom: string;
}

/** The fields in canonical JSON: stored with the order, compared with the cash-desk form's. */
export function canonicalFields(f: LegacySignedFields): string {
  return JSON.stringify([
    ['amount', f.amount.toString()],
    ['currency', f.currency],
    ['custom', f.custom],
    ['designation', f.designation],
    ['language', f.language],
    ['page_action', f.pageAction],
    ['payment_config', f.paymentConfig],
    ['trans_date', f.transDate],
    ['trans_id', f.transId],
    ['version', f.version],
  ]);
}

/** The legacy envelope of every refusal: `{"status":{"code":..,"message":..}}` (CinetPay's codes). */
export const legacyRefusal = (cp: CinetpayCode, description: string) => ({
  status: { code: cp.code, message: cp.message, description },
});

/**
 * The status of a payment as checkPayStatus reports it: cpm_result is CinetPay's code (the SDK's documented
 * test is `cpm_result == '00'`), cpm_trans_status its status word, cpm_error_message the code's name. Pending
 * is never reported as refused.
 */
export function legacyResult(status: number, remark: string): { result: string; transStatus: string; message: string } {
  const r = checkResult(status, remark);
  return { result: r.cp.code, transStatus: r.status, message: r.cp.message };
}

export interface LegacyTransactionInput {
  siteId: string;
  signature: string;
  amount: string;
  currency: string;
  transId: string;
  transDate: string;
  custom: string;
  designation: string;
  orderId: string;
  status: number;
  remark: string;
  paymentMethod: string;
  phone: string;
  phonePrefix: string;
  buyerName: string;
  ipnAck: boolean;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

/** checkPayStatus's `transaction` object: every field the PHP SDK's getPayStatus() reads, all strings. */
export function legacyTransaction(t: LegacyTransactionInput): Record<string, string> {
  const r = legacyResult(t.status, t.remark);
  const paid = cinetpayDate(t.status === 14 || t.status === 15 ? t.completedAt : null);
  return {
    cpm_site_id: t.siteId,
    signature: t.signature,
    cpm_amount: t.amount,
    cpm_trans_date: t.transDate,
    cpm_trans_id: t.transId,
    cpm_custom: t.custom,
    cpm_currency: t.currency,
    // CinetPay's own id of the payment once one was attempted: Tender's order id.
    cpm_payid: t.status === 0 ? '' : t.orderId,
    cpm_payment_date: paid.slice(0, 10),
    cpm_payment_time: paid.slice(11),
    cpm_error_message: r.message,
    payment_method: t.paymentMethod,
    cpm_phone_prefixe: t.phonePrefix,
    cel_phone_num: t.phone,
    cpm_ipn_ack: t.ipnAck ? 'Y' : 'N',
    created_at: cinetpayDate(t.createdAt),
    updated_at: cinetpayDate(t.updatedAt),
    cpm_result: r.result,
    cpm_trans_status: r.transStatus,
    cpm_designation: t.designation,
    buyer_name: t.buyerName,
  };
}
