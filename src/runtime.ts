// Opens what a Tender process needs: the database (DATABASE_URL or the embedded one), migrations, keys.
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { cardVaultKey, masterKey } from './config.js';
import type { Deps } from './core/deps.js';
import { createPool } from './store/db.js';
import { describeTarget, parsePgUri } from './store/pg-uri.js';
import { openEmbedded, type Supervision } from './store/embedded.js';
import { migrate } from './store/migrate.js';
import { loadAssets } from './store/assets-repo.js';
import { assertMasterKeyMatches } from './store/master-key-check.js';
import { secretBox } from './domain/secret-box.js';
import { randomIds, systemClock } from './domain/clock.js';

export const REDACT = [
  'req.headers.authorization',
  '*.merchant_secret',
  '*.securityKey',
  '*.password',
  '*.merchantSecret',
  '*.cardNumber',
  '*.cvv',
  // A payout's card number or Pix key (createFiatPayoutOrder), wherever a parameter object is logged.
  '*.toAccount',
];

export function createLogger(cfg: Config, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level: cfg.logLevel, redact: { paths: REDACT, censor: '[REDACTED]' }, base: { service: 'tender' } },
    destination as pino.DestinationStream | undefined,
  );
}

export interface Runtime {
  deps: Deps;
  close(): Promise<void>;
}

/**
 * The long-running server restarts its embedded PostgreSQL when the postmaster dies on its own, and exits 1
 * (for a process supervisor) when it cannot: without a database it can only answer "unavailable".
 */
function embeddedSupervision(cfg: Config, log: Logger): Supervision {
  return {
    maxRestarts: cfg.embeddedPgRestarts,
    exited: (d) => log.error({ component: 'postgres', ...d }, 'embedded PostgreSQL exited unexpectedly; restarting'),
    restarted: (d) => log.info({ component: 'postgres', ...d }, 'embedded PostgreSQL restarted'),
    gaveUp: (err) => {
      log.fatal({ component: 'postgres', err }, 'embedded PostgreSQL could not be restarted; exiting');
      log.flush?.();
      setTimeout(() => process.exit(1), 100);
    },
  };
}

export async function openRuntime(
  cfg: Config,
  log: Logger,
  opts: { migrate?: boolean; supervise?: boolean } = {},
): Promise<Runtime> {
  let url = cfg.databaseUrl;
  let stopEmbedded = async () => {};
  // Hosts and session attributes only: the URI may hold a password.
  if (url) log.info({ component: 'postgres', database: describeTarget(parsePgUri(url)) }, 'database');
  if (!url) {
    const emb = await openEmbedded(
      cfg.dataDir,
      (m) => log.debug({ component: 'postgres' }, m),
      opts.supervise ? embeddedSupervision(cfg, log) : undefined,
    );
    url = emb.url;
    stopEmbedded = emb.stop;
    if (emb.tookOver)
      log.warn(
        { component: 'postgres', pid: emb.tookOver },
        'embedded PostgreSQL outlived its previous owner; restarted it',
      );
    log.info(
      { owned: emb.owned },
      emb.owned ? 'embedded PostgreSQL started' : 'attached to running embedded PostgreSQL',
    );
  }
  const db = createPool(url, cfg.dbPoolSize, {
    connectTimeoutMs: cfg.dbConnectTimeoutMs,
    statementTimeoutMs: cfg.dbStatementTimeoutMs,
  });
  try {
    if (opts.migrate !== false) await migrate(db, (m) => log.info(m));
    const key = masterKey(cfg);
    await assertMasterKeyMatches(db, key);
    const deps: Deps = {
      db,
      clock: systemClock,
      ids: randomIds,
      box: secretBox(key),
      vault: secretBox(cardVaultKey(cfg)),
      assets: await loadAssets(db, cfg.maxAmounts),
      config: cfg,
      log,
    };
    return {
      deps,
      async close() {
        await db.end();
        await stopEmbedded();
      },
    };
  } catch (e) {
    await db.end().catch(() => {});
    await stopEmbedded();
    throw e;
  }
}
