// The operator API (/admin, bearer admin token) and /metrics as a contract.
import { Type } from '@sinclair/typebox';
import { DepositAddressQuery, MerchantIdParams, OrderIdParams } from '../admin/schemas.js';
import {
  AdminOrderAnswer,
  AdminRefusal,
  DepositAddressesAnswer,
  MerchantAnswer,
  MerchantCredentialsAnswer,
  ResendAnswer,
  RotatedCinetpayAnswer,
  RotatedKeyAnswer,
} from '../admin/responses.js';
import type { Answer, DialectContract, RouteContract } from './types.js';
import { ratesAdminRoutes } from './rates.js';
import { cardMoneyRoutes } from './card-money.js';
import { DecisionAnswer, HotWalletsAnswer, PayoutIdParams, PendingPayoutsAnswer } from '../admin/payout-schemas.js';
import {
  AuditAnswer,
  AuditQuery,
  HealthQuery,
  RotatedSecretAnswer,
  SuspendBody,
  SuspensionAnswer,
  WebhookHealthAnswer,
} from '../admin/console-schemas.js';

const JSON_TYPE = 'application/json';
const ok = (description: string, schema: Answer['schema']): Answer => ({ description, contentType: JSON_TYPE, schema });
const refusal = (description: string): Answer => ({ description, contentType: JSON_TYPE, schema: AdminRefusal });

const Format = Type.Union([Type.Literal('cpay'), Type.Literal('cpay-legacy')]);
const Settings = {
  callbackUrl: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'default webhook URL' })),
  webhookFormat: Type.Optional(Format),
  feeBps: Type.Optional(Type.Integer({ minimum: 0, description: 'fee in basis points' })),
  defaultCurrency: Type.Optional(Type.String()),
  allowedHosts: Type.Optional(Type.Array(Type.String(), { description: 'extra redirect hosts' })),
};
const NewMerchantBody = Type.Object({
  brand: Type.String(),
  company: Type.String(),
  website: Type.String(),
  email: Type.String(),
  ...Settings,
});

const admin = (r: Omit<RouteContract, 'security' | 'path'>): RouteContract => ({
  ...r,
  path: r.route.replace(/:([A-Za-z]+)/g, '{$1}'),
  security: ['adminToken'],
});

