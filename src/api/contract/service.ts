// Hosted pages (checkout /pay, CinetPay /payment), their live-status JSON, /healthz and the contract
// documents themselves. Pages are HTML: the contract names their statuses and content type only.
import { Type } from '@sinclair/typebox';
import { OrderStatusCode } from './common.js';
import { openapiContract } from './openapi.js';
import { portalDocsRoutes } from './portal-docs.js';
import type { Answer, DialectContract, RouteContract } from './types.js';

const JSON_TYPE = 'application/json';
const html = (description: string): Answer => ({ description, contentType: 'text/html' });
const redirect: Answer = { description: 'See Other: back to the page (or the merchant URL)' };
const Code = Type.Object({ code: Type.String({ description: 'payment code of the page URL' }) });

const page = (method: RouteContract['method'], route: string, summary: string, answers: RouteContract['answers']) => ({
  method,
  route,
  path: route.replace(/:code/, '{code}'),
  summary,
  params: Code,
  answers,
});

/** Routes outside the pages (/healthz, /openapi.json) refuse in the openapi envelope, keeping the HTTP status. */
const outsidePages = openapiContract.common;

/** Each dialect's document is served at /openapi/<name>.json (beside /openapi/v1/*, never inside it). */
export const DOCUMENT_NAMES = [
  'openapi',
  'minimal',
  'cinetpay',
  'cinetpay-legacy',
  'admin',
  'service',
  'portal',
  'console',
] as const;

/** What /openapi.json answers: an OpenAPI 3.1 document (its full structure is checked in test/contract). */
export const OpenapiDocument = Type.Object({
  openapi: Type.Literal('3.1.0'),
  info: Type.Object({ title: Type.String(), version: Type.String() }),
  paths: Type.Record(Type.String(), Type.Object({})),
});

