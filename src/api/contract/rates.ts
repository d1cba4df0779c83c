// The rate and exchange routes (seed 001 §7, §8, §10) as contract entries: openapi routes built by the
// dialect's own `route` helper, plus the operator's rate routes.
import { type TSchema, Type } from '@sinclair/typebox';
import { OpenapiRefusal } from '../openapi/responses.js';
import { TraceId } from './common.js';
import {
  CardExchangeRateData,
  ExchangeData,
  ExchangeParams,
  ExchangeRateData,
  ExchangeRateParams,
} from '../openapi/rates-schemas.js';
import type { RouteContract } from './types.js';
import { MerchantIdParams } from '../admin/schemas.js';
import {
  MerchantRatesAnswer,
  MerchantRatesBody,
  OperatorRateAnswer,
  OperatorRatesAnswer,
  SetRateBody,
} from '../admin/rates-schemas.js';

type RouteFactory = (
  method: RouteContract['method'],
  name: string,
  summary: string,
  params: TSchema,
  data: TSchema,
  title: string,
) => RouteContract;

/** §8 and §10 answer msg "ok" as their examples do. */
const okAnswer = (r: RouteContract, data: TSchema, title: string): RouteContract => ({
  ...r,
  answers: {
    '200': {
      description: 'success or refusal',
      contentType: 'application/json',
      schema: Type.Union([
        Type.Object(
          { code: Type.Literal(0), msg: Type.Literal('ok'), data, traceid: TraceId },
          { additionalProperties: false, title },
        ),
        OpenapiRefusal,
      ]),
    },
  },
});

export function ratesOpenapiRoutes(route: RouteFactory): RouteContract[] {
  const rate = (method: 'GET' | 'POST') =>
    route(
      method,
      'getExchangeRate',
      'Exchange rate: units of sourceCurrency per 1 targetCurrency (§7)',
      ExchangeRateParams,
      ExchangeRateData,
      'ExchangeRate',
    );
  const card = (method: 'GET' | 'POST') =>
    okAnswer(
      route(
        method,
        'getExchangeRateForCreditCard',
        'Card exchange rate and the amount exchanged (§8)',
        ExchangeRateParams,
        CardExchangeRateData,
        'CardExchangeRate',
      ),
      CardExchangeRateData,
      'CardExchangeRate',
    );
  return [
    rate('GET'),
    rate('POST'),
    card('GET'),
    card('POST'),
    okAnswer(
      route('POST', 'exchange', "Convert between the merchant's balances (§10)", ExchangeParams, ExchangeData, 'X'),
      ExchangeData,
      'Exchange',
    ),
  ];
}

type AdminFactory = (r: Omit<RouteContract, 'security' | 'path'>) => RouteContract;

export function ratesAdminRoutes(admin: AdminFactory): RouteContract[] {
  const ok = (description: string, schema: TSchema) => ({
    '200': { description, contentType: 'application/json', schema },
  });
  return [
    admin({
      method: 'GET',
      route: '/admin/rates',
      summary: 'Operator-set rates with their times and freshness',
      answers: ok('the rates', OperatorRatesAnswer),
    }),
    admin({
      method: 'POST',
      route: '/admin/rates',
      summary: 'Set a rate: 1 base costs price quote (stamped now)',
      body: { 'application/json': SetRateBody },
      answers: ok('the rate as stored', OperatorRateAnswer),
    }),
    admin({
      method: 'GET',
      route: '/admin/merchants/:id/rates',
      summary: "A merchant's spread and exchange fee",
      params: MerchantIdParams,
      answers: ok('the settings in force', MerchantRatesAnswer),
    }),
    admin({
      method: 'PATCH',
      route: '/admin/merchants/:id/rates',
      summary: "Set a merchant's spread and exchange fee (null: the default)",
      params: MerchantIdParams,
      body: { 'application/json': MerchantRatesBody },
      answers: ok('the settings in force', MerchantRatesAnswer),
    }),
  ];
}
