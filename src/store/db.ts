// The PostgreSQL pool and the one transaction helper every use-case goes through.
import pg from 'pg';
import { isDatabaseUnavailable } from './unavailable.js';
import { parsePgUri } from './pg-uri.js';
import { poolSettings } from './pg-hosts.js';

// numeric and int8 arrive as strings; money code converts them to bigint explicitly.
export type Db = pg.Pool;
export type Tx = pg.PoolClient | pg.Pool;

export interface PoolOptions {
  /** How long a checkout waits for a connection: during an outage a request fails fast instead of hanging. */
  connectTimeoutMs?: number;
  /** Server-side limit per statement (0 = none), so a stuck statement cannot hold a connection forever. */
  statementTimeoutMs?: number;
}

/**
 * A pool on DATABASE_URL read as libpq reads it (src/store/pg-uri.ts; a PgUriError names what is wrong): several
 * hosts, target_session_attrs, sslmode. After a failover the broken connections are dropped (below and in inTx)
 * and new ones find the new primary (src/store/pg-hosts.ts).
 */
export function createPool(url: string, max: number, opts: PoolOptions = {}): Db {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  const pool = new pg.Pool({
    ...poolSettings(parsePgUri(url), connectTimeoutMs),
    connectionString: url, // kept for whoever reads pool.options back; the selecting Client ignores it
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: connectTimeoutMs,
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
    // A half-open TCP connection (the server host vanished) is noticed by the kernel instead of never.
    keepAlive: true,
  });
  pool.on('error', () => {
    /* an idle client died (e.g. database restart); the pool replaces it */
  });
  return pool;
}

/** Marks an error raised while COMMIT was in flight: the transaction may or may not have been applied. */
export class CommitOutcomeUnknown extends Error {
  constructor(cause: unknown) {
    // `cause` keeps it an outage to isDatabaseUnavailable (the caller answers "retry").
    super(`connection lost during COMMIT: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'CommitOutcomeUnknown';
  }
}

/**
 * Runs `fn` in one transaction; retries serialization failures and deadlocks a few times.
 *
 * A connection that dies while checked out (database restart, network cut) emits `error` on its client;
 * without a listener that event would be unhandled and kill the process, so one is attached for the
 * checkout's duration. A broken client is released with the error so the pool destroys it instead of
 * handing it to the next request. A transaction is never retried after a lost connection: if COMMIT was
 * in flight its outcome is unknown (it may have been applied), so the caller gets an outage error and the
 * client retries through its own idempotent path (merchantTradeNo, completion state checks).
 */
export async function inTx<T>(db: Db, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await db.connect();
    let broken: Error | undefined;
    const onError = (e: Error) => {
      broken = e;
    };
    client.on('error', onError);
    let committing = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      committing = true;
      await client.query('COMMIT');
      return result;
    } catch (e) {
      if (!broken && isDatabaseUnavailable(e)) broken = e as Error;
      if (!broken) await client.query('ROLLBACK').catch((re: Error) => (broken = re));
      if (broken && committing) throw new CommitOutcomeUnknown(e);
      const code = (e as { code?: string }).code;
      if (!broken && (code === '40001' || code === '40P01') && attempt < 5) continue;
      throw e;
    } finally {
      client.removeListener('error', onError);
      client.release(broken ?? undefined);
    }
  }
}
