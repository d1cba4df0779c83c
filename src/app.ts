// Builds the HTTP application without listening: every dialect is an encapsulated plugin with its own
// error handler, all over one core.
import { operatorPayoutPlugin } from './api/admin/payout-routes.js';
import { operatorCardMoneyPlugin } from './api/admin/card-money-routes.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { Logger } from 'pino';
import type { Deps } from './core/deps.js';
import { openapiPlugin } from './api/openapi/plugin.js';
import { openapiV2Plugin } from './api/openapi/card-routes.js';
import { minimalPlugin } from './api/minimal/plugin.js';
import { sandboxPlugin } from './api/sandbox/plugin.js';
import { adminPlugin } from './api/admin/plugin.js';
import { checkoutPlugin } from './web/checkout-plugin.js';
import { cardPlugin } from './web/card-plugin.js';
import { cardAcsPlugin } from './web/card-acs-plugin.js';
import { cinetpayPlugin } from './api/cinetpay/plugin.js';
import { mobileMoneyPlugin } from './web/mobile-money-plugin.js';
import { cinetpayLegacyPlugin } from './api/cinetpay-legacy/plugin.js';
import { registry, httpDuration, httpRequests } from './metrics.js';
import { newTraceId } from './api/trace-id.js';
import { apiHeaders, clientErrorHandler, frameworkErrors, notFound, rootErrorHandler, textRule } from './api/edge.js';
import { reqSerializer } from './api/log-mask.js';
import { TenderError } from './domain/errors.js';
import { adminTokenCheck } from './api/admin/token.js';
import { schemaErrorFormatter } from './api/schema-check.js';
import { contractPlugin } from './api/contract/plugin.js';
import { flushRecipeCounts } from './core/signature-tally.js';
import { assetsPlugin } from './web/portal/assets-plugin.js';
import { portalPlugin } from './web/portal/portal-plugin.js';
import { portalPaymentsPages } from './web/portal/payments-plugin.js';
import { consoleAuthPlugin } from './web/console/auth-plugin.js';
import { consolePages } from './web/console/plugin.js';
import type { OperatorSession } from './web/portal/session-types.js';
import { docsPlugin } from './web/portal/docs-plugin.js';
import { webhookSettingsPlugin } from './web/portal/webhook-settings-plugin.js';
import { decoratedSession, type SessionOf } from './web/portal/docs-session.js';

/** A request that trickles its headers is cut off after this long (Node's headersTimeout). */
const HEADERS_TIMEOUT_MS = 10_000;
/** A whole request (headers and body) must arrive within this long (Node's requestTimeout). */
const REQUEST_TIMEOUT_MS = 30_000;
/** An idle socket (no bytes either way) is closed after this long. */
const CONNECTION_TIMEOUT_MS = 60_000;

export { newTraceId };

/** One answer as sent: what the test suite checks against the contract (src/api/contract). */
export interface ObservedAnswer {
  method: string;
  /** Fastify's route pattern, undefined when no route matched (not found, router refusals). */
  route: string | undefined;
  url: string;
  status: number;
  contentType: string;
  /** The body text; undefined when it is a stream (judged by its content type only). */
  body: string | undefined;
}

export interface AppOptions {
  adminToken: string;
  /** Tests only: called with every answer before it is sent (test/harness.ts checks each against the contract). */
  observeAnswer?: (a: ObservedAnswer) => void;
  /** Tests only: called with every route as it is registered (test/contract.test.ts: all are documented). */
  observeRoute?: (method: string, url: string) => void;
  /** Tests only: the operator session of a console request (in production the console's login sets it). */
  consoleTestSession?: (req: FastifyRequest) => OperatorSession | undefined;
  /** Tests only: who is logged in to the merchant portal (in production the portal's login sets it). */
  portalSessionOf?: SessionOf;
}

