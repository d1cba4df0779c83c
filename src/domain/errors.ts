// One catalog of every error Tender can answer with. Dialects map `code` to their own wire codes at the edge.
export type ErrorKind =
  | 'validation'
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'state'
  | 'unavailable'
  | 'internal';

export const ERRORS = {
  MISSING_MERCHANT_ID: { kind: 'auth', message: 'merchantId is required' },
  UNKNOWN_MERCHANT: { kind: 'auth', message: 'unknown merchant' },
  MISSING_SIGN: { kind: 'auth', message: 'sign is required' },
  BAD_SIGN: { kind: 'auth', message: 'sign does not match' },
  BAD_MERCHANT_SECRET: { kind: 'auth', message: 'merchant_secret is missing or invalid' },
  BAD_ADMIN_TOKEN: { kind: 'auth', message: 'admin token is missing or invalid' },
  REPLAY_WINDOW: { kind: 'validation', message: 'createTime is outside the accepted window' },
  INVALID_PARAM: { kind: 'validation', message: 'invalid parameter' },
  MISSING_PARAM: { kind: 'validation', message: 'missing parameter' },
  MALFORMED_BODY: { kind: 'validation', message: 'request body is malformed' },
  UNSUPPORTED_CURRENCY: { kind: 'validation', message: 'currency is not supported' },
  AMOUNT_NOT_REPRESENTABLE: { kind: 'validation', message: 'amount cannot be represented' },
  AMOUNT_TOO_LARGE: { kind: 'validation', message: 'amount is above the maximum for this currency' },
  REDIRECT_NOT_ALLOWED: { kind: 'forbidden', message: 'redirect URL is not on a registered host of the merchant' },
  DUPLICATE_TRADE_NO: { kind: 'conflict', message: 'merchantTradeNo already used with different parameters' },
  ORDER_NOT_FOUND: { kind: 'not_found', message: 'order not found' },
  MERCHANT_NOT_FOUND: { kind: 'not_found', message: 'merchant not found' },
  ILLEGAL_TRANSITION: { kind: 'state', message: 'order status does not allow this change' },
  ORDER_EXPIRED: { kind: 'state', message: 'order has expired' },
  SANDBOX_ONLY: { kind: 'not_found', message: 'only available in sandbox mode' },
  FORBIDDEN: { kind: 'forbidden', message: 'this request is not allowed' },
  INVALID_ADDRESS: { kind: 'validation', message: 'toAddress is not an address of this network' },
  ADDRESS_CHECKSUM: { kind: 'validation', message: 'toAddress has a wrong checksum (a typo?)' },
  ADDRESS_WRONG_NETWORK: { kind: 'validation', message: 'toAddress belongs to another network' },
  PAYOUT_PAIR_NOT_SUPPORTED: { kind: 'validation', message: 'this cryptoCurrency is not paid out on this network' },
  TOO_MANY_DECIMALS: { kind: 'validation', message: 'amounts have at most 8 decimals' },
  FEE_MISMATCH: { kind: 'validation', message: 'receivedAmount must equal totalAmount minus the payout fee' },
  PAYOUT_UNAVAILABLE: { kind: 'validation', message: 'payouts are not available on this network' },
  BAD_OPERATOR_TOKEN: { kind: 'auth', message: 'operator token is missing or invalid' },
  ALREADY_DECIDED: { kind: 'conflict', message: 'this operator already decided this payout otherwise' },
  // createFiatPayoutOrder (seed 001 §5, shared/spec M2, docs/pix-payouts.md): one code per way a payout is wrong.
  PAYOUT_CHANNEL_INVALID: { kind: 'validation', message: 'payoutChannel must be 1 (Pix) or 2 (bank card)' },
  PIX_ACCOUNT_TYPE_INVALID: { kind: 'validation', message: 'accountType must be 1, 2, 3 or 4' },
  PIX_TAX_ID_INVALID: { kind: 'validation', message: 'toAccount is neither a CPF nor a CNPJ' },
  PIX_CPF_INVALID: { kind: 'validation', message: 'toAccount is not a valid CPF' },
  PIX_CNPJ_INVALID: { kind: 'validation', message: 'toAccount is not a valid CNPJ' },
  PIX_EMAIL_INVALID: { kind: 'validation', message: 'toAccount is not a valid e-mail address' },
  PIX_PHONE_NOT_BRAZILIAN: { kind: 'validation', message: 'toAccount must start with +55' },
  PIX_PHONE_AREA_CODE_INVALID: { kind: 'validation', message: 'toAccount has an unused Brazilian area code' },
  PIX_PHONE_NUMBER_INVALID: { kind: 'validation', message: 'toAccount is not a valid Brazilian phone number' },
  PIX_RANDOM_KEY_INVALID: { kind: 'validation', message: 'toAccount is not a valid random key (UUID v4)' },
  PIX_CURRENCY_NOT_BRL: { kind: 'validation', message: 'Pix payouts are paid in BRL' },
  PIX_COUNTRY_NOT_BRA: { kind: 'validation', message: 'Pix payouts go to country BRA' },
  PAYOUT_AMOUNT_INVALID: { kind: 'validation', message: 'amount must be a plain decimal number' },
  PAYOUT_AMOUNT_PRECISION: { kind: 'validation', message: 'amount has more decimals than the currency has' },
  PAYOUT_AMOUNT_NOT_POSITIVE: { kind: 'validation', message: 'amount must be greater than zero' },
  CURRENCY_CODE_INVALID: { kind: 'validation', message: 'currency is not an ISO 4217 code' },
  COUNTRY_CODE_INVALID: { kind: 'validation', message: 'country is not an ISO 3166-1 alpha-3 code' },
  CARD_NUMBER_INVALID: { kind: 'validation', message: 'toAccount is not a valid card number' },
  BANK_CODE_INVALID: { kind: 'validation', message: 'accountCode is not a valid bank code' },
  EXT_INFO_INVALID: { kind: 'validation', message: 'extInfo must be a JSON object of at most 256 characters' },
  SERVICE_UNAVAILABLE: { kind: 'unavailable', message: 'service temporarily unavailable, retry later' },
  INTERNAL: { kind: 'internal', message: 'internal error' },
  INSUFFICIENT_BALANCE: { kind: 'state', message: 'the available balance does not cover this amount' },
  RATE_UNAVAILABLE: { kind: 'unavailable', message: 'no rate source has a rate for this currency pair' },
  RATE_STALE: { kind: 'unavailable', message: 'the rates for this currency pair are older than the staleness limit' },
  PAIR_NOT_SUPPORTED: { kind: 'validation', message: 'this currency pair is not offered (the target must be crypto)' },
  SAME_CURRENCY: { kind: 'validation', message: 'sourceCurrency and targetCurrency are the same' },
  AMOUNT_NOT_POSITIVE: { kind: 'validation', message: 'amount must be greater than zero' },
  EXCHANGED_AMOUNT_TOO_SMALL: { kind: 'validation', message: 'the converted amount is below one minor unit' },
  INVALID_PURCHASE_TYPE: { kind: 'validation', message: 'purchaseType must be 0 (by source) or 1 (by target)' },
  // Issue 12 (operator console): a suspended merchant's credentials are valid but every request is refused.
  MERCHANT_SUSPENDED: { kind: 'auth', message: 'this merchant account is suspended: contact the operator' },
  SECRET_NOT_SEALED: { kind: 'state', message: 'this secret was issued before it could be shown again: rotate it' },
  // Issue 13 (cards: pwpp, createOrderByCreditCard, the hosted card page; docs/cards.md).
  CARD_PAN_INVALID: { kind: 'validation', message: 'cardNumber is not a valid card number' },
  CARD_EXPIRY_INVALID: { kind: 'validation', message: 'expDate must be MM/YY' },
  CARD_EXPIRED: { kind: 'validation', message: 'the card has expired (expDate is in the past)' },
  CARD_CVV_INVALID: { kind: 'validation', message: 'cvv must be 3 or 4 digits' },
  CARD_BRAND_NOT_SUPPORTED: { kind: 'validation', message: 'only VISA and Mastercard cards are accepted' },
  CARD_CHANNEL_INVALID: { kind: 'validation', message: 'payChannel must be payChannel1, 2, 3 or 4' },
  CARD_CURRENCY_NOT_SUPPORTED: { kind: 'validation', message: 'this currency is not offered on this payChannel' },
  CARD_COUNTRY_NOT_SUPPORTED: { kind: 'validation', message: 'cards from this country are not accepted here' },
  CARD_COUNTRY_INVALID: { kind: 'validation', message: 'country must be an ISO 3166-1 alpha-2 code' },
  CARD_IP_INVALID: { kind: 'validation', message: 'ip is not a valid IP address' },
  CARD_EMAIL_INVALID: { kind: 'validation', message: 'email is not a valid e-mail address' },
  CARD_PRODUCTS_INVALID: { kind: 'validation', message: 'products must be a JSON array' },
  CARD_TX_MODE_INVALID: { kind: 'validation', message: 'txMode must be 1 (redirect) or 2 (h2h), for payChannel3 only' },
  CARD_STORE_CC_INVALID: { kind: 'validation', message: 'storeCc must be 0 or 1' },
  CARD_STORAGE_DISABLED: { kind: 'state', message: 'card storage is not enabled for this merchant' },
  CARD_STORAGE_ID_UNKNOWN: { kind: 'not_found', message: 'no stored card with this ccStorageID for this user' },
  CARD_BROWSER_HEADERS_REQUIRED: {
    kind: 'validation',
    message: 'payChannel2 needs clientHTTPAccept and clientHTTPUserAgent',
  },
  CARD_FIELD_INVALID: { kind: 'validation', message: 'a billing field is malformed' },
  CARD_3DS_INVALID: { kind: 'validation', message: 'the 3-D Secure answer is not valid for this payment' },
  // submitKYC (seed 001 §11, shared/spec M6, docs/kyc.md): the message names the record index and the field, never
  // a value (the records are personal data).
  KYC_DATA_NOT_JSON: { kind: 'validation', message: 'data must be JSON text: an array of KYC records' },
  KYC_DATA_NOT_ARRAY: { kind: 'validation', message: 'data must be a JSON array of KYC records' },
  KYC_NO_RECORDS: { kind: 'validation', message: 'data holds no KYC record' },
  KYC_TOO_MANY_RECORDS: { kind: 'validation', message: 'data holds more than 1000 KYC records' },
  KYC_RECORD_INVALID: { kind: 'validation', message: 'a KYC record is invalid' },
  KYC_DUPLICATE_USER_ID: { kind: 'validation', message: 'two KYC records of one call have the same userId' },
  KYC_REQUIRED: { kind: 'state', message: 'no KYC record on file for this userId: submit it with submitKYC first' },
  // Card refunds and chargebacks (issue 13 part 3, docs/refunds.md).
  CARD_REFUND_AMOUNT_INVALID: {
    kind: 'validation',
    message: 'amount must be a positive decimal in the order currency',
  },
  CARD_REFUND_NOT_REFUNDABLE: { kind: 'state', message: 'only a completed (14) card order can be refunded' },
  CARD_REFUND_EXCEEDS_CAPTURED: {
    kind: 'state',
    message: 'the refund is above what is left of the captured amount (after refunds and chargebacks)',
  },
  CARD_REFUND_KEY_REUSED: { kind: 'conflict', message: 'refundKey was already used for another refund' },
  CARD_REFUND_INSUFFICIENT_BALANCE: { kind: 'state', message: 'the available balance does not cover this refund' },
  CARD_REFUND_REFUSED: { kind: 'state', message: 'the acquirer refused the refund; the held amount was released' },
  CARD_REFUND_KEY_INVALID: { kind: 'validation', message: 'refundKey must be 1-64 letters, digits or _ - . :' },
  CARD_REFUND_NOT_FOUND: { kind: 'not_found', message: 'no such refund' },
  CARD_CHARGEBACK_AMOUNT_INVALID: {
    kind: 'validation',
    message: 'amount must be a positive decimal in the order currency',
  },
  CARD_CHARGEBACK_NOT_ALLOWED: { kind: 'state', message: 'only a completed (14) card order can be charged back' },
  CARD_CHARGEBACK_EXCEEDS_CAPTURED: {
    kind: 'state',
    message: 'the chargeback is above what is left of the captured amount (after refunds and chargebacks)',
  },
  CARD_CHARGEBACK_CASE_REUSED: { kind: 'conflict', message: 'this caseId was already recorded with other fields' },
  CARD_CHARGEBACK_INSUFFICIENT_FUNDS: {
    kind: 'state',
    message: 'the order reserve and the available balance together do not cover this chargeback',
  },
  CARD_CHARGEBACK_CASE_INVALID: { kind: 'validation', message: 'caseId must be 1-64 letters, digits or _ - . :' },
  CARD_REASON_INVALID: { kind: 'validation', message: 'reason must be at most 200 printable characters' },
} as const satisfies Record<string, { kind: ErrorKind; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class TenderError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  constructor(code: ErrorCode, message?: string) {
    super(message ?? ERRORS[code].message);
    this.code = code;
    this.kind = ERRORS[code].kind;
    this.name = 'TenderError';
  }
}

export const isTenderError = (e: unknown): e is TenderError => e instanceof TenderError;
