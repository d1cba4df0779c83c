// The operator console's pages (issue 12, /console/): HTML pages and form posts. Login is H3's.
import { Type } from '@sinclair/typebox';
import type { Answer, DialectContract, RouteContract } from './types.js';

const html = (description: string): Answer => ({ description, contentType: 'text/html' });
const back: Answer = { description: 'See Other: back to the page, with what was done' };
const MerchantId = Type.Object({ id: Type.String({ description: 'merchant id' }) });
const OrderId = Type.Object({ orderId: Type.String({ description: 'payout order id' }) });
const form = (fields: string[]) => ({
  'application/x-www-form-urlencoded': Type.Object(
    Object.fromEntries([
      ['_csrf', Type.String({ description: "the session's CSRF token" })],
      ...fields.map((f) => [f, Type.Optional(Type.String())]),
    ]),
  ),
});

const page = (
  method: RouteContract['method'],
  route: string,
  summary: string,
  answers: RouteContract['answers'],
  extra: Partial<RouteContract> = {},
): RouteContract => ({
  method,
  route,
  path: route.replace(/:([A-Za-z]+)/g, '{$1}'),
  summary,
  answers,
  security: ['operatorSession'],
  ...extra,
});

export const consoleContract: DialectContract = {
  name: 'console',
  title: 'Tender: operator console pages',
  description:
    'Server-rendered pages for operators (docs/console.md): merchants, onboarding, suspension, fees and limits, ' +
    'payout approvals, webhook health, the audit log. Forms carry the session CSRF token; support is read-only.',
  securitySchemes: {
    operatorSession: { type: 'apiKey', in: 'cookie', name: 'session', description: 'console login (/console/login)' },
  },
  routes: [
    page('GET', '/console/merchants', 'Merchants (search, keyset pages) and the onboarding form', {
      '200': html('the page'),
    }),
    page(
      'POST',
      '/console/merchants',
      'Onboard a merchant: its credentials are shown once',
      { '200': html('the credentials, once') },
      { body: form(['brand', 'company', 'website', 'email']) },
    ),
    page(
      'GET',
      '/console/merchants/:id',
      'A merchant: status, settings, fees and limits, recent actions',
      {
        '200': html('the page'),
      },
      { params: MerchantId },
    ),
    ...(
      [
        ['suspend', 'Suspend the merchant', ['reason']],
        ['reactivate', 'Reactivate the merchant', []],
        ['fees', 'Pay-in fee, exchange spread and fee (bps)', ['payinFeeBps', 'spreadBps', 'exchangeFeeBps']],
        ['payout-fee', 'Payout fee of an asset on a network', ['asset', 'network', 'fixed', 'bps']],
        ['threshold', 'Two-person approval threshold of a currency', ['currency', 'amount']],
      ] as Array<[string, string, string[]]>
    ).map(([action, summary, fields]) =>
      page(
        'POST',
        `/console/merchants/:id/${action}`,
        summary,
        { '303': back },
        { params: MerchantId, body: form(fields) },
      ),
    ),
    page('GET', '/console/payouts', 'Payouts waiting for approval', { '200': html('the queue') }),
    ...(['approve', 'reject'] as const).map((d) =>
      page(
        'POST',
        `/console/payouts/:orderId/${d}`,
        `${d === 'approve' ? 'Approve' : 'Reject'} a payout`,
        {
          '303': back,
        },
        { params: OrderId, body: form([]) },
      ),
    ),
    // Issue 13 part 3: card refunds and chargebacks.
    page('GET', '/console/cards', "A card order's refunds, chargebacks and reserve, with the forms", {
      '200': html('the page'),
    }),
    ...(['chargeback', 'refund'] as const).map((a) =>
      page(
        'POST',
        `/console/cards/:orderId/${a}`,
        a === 'chargeback' ? 'Record a chargeback (admin role)' : 'Refund a card order (admin role)',
        { '303': back },
        {
          params: OrderId,
          body: form(a === 'chargeback' ? ['amount', 'caseId', 'reason'] : ['amount', 'refundKey', 'reason']),
        },
      ),
    ),
    page('GET', '/console/webhooks', 'Webhook delivery health per destination', { '200': html('the page') }),
    page('GET', '/console/audit', 'Search the audit log', { '200': html('the page') }),
  ],
  common: {
    '303': { description: 'a page without a session: to /console/login' },
    '400': html('a field is wrong (the page says which)'),
    '401': html('not signed in'),
    '403': html('not allowed: support role, CSRF token, or another origin'),
    '404': html('no such merchant or payout'),
    '409': html('the state does not allow it'),
    '413': html('request body too large'),
    '414': html('a path segment too long'),
    '415': html('unsupported content type'),
    '500': html('internal error'),
    '503': html('the database is briefly unreachable'),
  },
};
