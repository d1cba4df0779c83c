// The merchant portal's reference and webhook settings pages (issue 12): HTML, judged by status and content
// type. They refuse with pages too (src/web/portal/docs-errors.ts), never with an API envelope.
import type { Answer, RouteContract } from './types.js';

const html = (description: string): Answer => ({ description, contentType: 'text/html' });
const seeOther = (description: string): Answer => ({ description });

/** Dialect names with a reference page; the same list as CONTRACTS (kept literal: contracts import this file). */
export const DOCS_PAGE_DIALECTS = [
  'openapi',
  'minimal',
  'cinetpay',
  'cinetpay-legacy',
  'admin',
  'service',
  'portal',
  'console',
] as const;

const get = (route: string, summary: string, answers: Record<string, Answer>): RouteContract => ({
  method: 'GET',
  route,
  path: route,
  summary,
  answers,
});

const formRefusals = {
  '400': html('the form was refused: the page says why, nothing was changed'),
  '403': html('no session, a missing or wrong _csrf field, or a post from another site'),
};

export const portalDocsRoutes: RouteContract[] = [
  get('/docs', 'Portal: the API reference index (public)', { '200': html('the page') }),
  ...DOCS_PAGE_DIALECTS.map((name) =>
    get(`/docs/api/${name}`, `Portal: the ${name} reference, rendered from /openapi/${name}.json (public)`, {
      '200': html('the page'),
    }),
  ),
  get('/docs/errors', 'Portal: the error codes of every dialect (public)', { '200': html('the page') }),
  get('/docs/statuses', 'Portal: the order status table (public)', { '200': html('the page') }),
  get('/docs/signature', 'Portal: the signature algorithm and an in-browser calculator (public)', {
    '200': html('the page'),
  }),
  get('/assets/signature.js', 'The signature calculator script of /docs/signature', {
    '200': { description: 'the script', contentType: 'text/javascript' },
  }),
  get('/assets/portal-docs.css', 'The stylesheet of the reference and webhook pages', {
    '200': { description: 'the stylesheet', contentType: 'text/css' },
  }),
  get('/webhooks', "Portal: the merchant's webhook settings", {
    '200': html('the page'),
    '303': seeOther('not logged in: to /login'),
  }),
  {
    method: 'POST',
    route: '/webhooks',
    path: '/webhooks',
    summary: 'Portal: save the default callback URL, the webhook format and the allowed redirect hosts (form)',
    answers: { '303': seeOther('saved: back to /webhooks?saved=1'), ...formRefusals },
  },
  {
    method: 'POST',
    route: '/webhooks/test',
    path: '/webhooks/test',
    summary: 'Portal: send a signed test webhook to the saved callback URL and show the request and answer (form)',
    answers: {
      '200': html('the exchange: request (URL, headers, body) and answer (status, headers, first bytes, time)'),
      '429': html('a test is still running, or too many tests this minute'),
      ...formRefusals,
    },
  },
];
