// Tender's catalog → the openapi dialect's numeric `code` (documented in docs/errors.md).
import type { ErrorCode } from '../../domain/errors.js';

export const OPENAPI_CODES: Record<ErrorCode, number> = {
  MISSING_MERCHANT_ID: 10001,
  UNKNOWN_MERCHANT: 10002,
  MISSING_SIGN: 10003,
  BAD_SIGN: 10004,
  REPLAY_WINDOW: 10005,
  BAD_MERCHANT_SECRET: 10006,
  BAD_ADMIN_TOKEN: 10007,
  MISSING_PARAM: 10010,
  INVALID_PARAM: 10011,
  MALFORMED_BODY: 10012,
  UNSUPPORTED_CURRENCY: 10013,
  AMOUNT_NOT_REPRESENTABLE: 10014,
  AMOUNT_TOO_LARGE: 10015,
  REDIRECT_NOT_ALLOWED: 10020,
  DUPLICATE_TRADE_NO: 20001,
  ORDER_NOT_FOUND: 20002,
  MERCHANT_NOT_FOUND: 20003,
  ILLEGAL_TRANSITION: 20004,
  ORDER_EXPIRED: 20005,
  SANDBOX_ONLY: 20006,
  FORBIDDEN: 20007,
  /** Retry later: the database or another dependency is briefly unreachable (nothing was done). */
  SERVICE_UNAVAILABLE: 30001,
  INTERNAL: 1,
};