export const adminContract: DialectContract = {
  name: 'admin',
  title: 'Tender: operator API',
  description: 'Merchants, orders, webhooks and deposit addresses, for the operator (Authorization: Bearer <token>).',
  securitySchemes: {
    adminToken: { type: 'http', scheme: 'bearer' },
    operatorToken: { type: 'http', scheme: 'bearer', description: 'a token from `tender operator create`' },
  },
  routes: [
    admin({
      method: 'POST',
      route: '/admin/merchants',
      summary: 'Create a merchant (credentials are shown once)',
      body: { 'application/json': NewMerchantBody },
      answers: { '200': ok('the new merchant and its credentials', MerchantCredentialsAnswer) },
    }),
    admin({
      method: 'GET',
      route: '/admin/merchants/:id',
      summary: 'Read a merchant',
      params: MerchantIdParams,
      answers: { '200': ok('the merchant', MerchantAnswer) },
    }),
    admin({
      method: 'PATCH',
      route: '/admin/merchants/:id',
      summary: "Change a merchant's settings",
      params: MerchantIdParams,
      body: { 'application/json': Type.Object(Settings) },
      answers: { '200': ok('the merchant', MerchantAnswer) },
    }),
    admin({
      method: 'POST',
      route: '/admin/merchants/:id/rotate-key',
      summary: 'New openapi signing key',
      params: MerchantIdParams,
      answers: { '200': ok('the new key', RotatedKeyAnswer) },
    }),
    admin({
      method: 'POST',
      route: '/admin/merchants/:id/rotate-cinetpay',
      summary: 'New CinetPay apikey and notification secret',
      params: MerchantIdParams,
      body: { 'application/json': Type.Object({ siteId: Type.Optional(Type.String()) }) },
      answers: { '200': ok('the new credentials', RotatedCinetpayAnswer) },
    }),
    admin({
      method: 'GET',
      route: '/admin/orders/:id',
      summary: 'An order with its events and webhook deliveries',
      params: OrderIdParams,
      answers: { '200': ok('the order', AdminOrderAnswer) },
    }),
    admin({
      method: 'GET',
      route: '/admin/deposit-addresses',
      summary: 'Every deposit address, for sweeping (docs/sweeping.md)',
      query: DepositAddressQuery,
      answers: { '200': ok('the addresses', DepositAddressesAnswer) },
    }),
    admin({
      method: 'POST',
      route: '/admin/orders/:id/webhooks/resend',
      summary: "Send the order's webhook again",
      params: OrderIdParams,
      answers: { '200': ok('the new delivery', ResendAnswer) },
    }),
    ...ratesAdminRoutes(admin),
    admin({
      method: 'POST',
      route: '/admin/merchants/:id/suspend',
      summary: 'Suspend a merchant: its API requests are refused with MERCHANT_SUSPENDED (docs/console.md)',
      params: MerchantIdParams,
      body: { 'application/json': SuspendBody },
      answers: { '200': ok('the suspension (changed: false if it already was)', SuspensionAnswer) },
    }),
    admin({
      method: 'POST',
      route: '/admin/merchants/:id/reactivate',
      summary: 'Lift a suspension',
      params: MerchantIdParams,
      answers: { '200': ok('the merchant is active (changed: false if it already was)', SuspensionAnswer) },
    }),
    admin({
      method: 'POST',
      route: '/admin/merchants/:id/rotate-secret',
      summary: 'New minimal-dialect merchant secret (the old one stops working at once)',
      params: MerchantIdParams,
      answers: { '200': ok('the new secret, shown here once', RotatedSecretAnswer) },
    }),
    admin({
      method: 'GET',
      route: '/admin/audit',
      summary: 'Search the audit log of operator actions (newest first, keyset pages)',
      query: AuditQuery,
      answers: { '200': ok('a page of entries', AuditAnswer) },
    }),
    admin({
      method: 'GET',
      route: '/admin/webhook-health',
      summary: 'Webhook delivery health per destination across merchants',
      query: HealthQuery,
      answers: { '200': ok('per destination', WebhookHealthAnswer) },
    }),
    ...operatorRoutes(),
    ...cardMoneyRoutes(),
    admin({
      method: 'GET',
      route: '/metrics',
      summary: 'Prometheus metrics',
      answers: { '200': { description: 'Prometheus text format', contentType: 'text/plain' } },
    }),
  ],
  common: {
    '400': refusal('invalid input'),
    '401': refusal('missing or wrong admin token'),
    '403': refusal('forbidden'),
    '404': refusal('no such merchant, order or route'),
    '409': refusal('conflict'),
    '413': refusal('request body too large'),
    '414': refusal('a path segment too long'),
    '415': refusal('unsupported content type'),
    '500': refusal('internal error'),
    '503': refusal('the database is briefly unreachable: retry'),
  },
};

/** Issue 11: payouts, decided per operator (two different operators above the merchant's threshold). */
function operatorRoutes(): RouteContract[] {
  const op = (r: Omit<RouteContract, 'security' | 'path'>): RouteContract => ({
    ...r,
    path: r.route.replace(/:([A-Za-z]+)/g, '{$1}'),
    security: ['operatorToken'],
  });
  return [
    op({
      method: 'GET',
      route: '/admin/payouts',
      summary: 'Payouts not yet final, with their approvals (operator token)',
      answers: { '200': ok('the open payouts', PendingPayoutsAnswer) },
    }),
    op({
      method: 'GET',
      route: '/admin/payouts/hot-wallets',
      summary: 'Hot wallet address and balance per network and asset (operator token)',
      answers: { '200': ok('the balances', HotWalletsAnswer) },
    }),
    op({
      method: 'POST',
      route: '/admin/payouts/:orderId/approve',
      summary: 'Approve a payout; two different operators send it (operator token)',
      params: PayoutIdParams,
      answers: { '200': ok('the decision', DecisionAnswer) },
    }),
    op({
      method: 'POST',
      route: '/admin/payouts/:orderId/reject',
      summary: 'Reject a payout waiting for approval: 15, hold released (operator token)',
      params: PayoutIdParams,
      answers: { '200': ok('the decision', DecisionAnswer) },
    }),
  ];
}
