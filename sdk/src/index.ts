// @tender/sdk: typed clients for Tender's dialects and webhook verification. No runtime dependencies.
export { TenderApiError, TenderNetworkError, TenderWebhookError, type Dialect } from './errors.js';
export {
  canonicalString,
  matchingRecipe,
  sign,
  verify,
  SIGNATURE_RECIPES,
  type SignatureRecipe,
} from './signature.js';
export type { TransportOptions } from './http.js';
export {
  OpenApiClient,
  OrderStatus,
  type OrderStatusCode,
  type OpenApiClientOptions,
  type CreateOrderParams,
  type OrderData,
  type OrderLookup,
  type BalanceRow,
  type WalletAddressRow,
  type DecimalString,
} from './openapi.js';
export {
  MinimalClient,
  type MinimalClientOptions,
  type StartedPayment,
  type WatchResult,
  type WatchStatus,
} from './minimal.js';
export {
  CinetPayClient,
  verifyCinetPayNotification,
  cinetPayToken,
  CINETPAY_TOKEN_FIELDS,
  type CinetPayClientOptions,
  type InitPaymentParams,
  type InitPaymentResult,
  type CheckPaymentResult,
  type CinetPayStatus,
  type CinetPayCurrency,
  type CinetPayChannel,
  type CinetPayNotification,
} from './cinetpay.js';
export { verifyCpayWebhook, cpayWebhookAnswer, type CpayWebhookEvent, type CpayWebhookFormat } from './webhooks.js';
