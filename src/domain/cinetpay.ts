// CinetPay's wire vocabulary (shared/spec/cinetpay.md): codes and messages, the status a check reports
// for each order state, the notification form fields and their x-token. Table in docs/cinetpay.md.
import { createHmac } from 'node:crypto';
import type { ErrorCode } from './errors.js';

export interface CinetpayCode {
  code: string;
  message: string;
  http: number;
}

export const CP = {
  CREATED: { code: '201', message: 'CREATED', http: 200 },
  SUCCES: { code: '00', message: 'SUCCES', http: 200 },
  WAITING_CUSTOMER_PAYMENT: { code: '662', message: 'WAITING_CUSTOMER_PAYMENT', http: 200 },
  WAITING_CUSTOMER_TO_VALIDATE: { code: '623', message: 'WAITING_CUSTOMER_TO_VALIDATE', http: 200 },
  PAYMENT_FAILED: { code: '600', message: 'PAYMENT_FAILED', http: 200 },
  INSUFFICIENT_BALANCE: { code: '602', message: 'INSUFFICIENT_BALANCE', http: 200 },
  OTP_CODE_ERROR: { code: '604', message: 'OTP_CODE_ERROR', http: 200 },
  TRANSACTION_CANCEL: { code: '627', message: 'TRANSACTION_CANCEL', http: 200 },
  MINIMUM_REQUIRED_FIELDS: { code: '608', message: 'MINIMUM_REQUIRED_FIELDS', http: 400 },
  AUTH_NOT_FOUND: { code: '609', message: 'AUTH_NOT_FOUND', http: 401 },
  ERROR_SITE_ID_NOTVALID: { code: '613', message: 'ERROR_SITE_ID_NOTVALID', http: 401 },
  INVALID_PARAMETER: { code: '624', message: 'INVALID_PARAMETER', http: 400 },
  ERROR_AMOUNT_TYPE: { code: '624', message: 'ERROR_AMOUNT_TYPE', http: 400 },
  ERROR_AMOUNT_MULTIPLE_OF_5: { code: '624', message: 'ERROR_AMOUNT_MULTIPLE_OF_5', http: 400 },
  ERROR_AMOUNT_TOO_LOW: { code: '624', message: 'ERROR_AMOUNT_TOO_LOW', http: 400 },
  ERROR_CURRENCY_NOTVALID: { code: '624', message: 'ERROR_CURRENCY_NOTVALID', http: 400 },
  ERROR_DESCRIPTION_CHARACTERS: { code: '624', message: 'ERROR_DESCRIPTION_CHARACTERS', http: 400 },
  ERROR_CHANNELS_NOTVALID: { code: '624', message: 'ERROR_CHANNELS_NOTVALID', http: 400 },
  ERROR_LANG_NOTVALID: { code: '624', message: 'ERROR_LANG_NOTVALID', http: 400 },
  ERROR_URL_NOTVALID: { code: '624', message: 'ERROR_URL_NOTVALID', http: 400 },
  ERROR_INVOICE_DATA: { code: '624', message: 'ERROR_INVOICE_DATA', http: 400 },
  TRANSACTION_EXIST: { code: '624', message: 'TRANSACTION_EXIST', http: 400 },
  TRANSACTION_NOT_FOUND: { code: '404', message: 'TRANSACTION_NOT_FOUND', http: 404 },
  TOO_MANY_REQUEST: { code: '429', message: 'TOO_MANY_REQUEST', http: 429 },
  // Tender's own (issue 12): CinetPay has no code for a suspended account; 403 in its HTTP-like series.
  MERCHANT_SUSPENDED: { code: '403', message: 'MERCHANT_SUSPENDED', http: 403 },
  INTERNAL_ERROR: { code: '500', message: 'INTERNAL_ERROR', http: 500 },
  SERVICE_UNAVAILABLE: { code: '503', message: 'SERVICE_UNAVAILABLE', http: 503 },
} as const satisfies Record<string, CinetpayCode>;

