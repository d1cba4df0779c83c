// The portal's reference: /docs (index), /docs/api/<dialect> (from the OpenAPI documents), /docs/errors,
// /docs/statuses, /docs/signature, and the two static files they use. The pages are public: they hold
// nothing a merchant owns (the same facts are in /openapi.json and docs/), an integrator often reads them
// before having an account, and the signature calculator never sends the key. A logged-in merchant sees the
// portal navigation around them.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { CONTRACTS } from '../../api/contract/index.js';
import { dialectDocument } from '../../api/contract/document.js';
import { projectPath } from '../../paths.js';
import { esc } from '../html.js';
import { docsPage, portalHeaders } from './docs-layout.js';
import type { SessionOf } from './docs-session.js';
import { renderDialectDocument } from './docs-openapi.js';
import { errorTableHtml, statusTableHtml, type ErrorColumn } from './docs-tables.js';
import { signatureBody } from './docs-signature.js';
import { portalErrorHandler } from './docs-errors.js';
import type { RouteFlags } from './area.js';

/** Static files of these pages: served from src/web/portal/assets with a long-lived, revalidated cache. */
export const DOCS_ASSETS: Record<string, string> = {
  '/assets/signature.js': 'text/javascript; charset=utf-8',
  '/assets/portal-docs.css': 'text/css; charset=utf-8',
};

/** Which wire form of the error catalog each dialect's page shows. */
const ERROR_COLUMNS: Record<string, ErrorColumn[]> = {
  openapi: ['openapi'],
  minimal: ['minimal'],
  cinetpay: ['cinetpay'],
  'cinetpay-legacy': ['cinetpay'],
  admin: ['admin'],
  service: [],
};

/**
 * Inside the portal (app.ts) anyone reads these pages, and a logged-in merchant's session is set on the request
 * so the portal menu shows; outside it (tests of single pages) the flags mean nothing.
 */
const READ_BY_ANYONE = { config: { optionalSession: true } satisfies RouteFlags };

export const DOCS_DIALECTS = CONTRACTS.map((c) => c.name);

export async function docsPlugin(app: FastifyInstance, opts: { deps: Deps; sessionOf: SessionOf }): Promise<void> {
  const { sessionOf } = opts;
  app.setErrorHandler(portalErrorHandler(sessionOf));

  for (const [route, type] of Object.entries(DOCS_ASSETS)) {
    const text = readFileSync(projectPath(`src/web/portal/assets/${route.slice('/assets/'.length)}`), 'utf8');
    app.get(route, { config: { public: true } satisfies RouteFlags }, async (_req, reply) =>
      reply
        .header('cache-control', 'public, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .type(type)
        .send(text),
    );
  }

  // Built once: the contract does not change while the server runs.
  const dialects = CONTRACTS.map((c) => {
    const rendered = renderDialectDocument(dialectDocument(c));
    const columns = ERROR_COLUMNS[c.name] ?? [];
    const errors = columns.length
      ? `<h2 id="errors">Error codes</h2><p>Every refusal of this dialect, from Tender's one error catalog. ` +
        'All dialects side by side: <a href="/docs/errors">error table</a>.</p>' +
        errorTableHtml(columns)
      : '';
    const body =
      `<p>${esc(c.description)}</p><p>The same contract as OpenAPI 3.1: ` +
      `<a href="/openapi/${esc(c.name)}.json"><code>/openapi/${esc(c.name)}.json</code></a>. Order statuses: ` +
      '<a href="/docs/statuses">status table</a>. Signatures: <a href="/docs/signature">how to sign</a>.</p>' +
      rendered.html +
      errors;
    return { name: c.name, title: c.title, body };
  });

  const index =
    '<p>Everything Tender serves, one page per dialect, rendered from the OpenAPI documents ' +
    '(<a href="/openapi.json"><code>/openapi.json</code></a>).</p><ul>' +
    dialects.map((d) => `<li><a href="/docs/api/${esc(d.name)}">${esc(d.title)}</a></li>`).join('') +
    '</ul><h2>Shared references</h2><ul>' +
    '<li><a href="/docs/signature">Signature algorithm, with a calculator that runs in your browser</a></li>' +
    '<li><a href="/docs/errors">Error codes of every dialect</a></li>' +
    '<li><a href="/docs/statuses">Order statuses</a></li></ul>';
  const errorsBody =
    '<p>Tender has one error catalog; each dialect answers it in its own envelope: openapi/cpay with HTTP 200 and ' +
    '<code>{code, msg, data: null, traceid}</code>, minimal with <code>{code, message}</code> and an HTTP status, ' +
    'CinetPay with its own codes, the operator API with <code>{error, message, traceid}</code>.</p>' +
    errorTableHtml(['openapi', 'minimal', 'cinetpay', 'admin']);
  const statusesBody =
    '<p>Every order, of every dialect, is in one of four states. Final states never change; an illegal change ' +
    'is refused (20004 ILLEGAL_TRANSITION), never applied.</p>' +
    statusTableHtml();
  const signature = signatureBody();

  const page = (path: string, title: string, body: string, scripts?: string[]) =>
    app.get(path, READ_BY_ANYONE, async (req, reply) =>
      portalHeaders(reply).send(docsPage({ title, session: sessionOf(req), body, nav: path, scripts })),
    );
  page('/docs', 'API reference', index);
  for (const d of dialects) page(`/docs/api/${d.name}`, d.title, d.body);
  page('/docs/errors', 'Error codes', errorsBody);
  page('/docs/statuses', 'Order statuses', statusesBody);
  page('/docs/signature', 'Signature algorithm', signature, ['/assets/signature.js']);
}
