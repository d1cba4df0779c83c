// The contract of the Payments and Balances pages (src/api/contract model): for the portal's document once the
// portal's routes are registered in the app (the issue 12 merge adds these routes to the portal contract).
// Pages are HTML: their statuses and content types are the contract; the CSV export is text/csv.
import { Type } from '@sinclair/typebox';
import type { Answer, RouteContract } from '../../api/contract/types.js';

const html = (description: string): Answer => ({ description, contentType: 'text/html' });
const toLogin: Answer = { description: 'See Other: no session, to /login?next=…' };
const refusals = {
  '400': html('a filter or page position could not be read (the message says which)'),
  '503': html('the database is briefly unreachable'),
};
const text = (description: string) => Type.Optional(Type.String({ description }));

export const PaymentsQuery = Type.Object({
  status: text('0 | 11 | 14 | 15, or pending | processing | completed | closed'),
  kind: text('payin | payout | fiat_payout'),
  currency: text('ledger currency code, e.g. USDT'),
  from: text('first day, YYYY-MM-DD (UTC), inclusive'),
  to: text('last day, YYYY-MM-DD (UTC), inclusive'),
  merchantTradeNo: text('exact merchantTradeNo'),
  orderId: text('exact order id'),
  hash: text('exact transaction hash'),
  amount: text('exact amount as a decimal (in currency, or in any currency it fits)'),
  size: text('page size, 1..200 (default 50)'),
  after: text('cursor of the next (older) page'),
  before: text('cursor of the previous (newer) page'),
});

const OrderId = Type.Object({ orderId: Type.String() });

export const PORTAL_PAYMENTS_ROUTES: RouteContract[] = [
  {
    method: 'GET',
    route: '/payments',
    path: '/payments',
    summary: "The merchant's orders of every dialect and kind, filtered, newest first, keyset pages",
    query: PaymentsQuery,
    answers: { '200': html('the list'), '303': toLogin, ...refusals },
  },
  {
    method: 'GET',
    route: '/payments.csv',
    path: '/payments.csv',
    summary: 'The filtered orders as CSV, streamed',
    query: PaymentsQuery,
    answers: {
      '200': { description: 'CSV (RFC 4180, CRLF), amounts as decimal strings', contentType: 'text/csv' },
      '303': toLogin,
      ...refusals,
    },
  },
  {
    method: 'GET',
    route: '/payments/:orderId',
    path: '/payments/{orderId}',
    summary: 'One order: status history, ledger entries, every webhook attempt',
    params: OrderId,
    answers: { '200': html('the order page'), '303': toLogin, '404': html('no order of this merchant has this id') },
  },
  {
    method: 'POST',
    route: '/payments/:orderId/resend',
    path: '/payments/{orderId}/resend',
    summary: "Queue the order's webhook again (form with _csrf)",
    params: OrderId,
    body: { 'application/x-www-form-urlencoded': Type.Object({ _csrf: Type.String() }) },
    answers: {
      '303': { description: 'See Other: back to the order page' },
      '403': html('no session, a wrong CSRF token or a form of another site'),
      '404': html('no order of this merchant has this id'),
    },
  },
  {
    method: 'POST',
    route: '/payments/:orderId/refund',
    path: '/payments/{orderId}/refund',
    summary: 'Refund a card payment, fully or partly (form with _csrf; issue 13, docs/refunds.md)',
    params: OrderId,
    body: {
      'application/x-www-form-urlencoded': Type.Object({
        _csrf: Type.String(),
        amount: Type.String({ description: 'decimal amount in the order currency' }),
        refundKey: Type.String({ description: 'idempotency key drawn with the page' }),
        reason: Type.Optional(Type.String()),
      }),
    },
    answers: {
      '303': { description: 'See Other: back to the order page, with the refund state or why it was refused' },
      '403': html('no session, a wrong CSRF token or a form of another site'),
      '404': html('no order of this merchant has this id'),
    },
  },
  {
    method: 'GET',
    route: '/balances',
    path: '/balances',
    summary: 'Balances per currency, a daily chart and the journal behind them',
    query: Type.Object({
      currency: text('ledger currency code'),
      days: text('7 | 30 | 90 | 365'),
      after: text('journal cursor of the next (older) page'),
    }),
    answers: { '200': html('the page'), '303': toLogin, ...refusals },
  },
  {
    method: 'GET',
    route: '/assets/portal-payments.css',
    path: '/assets/portal-payments.css',
    summary: 'Stylesheet of the payments pages',
    answers: { '200': { description: 'CSS', contentType: 'text/css' } },
  },
];