/** Tender's catalog codes as CinetPay answers them (errors the core raises for this dialect). */
export const CINETPAY_BY_CATALOG: Partial<Record<ErrorCode, CinetpayCode>> = {
  MISSING_PARAM: CP.MINIMUM_REQUIRED_FIELDS,
  MALFORMED_BODY: CP.MINIMUM_REQUIRED_FIELDS,
  INVALID_PARAM: CP.INVALID_PARAMETER,
  UNSUPPORTED_CURRENCY: CP.ERROR_CURRENCY_NOTVALID,
  AMOUNT_NOT_REPRESENTABLE: CP.ERROR_AMOUNT_TYPE,
  AMOUNT_TOO_LARGE: CP.ERROR_AMOUNT_TYPE,
  SERVICE_UNAVAILABLE: CP.SERVICE_UNAVAILABLE,
  REDIRECT_NOT_ALLOWED: CP.ERROR_URL_NOTVALID,
  DUPLICATE_TRADE_NO: CP.TRANSACTION_EXIST,
  ORDER_NOT_FOUND: CP.TRANSACTION_NOT_FOUND,
  INTERNAL: CP.INTERNAL_ERROR,
  MERCHANT_SUSPENDED: CP.MERCHANT_SUSPENDED,
  // Fiat payout codes (never raised on a CinetPay route today; the other ones answer INVALID_PARAMETER).
  CURRENCY_CODE_INVALID: CP.ERROR_CURRENCY_NOTVALID,
  PIX_CURRENCY_NOT_BRL: CP.ERROR_CURRENCY_NOTVALID,
  PAYOUT_AMOUNT_INVALID: CP.ERROR_AMOUNT_TYPE,
  PAYOUT_AMOUNT_PRECISION: CP.ERROR_AMOUNT_TYPE,
  PAYOUT_AMOUNT_NOT_POSITIVE: CP.ERROR_AMOUNT_TOO_LOW,
};

/** A refusal in CinetPay's terms, raised by the dialect's validation. */
export class CinetpayRefusal extends Error {
  constructor(
    readonly cp: CinetpayCode,
    readonly description: string,
  ) {
    super(description);
    this.name = 'CinetpayRefusal';
  }
}

export type CheckStatus = 'ACCEPTED' | 'REFUSED' | 'WAITING_FOR_CUSTOMER';

/** Failure reasons Tender records in an order's remark, and how check reports them. */
export function checkResult(status: number, remark: string): { status: CheckStatus; cp: CinetpayCode } {
  if (status === 14) return { status: 'ACCEPTED', cp: CP.SUCCES };
  if (status === 0) return { status: 'WAITING_FOR_CUSTOMER', cp: CP.WAITING_CUSTOMER_PAYMENT };
  if (status === 11) return { status: 'WAITING_FOR_CUSTOMER', cp: CP.WAITING_CUSTOMER_TO_VALIDATE };
  if (/insufficient/i.test(remark)) return { status: 'REFUSED', cp: CP.INSUFFICIENT_BALANCE };
  if (/expired|timeout|cancel/i.test(remark)) return { status: 'REFUSED', cp: CP.TRANSACTION_CANCEL };
  return { status: 'REFUSED', cp: CP.PAYMENT_FAILED };
}

/** The notification's form fields in the order the x-token concatenates them. */
export const NOTIFICATION_FIELDS = [
  'cpm_site_id',
  'cpm_trans_id',
  'cpm_trans_date',
  'cpm_amount',
  'cpm_currency',
  'signature',
  'payment_method',
  'cel_phone_num',
  'cpm_phone_prefixe',
  'cpm_language',
  'cpm_version',
  'cpm_payment_config',
  'cpm_page_action',
  'cpm_custom',
  'cpm_designation',
  'cpm_error_message',
] as const;
export type NotificationFields = Record<(typeof NOTIFICATION_FIELDS)[number], string>;

/** x-token: HMAC-SHA256 keyed by the site's secret over the fields concatenated without separators; hex. */
export function xToken(fields: NotificationFields, secret: string): string {
  return createHmac('sha256', secret)
    .update(NOTIFICATION_FIELDS.map((k) => fields[k] ?? '').join(''), 'utf8')
    .digest('hex');
}

/** "YYYY-MM-DD HH:mm:ss" UTC, CinetPay's date format. */
export function cinetpayDate(d: Date | null): string {
  return d ? d.toISOString().slice(0, 19).replace('T', ' ') : '';
}