export async function buildApp(deps: Deps, opts: AppOptions): Promise<FastifyInstance> {
  // Request logs mask the capability codes of hosted-page and watch URLs (src/api/log-mask.ts).
  const log = (deps.log as Logger).child({}, { serializers: { req: reqSerializer } });
  const app = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    genReqId: () => newTraceId(deps.clock.now()),
    logController: new LogController({ requestIdLogLabel: 'traceid' }),
    bodyLimit: 1024 * 1024,
    // Unknown long codes should reach the handlers (and their 404 pages), not the router's 414.
    routerOptions: { maxParamLength: 512 },
    return503OnClosing: true,
    forceCloseConnections: false,
    // Slow-header (slowloris) connections are cut off; the check interval bounds how late that happens.
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1000 },
    // Refusals before a route exists are answered in the envelope of the dialect of the path.
    frameworkErrors,
    clientErrorHandler: clientErrorHandler(() => newTraceId(deps.clock.now())),
    schemaErrorFormatter,
    // verbose: ajv's errors carry the failing schema, whose description is the refusal message.
    ajv: { customOptions: { verbose: true } },
  });
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;

  // The text rule (src/domain/text.ts) for every route of every dialect, before any handler reads input.
  app.addHook('preValidation', textRule);
  app.addHook('onSend', apiHeaders);
  const onRoute = opts.observeRoute;
  if (onRoute)
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) onRoute(method, r.url);
    });
  const observe = opts.observeAnswer;
  // Registered before every plugin so it applies to all of them (child contexts copy hooks when created).
  if (observe)
    app.addHook('onSend', async (req, reply, payload) => {
      const body =
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
      observe({
        method: req.method,
        route: req.routeOptions.url,
        url: req.url,
        status: reply.statusCode,
        contentType: String(reply.getHeader('content-type') ?? ''),
        body: body === null || body === undefined ? '' : typeof body === 'string' ? body : undefined,
      });
      return payload;
    });
  app.setErrorHandler(rootErrorHandler);

  // JSON bodies stay raw text: the openapi signature covers values exactly as sent.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  await app.register(formbody);

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    httpRequests.inc({ route, method: req.method, status: String(reply.statusCode) });
    httpDuration.observe({ route }, reply.elapsedTime / 1000);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-trace-id', req.id);
    return payload;
  });

  app.get('/healthz', async (_req, reply) => {
    try {
      await deps.db.query('SELECT 1');
      return { status: 'ok', mode: deps.config.mode };
    } catch {
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });
  // Metrics name routes, merchants' traffic and failures: operators only (the admin token).
  const isAdmin = adminTokenCheck(opts.adminToken);
  app.get('/metrics', async (req, reply) => {
    if (!isAdmin(req.headers.authorization)) {
      const e = new TenderError('BAD_ADMIN_TOKEN');
      return reply.status(401).send({ error: e.code, message: e.message, traceid: req.id });
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  await app.register(contractPlugin);
  await app.register(openapiPlugin, { deps, prefix: '/openapi/v1' });
  // Seed 001 §5 doubles the prefix by mistake; the doubled path is accepted too (shared/spec).
  await app.register(openapiPlugin, { deps, prefix: '/openapi/v1/openapi/v1' });
  await app.register(openapiV2Plugin, { deps, prefix: '/openapi/v2' }); // issue 13: pwpp v2 (JSON)
  await app.register(minimalPlugin, { deps });
  await app.register(checkoutPlugin, { deps });
  await app.register(cardPlugin, { deps }); // issue 13: the hosted card page
  if (deps.config.mode === 'sandbox') await app.register(cardAcsPlugin, { deps }); // the sandbox bank's 3DS page
  await app.register(cinetpayPlugin, { deps, prefix: '/v2' });
  await app.register(mobileMoneyPlugin, { deps });
  await app.register(cinetpayLegacyPlugin, { deps });
  if (deps.config.mode === 'sandbox')
    await app.register(sandboxPlugin, { deps, adminToken: opts.adminToken, prefix: '/sandbox' });
  await app.register(adminPlugin, { deps, token: opts.adminToken, prefix: '/admin' });
  await app.register(operatorPayoutPlugin, { deps, prefix: '/admin/payouts' }); // issue 11: operator tokens
  await app.register(operatorCardMoneyPlugin, { deps, prefix: '/admin/cards' }); // issue 13: refunds, chargebacks
  // Issue 12: the merchant portal and the operator console, each in its own context (sessions, CSRF); their
  // pages register inside, behind the login. Tests of single pages inject a session instead.
  await app.register(assetsPlugin);
  const portalTest = opts.portalSessionOf;
  const webhookPages = (a: FastifyInstance, o: { deps: Deps }) =>
    webhookSettingsPlugin(a, { deps: o.deps, sessionOf: decoratedSession });
  // The reference pages are public; inside the portal a logged-in merchant's session adds the portal menu.
  const docsPages = (a: FastifyInstance, o: { deps: Deps }) =>
    docsPlugin(a, { deps: o.deps, sessionOf: decoratedSession });
  await app.register(portalPlugin, {
    deps,
    pages: portalTest ? [] : [portalPaymentsPages, webhookPages, docsPages],
  });
  if (portalTest) {
    await app.register(webhookSettingsPlugin, { deps, sessionOf: portalTest });
    await app.register(docsPlugin, { deps, sessionOf: portalTest });
  }
  const consoleTest = opts.consoleTestSession;
  await app.register(consoleAuthPlugin, { deps, pages: consoleTest ? [] : [consolePages] });
  if (consoleTest) await app.register(consolePages, { deps, testSession: consoleTest });

  app.setNotFoundHandler(notFound);
  // Signature recipe counts still in memory (core/signature-tally.ts) are written once requests have stopped.
  app.addHook('onClose', () =>
    flushRecipeCounts(deps).catch((err) => deps.log.warn({ err }, 'signature recipe counts lost at close')),
  );
  return app;
}