export const serviceContract: DialectContract = {
  name: 'service',
  title: 'Tender: hosted pages and service routes',
  description:
    "The customer's payment pages, their live status, the health check, these documents, and the merchant portal's " +
    'API reference and webhook settings pages.',
  routes: [
    page('GET', '/pay/:code', 'Checkout page', {
      '200': html('the page'),
      '303': { description: 'See Other: a card order is paid on its card page (/pay/{code}/card)' },
    }),
    // Issue 13: the hosted card page (docs/cards.md). Strict CSP, no script.
    page('GET', '/pay/:code/card', 'Hosted card page: the card form, the 3-D Secure step or the result', {
      '200': html('the page'),
      '400': html('cannot continue'),
      '403': html('suspended merchant'),
      '404': html('unknown payment'),
    }),
    page('POST', '/pay/:code/card', 'Pay with the card (form: cardNumber, expDate, cvv, holder)', {
      '303': { description: "See Other: the bank's 3-D Secure page, the merchant's return URL or the result" },
      '400': html('the form again, saying which field is wrong'),
      '403': html('a post from another site, or a suspended merchant'),
      '404': html('unknown payment'),
    }),
    page('GET', '/pay/:code/3ds', "Back from the bank's 3-D Secure page (query: cres)", {
      '303': { description: "See Other: the merchant's return URL (with txnRef) or the result page" },
      '400': html('not a valid answer for this payment'),
      '404': html('unknown payment'),
    }),
    {
      method: 'GET',
      route: '/sandbox-acs/:id',
      path: '/sandbox-acs/{id}',
      summary: "Sandbox only: the sandbox bank's 3-D Secure page (redirectURL)",
      params: Type.Object({ id: Type.String({ description: 'the challenge id' }) }),
      answers: { '200': html('the challenge'), '404': html('unknown challenge') },
    },
    {
      method: 'POST',
      route: '/sandbox-acs/:id',
      path: '/sandbox-acs/{id}',
      summary: "Sandbox only: pageData's creq post (shows the challenge) or the page's answer (code or cancel)",
      params: Type.Object({ id: Type.String({ description: 'the challenge id' }) }),
      answers: {
        '200': html('the challenge'),
        '303': { description: 'See Other: back to Tender with the cres' },
        '403': html('an answer posted from another site'),
        '404': html('unknown challenge'),
      },
    },
    page('POST', '/pay/:code/network', 'Choose the network (form)', { '303': redirect, '409': html('too late') }),
    page('GET', '/pay/:code/status', 'Live status of a checkout', {
      '200': {
        description: 'the status',
        contentType: JSON_TYPE,
        schema: Type.Object(
          { status: OrderStatusCode, statusText: Type.String(), expiresAt: Type.String({ format: 'date-time' }) },
          { additionalProperties: false },
        ),
      },
      '404': {
        description: 'unknown code',
        contentType: JSON_TYPE,
        schema: Type.Object({ status: Type.Null(), statusText: Type.String() }, { additionalProperties: false }),
      },
    }),
    page('POST', '/pay/:code/sandbox', 'Sandbox only: pay or fail (form)', { '303': redirect }),
    page('GET', '/payment/:code', 'CinetPay payment page', { '200': html('the page') }),
    page('GET', '/payment/:code/status', 'Live status of a CinetPay payment', {
      '200': {
        description: 'the step the page shows',
        contentType: JSON_TYPE,
        schema: Type.Object(
          {
            status: OrderStatusCode,
            step: Type.Union(
              ['choose', 'push', 'otp', 'processing', 'paid', 'failed', 'expired'].map((s) => Type.Literal(s)),
            ),
            failure: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
      '404': {
        description: 'unknown code',
        contentType: JSON_TYPE,
        schema: Type.Object({ step: Type.Null() }, { additionalProperties: false }),
      },
    }),
    page('POST', '/payment/:code/mobile-money', 'Pay by mobile money (form)', { '303': redirect }),
    page('POST', '/payment/:code/otp', 'Confirm with the OTP (form)', { '303': redirect }),
    page('POST', '/payment/:code/card', 'Sandbox only: card outcome (form)', { '303': redirect }),
    {
      method: 'GET',
      route: '/healthz',
      path: '/healthz',
      summary: 'Health check',
      answers: {
        ...outsidePages,
        '200': {
          description: 'up',
          contentType: JSON_TYPE,
          schema: Type.Object(
            { status: Type.Literal('ok'), mode: Type.Union([Type.Literal('sandbox'), Type.Literal('live')]) },
            { additionalProperties: false },
          ),
        },
        '503': {
          description: 'the database is unreachable',
          contentType: JSON_TYPE,
          schema: Type.Object({ status: Type.Literal('database unreachable') }, { additionalProperties: false }),
        },
      },
    },
    {
      method: 'GET',
      route: '/openapi.json',
      path: '/openapi.json',
      summary: 'This contract: every dialect in one OpenAPI 3.1 document',
      answers: {
        ...outsidePages,
        '200': { description: 'OpenAPI 3.1', contentType: JSON_TYPE, schema: OpenapiDocument },
      },
    },
    ...DOCUMENT_NAMES.map(
      (name): RouteContract => ({
        method: 'GET',
        route: `/openapi/${name}.json`,
        path: `/openapi/${name}.json`,
        summary: `The ${name} dialect alone, as OpenAPI 3.1`,
        answers: {
          ...outsidePages,
          '200': { description: 'OpenAPI 3.1', contentType: JSON_TYPE, schema: OpenapiDocument },
        },
      }),
    ),
    ...portalDocsRoutes,
  ],
  common: {
    '400': html('the request could not be read'),
    '403': html('refused (a POST from another origin)'),
    '404': html('unknown payment code'),
    '409': html('the payment cannot change any more'),
    '413': html('request body too large'),
    '414': html('a path segment too long'),
    '415': html('unsupported content type'),
    '500': html('internal error'),
    '503': html('the database is briefly unreachable'),
  },
};
