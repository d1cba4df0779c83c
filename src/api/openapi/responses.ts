// Schemas of every openapi (C-Pay v1) answer: the {code,msg,data,traceid} envelope around each route's data,
// and the refusal envelope. Types follow each endpoint's own document (shared/spec "Compatibility"):
// createOrder's data.merchantId is a string (§13), getOrderDetail's a number (§9).
import { type TSchema, Type } from '@sinclair/typebox';
import { DecimalString, OrderStatusCode, TraceId, WireNetwork } from '../contract/common.js';
import { OPENAPI_CODES } from './error-codes.js';

const Str = (description: string) => Type.String({ description });

/** The order as both C-Pay field generations show it; `merchantId` differs in type between the two documents. */
const orderFields = (merchantId: TSchema) => ({
  orderId: Str('Tender order id (cpayOrderId)'),
  merchantId,
  merchantTradeNo: Str("the merchant's own order number"),
  merchantUserId: Str("the merchant's user id, empty when none"),
  orderStatus: OrderStatusCode,
  status: Type.String({ pattern: '^(?:0|11|14|15)$', description: 'orderStatus as a string (older generation)' }),
  currency: Str('currency of the order'),
  cryptoCurrency: Str('crypto currency, empty for fiat orders'),
  orderAmount: DecimalString,
  actualAmount: DecimalString,
  receivedAmount: DecimalString,
  pledgeAmount: DecimalString,
  serviceFee: DecimalString,
  fee: DecimalString,
  network: Type.Union([WireNetwork, Type.Literal('')], { description: '§3 wire name, empty until chosen' }),
  hash: Str('transaction hash, empty until paid'),
  remark: Str('why the order closed, empty otherwise'),
  extInfo: Str('extra information'),
  createTime: Type.Integer({ description: 'creation time, milliseconds since the epoch' }),
  cashierURL: Str("URL of Tender's hosted payment page"),
  returnURL: Str('always empty (kept for older clients)'),
  successURL: Str('where the customer goes after paying, empty when none'),
  failURL: Str('where the customer goes after a failure, empty when none'),
  orderCurrency: Str('currency of the order'),
});

export const CreateOrderData = Type.Object({
  ...orderFields(Type.String({ pattern: '^[0-9]+$', description: 'merchant id, a string (§13)' })),
  address: Type.Optional(Str('deposit address, when the order named its network')),
});

export const OrderDetailData = Type.Object({
  ...orderFields(Type.Integer({ description: 'merchant id, a number (§9)' })),
  // Issue 13 part 3 (docs/refunds.md): card orders only, Tender's own fields.
  refundedAmount: Type.Optional({ ...DecimalString, description: 'card orders: succeeded refunds so far' }),
  chargebackAmount: Type.Optional({ ...DecimalString, description: 'card orders: recorded chargebacks so far' }),
});

export const WalletAddressData = Type.Array(
  Type.Object({ address: Str('deposit address'), currency: Str('currency'), network: WireNetwork }),
);

export const BalanceData = Type.Array(
  Type.Object({
    availableBalance: DecimalString,
    freezeBalance: DecimalString,
    cryptoCurrency: Str('currency'),
    currency: Str('currency'),
  }),
);

const REFUSAL_CODES = [...new Set([...Object.values(OPENAPI_CODES), 404])].sort((a, b) => a - b);

/** A refusal: `code` is a catalog code (docs/errors.md) or 404 for an unknown path; data is always null. */
export const OpenapiRefusal = Type.Object(
  {
    code: Type.Union(
      REFUSAL_CODES.map((c) => Type.Literal(c)),
      { description: 'error code (docs/errors.md)' },
    ),
    msg: Str('what was wrong'),
    data: Type.Null(),
    traceid: TraceId,
  },
  { additionalProperties: false, title: 'OpenapiRefusal' },
);

/** Success: code 0, msg "success", the route's data. */
export const OpenapiSuccess = (data: TSchema, title: string) =>
  Type.Object(
    { code: Type.Literal(0), msg: Type.Literal('success'), data, traceid: TraceId },
    { additionalProperties: false, title },
  );

/** Processed requests answer HTTP 200 whether they succeed or are refused (the seed's rule). */
export const OpenapiAnswer = (data: TSchema, title: string) =>
  Type.Union([OpenapiSuccess(data, title), OpenapiRefusal]);
