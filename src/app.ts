// Builds the HTTP application without listening: every dialect is an encapsulated plugin with its own
// error handler, all over one core.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { randomInt } from 'node:crypto';
import type { Deps } from './core/deps.js';
import { openapiPlugin } from './api/openapi/plugin.js';
import { minimalPlugin } from './api/minimal/plugin.js';
import { sandboxPlugin } from './api/sandbox/plugin.js';
import { adminPlugin } from './api/admin/plugin.js';
import { checkoutPlugin } from './web/checkout-plugin.js';
import { cinetpayPlugin } from './api/cinetpay/plugin.js';
import { mobileMoneyPlugin } from './web/mobile-money-plugin.js';
import { registry, httpDuration, httpRequests } from './metrics.js';

/** traceid like the seed's "221117074719X9921729": UTC yyMMddHHmmss, 'X', 7 digits. */
export function newTraceId(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    p(now.getUTCFullYear() % 100) +
    p(now.getUTCMonth() + 1) +
    p(now.getUTCDate()) +
    p(now.getUTCHours()) +
    p(now.getUTCMinutes()) +
    p(now.getUTCSeconds()) +
    'X' +
    String(randomInt(0, 10_000_000)).padStart(7, '0')
  );
}

export interface AppOptions {
  adminToken: string;
}

export async function buildApp(deps: Deps, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    genReqId: () => newTraceId(deps.clock.now()),
    logController: new LogController({ requestIdLogLabel: 'traceid' }),
    bodyLimit: 1024 * 1024,
    // Unknown long codes should reach the handlers (and their 404 pages), not the router's 414.
    routerOptions: { maxParamLength: 512 },
    return503OnClosing: true,
    forceCloseConnections: false,
  });

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
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  await app.register(openapiPlugin, { deps, prefix: '/openapi/v1' });
  // Seed 001 §5 doubles the prefix by mistake; the doubled path is accepted too (shared/spec).
  await app.register(openapiPlugin, { deps, prefix: '/openapi/v1/openapi/v1' });
  await app.register(minimalPlugin, { deps });
  await app.register(checkoutPlugin, { deps });
  await app.register(cinetpayPlugin, { deps, prefix: '/v2' });
  await app.register(mobileMoneyPlugin, { deps });
  if (deps.config.mode === 'sandbox')
    await app.register(sandboxPlugin, { deps, adminToken: opts.adminToken, prefix: '/sandbox' });
  await app.register(adminPlugin, { deps, token: opts.adminToken, prefix: '/admin' });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const message = `no route ${req.method} ${path}`;
    // Each dialect's clients get a 404 in the shape they parse.
    if (path.startsWith('/api/') || path.startsWith('/watch'))
      return reply.status(404).send({ code: 'not_found', message });
    return reply.status(404).send({ code: 404, msg: message, data: null, traceid: req.id });
  });
  return app;
}
