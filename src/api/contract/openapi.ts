// The openapi (C-Pay v1, seed 001) dialect and its sandbox routes as a contract.
import { type TSchema, Type } from '@sinclair/typebox';
import {
  CreateOrderParams,
  GetMerchantBalanceParams,
  GetOrderDetailParams,
  GetWalletAddressParams,
} from '../openapi/schemas.js';
import {
  BalanceData,
  CreateOrderData,
  OpenapiAnswer,
  OpenapiRefusal,
  OrderDetailData,
  WalletAddressData,
} from '../openapi/responses.js';
import type { Answer, DialectContract, RouteContract } from './types.js';
import { ratesOpenapiRoutes } from './rates.js';
import { WithdrawData, WithdrawParams } from '../openapi/payout-schemas.js';
import { FiatPayoutData, FiatPayoutParams } from '../openapi/fiat-payout-schemas.js';
import { KycData, KycJsonParams, KycParams } from '../openapi/kyc-schemas.js';
import {
  CreateByCardData,
  CreateOrderByCreditCardParams,
  PwppData,
  PwppParams,
  PwppV1Failure,
  PwppV2Failure,
} from '../openapi/card-schemas.js';

const JSON_TYPE = 'application/json';

/** Every signed request names the merchant and signs its other parameters (seed 001 §16, docs/signatures). */
const signedBy = <T extends TSchema>(params: T) =>
  Type.Composite([
    Type.Object({
      merchantId: Type.String({ pattern: '^[0-9]+$', description: 'your merchant id' }),
      sign: Type.String({ description: 'HMAC-SHA256 of the other parameters (seed 001 §16 or a demo recipe)' }),
    }),
    params as unknown as ReturnType<typeof Type.Object>,
  ]);

const refusal = (description: string): Answer => ({ description, contentType: JSON_TYPE, schema: OpenapiRefusal });

/** Parameters travel in the query, a form, multipart form data or a JSON object alike (all strings). */
const bodies = (schema: TSchema) => ({
  'application/x-www-form-urlencoded': schema,
  'multipart/form-data': schema,
  'application/json': schema,
});

const route = (
  method: RouteContract['method'],
  name: string,
  summary: string,
  params: TSchema,
  data: TSchema,
  title: string,
): RouteContract => ({
  method,
  route: `/openapi/v1/${name}`,
  path: `/openapi/v1/${name}`,
  summary,
  description:
    'Parameters may be sent in the query string or the body. A processed request answers HTTP 200: code 0 with ' +
    'data, or a refusal code with data null. The doubled prefix /openapi/v1/openapi/v1 (seed 001 §5) works too.',
  query: signedBy(params),
  ...(method === 'POST' ? { body: bodies(signedBy(params)) } : {}),
  answers: { '200': { description: 'success or refusal', contentType: JSON_TYPE, schema: OpenapiAnswer(data, title) } },
});

/** submitKYC: a JSON body may carry `data` as the array itself (the doc's example), signed as its raw text. */
const submitKyc = (): RouteContract => {
  const r = route('POST', 'submitKYC', "Submit up to 1000 users' KYC records (§11)", KycParams, KycData, 'SubmitKyc');
  return {
    ...r,
    description: `${r.description} All or nothing: one invalid record refuses the call, naming its index and field.`,
    body: { ...bodies(signedBy(KycParams)), 'application/json': signedBy(KycJsonParams) },
  };
};

/** pwpp v1 (form, §12) and v2 (JSON): card data host to host; each version has its own failure answer. */
const pwpp = (version: 1 | 2): RouteContract => {
  const r = route(
    'POST',
    'pwpp',
    `Pay by card host to host, v${version} (§12, docs/cards.md)`,
    PwppParams,
    PwppData,
    'Pwpp',
  );
  const failure = version === 1 ? PwppV1Failure : PwppV2Failure;
  return {
    ...r,
    route: `/openapi/v${version}/pwpp`,
    path: `/openapi/v${version}/pwpp`,
    description:
      `${r.description} Needs the user's KYC (submitKYC). A card the bank refuses answers ` +
      `${version === 1 ? '90751015 with data of empty strings' : '90751019 with data null'}; the order stays, closed.`,
    ...(version === 2 ? { query: undefined, body: { 'application/json': signedBy(PwppParams) } } : {}),
    answers: {
      '200': {
        description: 'success, refusal or payment failure',
        contentType: JSON_TYPE,
        schema: Type.Union([OpenapiAnswer(PwppData, `PwppV${version}`), failure]),
      },
    },
  };
};

const settle = (outcome: 'complete' | 'fail'): RouteContract => ({
  method: 'POST',
  route: `/sandbox/orders/:orderId/${outcome}`,
  path: `/sandbox/orders/{orderId}/${outcome}`,
  summary: `Sandbox only: ${outcome === 'complete' ? 'pay' : 'fail'} an order as if the customer had`,
  description: 'Send Authorization: Bearer <admin token>, or sign merchantId, orderId and createTime like any request.',
  params: Type.Object({ orderId: Type.String({ description: 'the order id' }) }),
  answers: {
    '200': {
      description: 'the settled order, or a refusal',
      contentType: JSON_TYPE,
      schema: OpenapiAnswer(OrderDetailData, 'SettledOrder'),
    },
  },
});

export const openapiContract: DialectContract = {
  name: 'openapi',
  title: 'Tender: C-Pay openapi v1 dialect',
  description:
    'The CPay / C-Pay merchant API of seed 001. Envelope {code, msg, data, traceid}; code 0 is success, ' +
    'other codes are listed in the Refusal schema and docs/errors.md.',
  routes: [
    route('POST', 'createOrder', 'Create a crypto order (§13)', CreateOrderParams, CreateOrderData, 'CreateOrder'),
    route('GET', 'getOrderDetail', 'Read an order (§9)', GetOrderDetailParams, OrderDetailData, 'OrderDetail'),
    route(
      'GET',
      'getWalletAddress',
      "A user's deposit addresses",
      GetWalletAddressParams,
      WalletAddressData,
      'WalletAddress',
    ),
    route('GET', 'getMerchantBalance', 'Balances per currency', GetMerchantBalanceParams, BalanceData, 'Balance'),
    ...ratesOpenapiRoutes(route),
    route('POST', 'withdraw', 'Pay out crypto to an address (§4)', WithdrawParams, WithdrawData, 'Withdraw'),
    route(
      'POST',
      'createFiatPayoutOrder',
      'Pay out fiat to a Pix key or a bank card (§5)',
      FiatPayoutParams,
      FiatPayoutData,
      'FiatPayout',
    ),
    submitKyc(),
    route(
      'POST',
      'createOrderByCreditCard',
      'Create a card order paid on the hosted card page (§14)',
      CreateOrderByCreditCardParams,
      CreateByCardData,
      'CreateOrderByCreditCard',
    ),
    pwpp(1),
    pwpp(2),
    settle('complete'),
    settle('fail'),
  ],
  common: {
    '400': refusal('the URL could not be read (bad percent-encoding)'),
    '404': refusal('no such route (code 404)'),
    '413': refusal('request body too large'),
    '414': refusal('a path segment too long'),
    '415': refusal('unsupported content type'),
    '500': refusal('internal error (code 1)'),
  },
};
