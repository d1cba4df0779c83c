// The PostgreSQL pool and the one transaction helper every use-case goes through.
import pg from 'pg';

// numeric and int8 arrive as strings; money code converts them to bigint explicitly.
export type Db = pg.Pool;
export type Tx = pg.PoolClient | pg.Pool;

export function createPool(url: string, max: number): Db {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {
    /* an idle client died (e.g. database restart); the pool replaces it */
  });
  return pool;
}

/** Runs `fn` in one transaction; retries serialization failures and deadlocks a few times. */
export async function inTx<T>(db: Db, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      const code = (e as { code?: string }).code;
      if ((code === '40001' || code === '40P01') && attempt < 5) continue;
      throw e;
    } finally {
      client.release();
    }
  }
}
