// Defect 9.2 at the level of the transaction helper: a connection that dies while a transaction holds it
// (what a PostgreSQL restart does to every busy connection) must reject the use-case with an outage error,
// not raise an unhandled `error` event that kills the process; a COMMIT whose outcome is unknown is not
// retried; a database that does not answer fails a checkout fast; worker loops log an outage once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import pino from 'pino';
import { Writable } from 'node:stream';
import { CommitOutcomeUnknown, createPool, inTx } from '../src/store/db.js';
import { isDatabaseUnavailable } from '../src/store/unavailable.js';
import { outageLog } from '../src/workers/outage-log.js';
import { freshDatabase } from './harness.js';

const url = await freshDatabase();
const db = createPool(url, 4);
after(() => db.end());

/** Fails the test if anything reaches the process-level handlers while `fn` runs (the old crash). */
async function noUncaught<T>(fn: () => Promise<T>): Promise<T> {
  const seen: unknown[] = [];
  const record = (e: unknown) => seen.push(e);
  process.on('uncaughtException', record);
  try {
    const r = await fn();
    await new Promise((res) => setTimeout(res, 200)); // let the socket's end and error events arrive
    assert.deepEqual(seen, [], 'an error escaped to the process');
    return r;
  } finally {
    process.removeListener('uncaughtException', record);
  }
}

test(
  'defect 9.2: a connection killed mid-transaction ' + 'rejects inTx with an outage error; the process lives on',
  async () => {
    await noUncaught(async () => {
      let calls = 0;
      const err = await inTx(db, async (tx) => {
        calls++;
        await tx.query('SELECT 1');
        // What a restart does to a busy backend: terminate it (from inside, so the timing is exact).
        await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
        return 'unreachable';
      }).catch((e: unknown) => e);
      assert.ok(err instanceof Error, `inTx resolved: ${String(err)}`);
      assert.ok(isDatabaseUnavailable(err), `not an outage: ${(err as Error).message}`);
      assert.equal(calls, 1, 'the use-case ran again on a lost connection');
    });
    // The broken client was destroyed, not handed to the next transaction.
    for (let i = 0; i < 6; i++)
      assert.equal(await inTx(db, async (tx) => (await tx.query('SELECT 1 AS x')).rows[0].x), 1);
  },
);

test('defect 9.2: a connection lost during COMMIT is reported as outcome unknown and not retried', async () => {
  const admin = createPool(url, 1);
  await admin.query(`CREATE TABLE commit_probe (x int);
    CREATE FUNCTION die_at_commit() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(1); RETURN NULL; END $$;
    CREATE CONSTRAINT TRIGGER die AFTER INSERT ON commit_probe DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION die_at_commit();`);
  await admin.end();
  await noUncaught(async () => {
    let calls = 0;
    const err = await inTx(db, async (tx) => {
      calls++;
      await tx.query('INSERT INTO commit_probe VALUES (1)');
    }).catch((e: unknown) => e);
    assert.ok(err instanceof CommitOutcomeUnknown, `expected CommitOutcomeUnknown, got ${String(err)}`);
    assert.ok(isDatabaseUnavailable(err), 'an unknown COMMIT outcome must still read as an outage (retry later)');
    assert.equal(calls, 1, 'a transaction whose COMMIT outcome is unknown was run again');
  });
});

test('defect 9.2: serialization failures are still retried', async () => {
  let calls = 0;
  const r = await inTx(db, async (tx) => {
    calls++;
    if (calls < 3) await tx.query(`DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$`);
    return 'done';
  });
  assert.equal(r, 'done');
  assert.equal(calls, 3);
});

test('defect 9.2: a database that accepts TCP but never answers fails a checkout after the connect timeout', {
  timeout: 30_000,
}, async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
  const port = (silent.address() as { port: number }).port;
  const pool = createPool(`postgres://u:p@127.0.0.1:${port}/db`, 2, { connectTimeoutMs: 300 });
  try {
    const err = await inTx(pool, async () => 1).catch((e: unknown) => e);
    assert.ok(isDatabaseUnavailable(err), `not an outage: ${String(err)}`);
  } finally {
    await pool.end().catch(() => {});
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('defect 9.2: a worker loop logs a database outage once and its recovery once', () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  const out = outageLog(pino({ level: 'info' }, sink), 'order expirer');
  const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  for (let i = 0; i < 20; i++) out.failed(down);
  assert.equal(out.down, true);
  out.succeeded();
  out.succeeded();
  out.failed(new Error('a bug'));
  out.failed(new Error('a bug'));
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [
      [40, 'order expirer: database unavailable; pausing until it is back'],
      [30, 'order expirer: database is back; resumed'],
      [50, 'order expirer pass failed'],
      [50, 'order expirer pass failed'],
    ],
  );
});
