// Issue 14: the pool on a libpq DATABASE_URL (src/store/pg-hosts.ts) against the suite's real PostgreSQL: hosts
// tried in order, target_session_attrs honoured, sslmode=prefer falling back, a host that stops fitting (what a
// failover does to the old primary) refused with a retryable error, then found again. The real failover with
// a promoted standby is test/failover.test.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { createPool, inTx, type Db } from '../src/store/db.js';
import { isDatabaseUnavailable } from '../src/store/unavailable.js';
import { NoSuitableHost } from '../src/store/pg-hosts.js';
import { PgUriError } from '../src/store/pg-uri.js';
import { freePort, freshDatabase, sleep } from './harness.js';

const url = new URL(await freshDatabase());
const live = `${url.hostname}:${url.port}`;
const cred = `${url.username}:${url.password}`;
const db = url.pathname.slice(1);
const pools: Db[] = [];
const servers: Server[] = [];
after(async () => {
  for (const p of pools) await p.end().catch(() => {});
  for (const s of servers) s.close();
});

function pool(uri: string, max = 2): Db {
  const p = createPool(uri, max, { connectTimeoutMs: 2000 });
  pools.push(p);
  return p;
}

/** A port where nothing listens (connection refused at once). */
const deadPort = freePort;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    await c.query('SET default_transaction_read_only = off'); // this session writes even while the database is not
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Makes every new session of the test database read-only (what a standby looks like to a client) or not. */
const readOnly = (on: boolean) =>
  admin((c) => c.query(`ALTER DATABASE ${db} SET default_transaction_read_only = ${on ? 'on' : 'off'}`));

const serverPort = (p: Db) =>
  p.query<{ port: number }>('SELECT inet_server_port() AS port').then((r) => r.rows[0]!.port);

test('issue 14: a host list is tried in order; a dead first host is skipped', async () => {
  const dead = await deadPort();
  const p = pool(`postgres://${cred}@127.0.0.1:${dead},${live}/${db}?target_session_attrs=read-write`);
  assert.equal(await serverPort(p), Number(url.port));
  // Per-host and port= forms reach the same server.
  const q = pool(`postgres://${cred}@/${db}?host=127.0.0.1,${url.hostname}&port=${dead},${url.port}`);
  assert.equal(await serverPort(q), Number(url.port));
});

test(
  'issue 14: a refused host list answers a retryable error quickly and names every host, not the ' + 'password',
  async () => {
    const [a, b] = [await deadPort(), await deadPort()];
    const p = pool(`postgres://${cred}@127.0.0.1:${a},127.0.0.1:${b}/${db}`);
    const err = await p.query('SELECT 1').catch((e: unknown) => e as Error);
    assert.ok(err instanceof NoSuitableHost, String(err));
    assert.ok(isDatabaseUnavailable(err), 'not classified as an outage');
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${a}: .*ECONNREFUSED.*127\\.0\\.0\\.1:${b}`));
    assert.ok(!err.message.includes(url.password), 'the password appears in the error');
  },
);

test('issue 14: target_session_attrs read-write refuses a read-only server; read-only and any accept it', async () => {
  await readOnly(true);
  try {
    const rw = pool(`postgres://${cred}@${live}/${db}?target_session_attrs=read-write`);
    const err = await rw.query('SELECT 1').catch((e: unknown) => e as Error);
    assert.ok(err instanceof NoSuitableHost, String(err));
    assert.match(err.message, /read-only/);
    assert.ok(isDatabaseUnavailable(err));
    for (const attrs of ['read-only', 'any', 'primary', 'prefer-standby']) {
      const p = pool(`postgres://${cred}@${live}/${db}?target_session_attrs=${attrs}`);
      assert.equal((await p.query('SELECT 1 AS x')).rows[0].x, 1, attrs);
    }
  } finally {
    await readOnly(false);
  }
  const standby = pool(`postgres://${cred}@${live}/${db}?target_session_attrs=standby`);
  const err = await standby.query('SELECT 1').catch((e: unknown) => e as Error);
  assert.ok(err instanceof NoSuitableHost, String(err));
  assert.match(err.message, /a read-write primary/);
  const ro = pool(`postgres://${cred}@${live}/${db}?target_session_attrs=read-only`);
  assert.ok((await ro.query('SELECT 1').catch((e: unknown) => e)) instanceof NoSuitableHost);
});

