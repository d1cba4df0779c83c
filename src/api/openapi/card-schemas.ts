// Parameters of createOrderByCreditCard (seed 001 §14) and pwpp v1/v2 (§12 and the reference's pages) for the
// contract. These only describe and bound; the fields with their own refusal codes (docs/cards.md) carry no
// pattern here, so that card-routes.ts answers the specific code instead of a generic INVALID_PARAM.
import { Type } from '@sinclair/typebox';
import { CreateTime, MerchantTradeNo, UserId } from './schemas.js';
import { OrderDetailData } from './responses.js';

const d = (description: string) => Type.Optional(Type.String({ description }));

export const CreateOrderByCreditCardParams = Type.Object({
  merchantTradeNo: MerchantTradeNo,
  createTime: CreateTime,
  userId: UserId,
  currency: d('USD, EUR or BRL'),
  amount: d('a decimal string with at most 2 decimals, > 0'),
  products: d('a JSON array of objects, as text'),
  country: d('ISO 3166-1 alpha-2 billing country'),
  email: d("the customer's e-mail"),
  ip: d("the customer's IPv4 or IPv6 address"),
  lanuage: d('en-US or ru-RU (sic, seed 001 §14)'),
  callBackURL: d('webhook URL for this order'),
  callbackURL: d('webhook URL for this order'),
  successURL: d('where the hosted page returns after a payment, with ?txnRef=<orderId>'),
  failURL: d('where the hosted page returns after a failure, with ?txnRef=<orderId>'),
});

export const PwppParams = Type.Object({
  merchantTradeNo: MerchantTradeNo,
  createTime: CreateTime,
  userId: UserId,
  storeCc: d('0 (default) or 1: store the card and answer its ccStorageID'),
  ccStorageID: d('pay with a stored card of this userId instead of card data'),
  firstName: d('up to 20 characters'),
  lastName: d('up to 30 characters'),
  email: d('billing e-mail'),
  iddCode: d('country calling code, e.g. 852'),
  mobile: d('4-20 digits without the calling code'),
  addressLine: d("1-64 letters, digits, spaces or _ - . , ' / #"),
  country: d('ISO 3166-1 alpha-2 billing country'),
  city: d("1-64 letters, spaces or . ' -"),
  zip: d('1-16 letters, digits, spaces or -'),
  cardNumber: d('12-19 digits, Luhn; VISA or Mastercard (not with ccStorageID)'),
  cvv: d('3 or 4 digits (never stored)'),
  expDate: d('MM/YY'),
  ip: d('the customer IPv4 address'),
  document: d('national identity number'),
  currency: d('USD, EUR or BRL, as the payChannel allows'),
  amount: d('2 decimals: v1 rounds further decimals down, v2 rounds half-up'),
  products: d('a JSON array of objects, as text'),
  clientHTTPAccept: d("the customer browser's Accept header (payChannel2: required)"),
  clientHTTPUserAgent: d("the customer browser's User-Agent (payChannel2: required)"),
  callBackURL: d('webhook URL for this order'),
  callbackURL: d('webhook URL for this order'),
  successURL: d('return address after a payment, with ?txnRef=<orderId>'),
  failURL: d('return address after a failure, with ?txnRef=<orderId>'),
  retURL: d('return address after the 3-D Secure step, with ?txnRef=<orderId>'),
  payChannel: d('payChannel1..4 (default: payChannel4, BRL payChannel3)'),
  txMode: d('payChannel3 only: 1 redirect (redirectURL), 2 h2h (pageData)'),
  lang: d('accepted and ignored'),
});

const Str = (description: string) => Type.String({ description });

/** §14's answer: the order (merchantId a number), orderStatus a STRING (§14), and the answer's own sign. */
export const CreateByCardData = Type.Composite([
  Type.Omit(OrderDetailData, ['orderStatus']),
  Type.Object({
    orderStatus: Type.String({ pattern: '^(?:0|11|14|15)$', description: 'a string here (§14): "0" at creation' }),
    sign: Str("HMAC-SHA256 of data's other fields with your security key (the webhook recipe)"),
  }),
]);

/** pwpp's answer data (both versions). */
export const PwppData = Type.Object({
  orderId: Str('Tender order id; your successURL/failURL/retURL get it as ?txnRef='),
  orderStatus: Type.Union([Type.Literal(11), Type.Literal(14)], {
    description: '11 while the 3-D Secure step is pending, 14 when paid at once',
  }),
  pageData: Str('HTML to render for the 3-D Secure step (or the success page); may be empty'),
  redirectURL: Str('send the customer here for the 3-D Secure step when not empty'),
  ccStorageID: Str('the stored card id when storeCc=1 (or the stored card paid with), else empty'),
});

/** pwpp v1 when the payment fails at the bank (seed 001 §12): the order exists, closed (15). */
export const PwppV1Failure = Type.Object(
  {
    code: Type.Literal(90751015),
    msg: Str('"pay fail: <reason>"'),
    data: Type.Object({ orderId: Type.Literal(''), pageData: Type.Literal(''), ccStorageID: Type.Literal('') }),
    traceid: Str('trace id'),
  },
  { additionalProperties: false, title: 'PwppV1Failure' },
);

/** pwpp v2 when the payment fails at the bank (the reference's v2 page): data null. */
export const PwppV2Failure = Type.Object(
  {
    code: Type.Literal(90751019),
    msg: Str('"create order fail: pay fail: <reason>"'),
    data: Type.Null(),
    traceid: Str('trace id'),
  },
  { additionalProperties: false, title: 'PwppV2Failure' },
);