test('issue 14: sslmode=prefer falls back to plain on a server without TLS; require refuses it', async () => {
  const prefer = pool(`postgres://${cred}@${live}/${db}?sslmode=prefer`);
  assert.equal((await prefer.query('SELECT 1 AS x')).rows[0].x, 1);
  const require = pool(`postgres://${cred}@${live}/${db}?sslmode=require`);
  const err = await require.query('SELECT 1').catch((e: unknown) => e as Error);
  assert.ok(err instanceof NoSuitableHost, String(err));
  assert.match(err.message, /does not support SSL/);
});

test('issue 14: sslmode=require asks the server for TLS before anything else', async () => {
  // A stand-in server that records whether the client asks for TLS first. Accepting a self-signed certificate
  // is proven against pg_auto_failover's --ssl-self-signed nodes in test/failover.test.ts.
  let sawSslRequest = false;
  const server = createServer((sock) => {
    sock.once('data', (b) => {
      // SSLRequest: length 8, code 80877103.
      sawSslRequest = b.length === 8 && b.readInt32BE(4) === 80877103;
      sock.end('N');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const p = pool(`postgres://${cred}@127.0.0.1:${port}/${db}?sslmode=require`);
  await p.query('SELECT 1').catch(() => {});
  assert.ok(sawSslRequest, 'no SSLRequest was sent for sslmode=require');
});

test(
  'issue 14: a host that stops fitting is dropped; requests meanwhile get a retryable refusal; ' +
    'then it is found again',
  async () => {
    const p = pool(`postgres://${cred}@127.0.0.1:${await deadPort()},${live}/${db}?target_session_attrs=read-write`, 3);
    await inTx(p, (tx) => tx.query('CREATE TABLE IF NOT EXISTS t14 (x int)'));
    // The "failover": every session is cut and the server comes back read-only (as a demoted primary does).
    await readOnly(true);
    await admin((c) =>
      c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
        db,
      ]),
    );
    const refusals: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const e = await inTx(p, (tx) => tx.query('INSERT INTO t14 VALUES (1)')).catch((err: unknown) => err);
      refusals.push(e);
      await sleep(100);
    }
    for (const e of refusals) assert.ok(isDatabaseUnavailable(e), `not retryable: ${String(e)}`);
    await readOnly(false);
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = await inTx(p, (tx) => tx.query('INSERT INTO t14 VALUES (2)')).then(
        () => true,
        () => false,
      );
      if (!ok) await sleep(100);
    }
    assert.ok(ok, 'the pool did not find the writable server again');
  },
);

test('issue 14: a DATABASE_URL Tender cannot honour is refused when the pool is made', () => {
  assert.throws(() => createPool('postgres://h/d?sslmode=allow', 1), PgUriError);
  assert.throws(() => createPool('postgres://a,b,c/d?port=1,2', 1), /could not match 2 port numbers to 3 hosts/);
  assert.throws(
    () => createPool('postgres://h/d?sslmode=verify-full&sslrootcert=/nonexistent.pem', 1),
    /cannot read sslrootcert/,
  );
});

test(
  'issue 14: connections terminated while the pool opens them never reach the process as an ' + 'unhandled error',
  async () => {
    const p = pool(`postgres://${cred}@${live}/${db}`, 6);
    const uncaught: unknown[] = [];
    const record = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', record);
    try {
      let stop = false;
      const loops = Array.from({ length: 5 }, async () => {
        while (!stop) await p.query('SELECT pg_sleep(0.005)').catch(() => {});
      });
      // "Terminating connection" often arrives in the same read as the new connection's "ready for query".
      const end = Date.now() + 1500;
      while (Date.now() < end) {
        await admin((c) =>
          c.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()
           AND backend_type = 'client backend'`,
            [db],
          ),
        );
        await sleep(20);
      }
      stop = true;
      await Promise.all(loops);
      await sleep(200);
    } finally {
      process.removeListener('uncaughtException', record);
    }
    assert.deepEqual(uncaught, [], 'an error event escaped to the process');
    assert.equal((await p.query('SELECT 1 AS x')).rows[0].x, 1);
  },
);
