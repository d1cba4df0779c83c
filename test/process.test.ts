// Tender as real OS processes: `node dist/src/server.js` (what `npm start` runs) and `node bin/tender.mjs`,
// each with its own TENDER_DATA_DIR and port. Covers the embedded PostgreSQL lifecycle, the CLI beside a
// running server and on its own, JSON logs without secrets, graceful SIGTERM during a webhook attempt, and
// several worker processes sharing one PostgreSQL without duplicate webhooks.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freshDatabase, signed, sleep, freePort } from './harness.js';
import { openEmbedded } from '../src/store/embedded.js';
import { projectPath } from '../src/paths.js';
import { recordOutput } from './leak-record.js';

const ROOT = projectPath('.');
const SERVER = join(ROOT, 'dist/src/server.js');
const CLI = join(ROOT, 'bin/tender.mjs');

// ---------------------------------------------------------------------------------------------------
// Processes

interface Proc {
  name: string;
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
}

const procs: Proc[] = [];
const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** The environment of a child: ours minus anything that would point it elsewhere, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env))
    if (k.startsWith('TENDER_') || k === 'DATABASE_URL' || k === 'PORT' || k === 'HOST' || k === 'LOG_LEVEL')
      delete env[k];
  return { ...env, HOST: '127.0.0.1', ...extra };
}

function start(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { name, child, stdout: '', stderr: '', exited: false, exit: undefined as never };
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (p.stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (p.stderr += c));
  p.exit = new Promise((res) =>
    child.on('close', (code, signal) => {
      recordOutput('process', p.stdout + p.stderr); // for the leak scan (test/leak-record.ts)
      p.exited = true;
      res({ code, signal });
    }),
  );
  procs.push(p);
  return p;
}

const tail = (s: string, n = 4000) => (s.length > n ? `…${s.slice(-n)}` : s);
/** Warnings and errors among a process's JSON log lines (they may scroll out of the tail). */
const problems = (out: string) =>
  out
    .split('\n')
    .filter((l) => /^\{"level":(40|50|60)\b/.test(l))
    .slice(0, 10)
    .map((l) => tail(l, 2000))
    .join('\n');
const describe = (p: Proc) =>
  `--- ${p.name} (pid ${p.child.pid}${p.exited ? `, exited ${p.child.exitCode ?? p.child.signalCode}` : ''})\n` +
  `stderr:\n${tail(p.stderr) || '(empty)'}\nstdout` +
  ` warnings/errors:\n${problems(p.stdout) || '(none)'}\nstdout` +
  ` tail:\n${tail(p.stdout, 3000) || '(empty)'}`;

/** Runs a test body; on failure prints what every process started meanwhile wrote, then fails. */
async function withProcessOutput(fn: () => Promise<void>): Promise<void> {
  const first = procs.length;
  try {
    await fn();
  } catch (e) {
    const mine = procs.slice(first);
    await sleep(300); // let the last log lines through the pipes
    if (mine.length)
      console.error(`\n===== process output for the failing test =====\n${mine.map(describe).join('\n')}\n`);
    throw e;
  }
}

/** Runs the CLI to completion. */
async function cli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = start(`tender ${args.join(' ')}`, [CLI, ...args], env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const { code } = await p.exit;
  clearTimeout(timer);
  return { code, stdout: p.stdout, stderr: p.stderr };
}

async function cliOk(args: string[], env: Record<string, string>): Promise<string> {
  const r = await cli(args, env);
  assert.equal(r.code, 0, `tender ${args.join(' ')} exited ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout}`);
  return r.stdout;
}

/** Parses stdout that must be exactly one JSON object (one line, nothing else). */
function oneJsonObject(stdout: string): any {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected exactly one line of JSON on stdout, got:\n${stdout}`);
  const v = JSON.parse(lines[0]!);
  assert.ok(v && typeof v === 'object' && !Array.isArray(v), `not a JSON object: ${lines[0]}`);
  return v;
}

async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number | null> {
  if (!p.exited) p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const { code } = await p.exit;
  clearTimeout(timer);
  return code;
}

/** Waits until GET url answers 200; fails early if the process dies. */
async function waitHealthy(p: Proc, url: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (p.exited)
      throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) before ${url} answered`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`${url} not healthy after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

// ---------------------------------------------------------------------------------------------------
// A webhook receiver that can hold its answer

interface Hook {
  orderId: string;
  body: string;
  at: number;
}

async function receiver(
  opts: { delayMs?: number; answer?: string } = {},
): Promise<{ url: string; calls: Hook[]; holding: () => number; answered: () => number }> {
  const calls: Hook[] = [];
  let holding = 0;
  let answered = 0;
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      const param = new URLSearchParams(body).get('param');
      let orderId = '';
      try {
        orderId = String(JSON.parse(param ?? '{}').orderId ?? '');
      } catch {
        /* recorded with an empty id */
      }
      calls.push({ orderId, body, at: Date.now() });
      holding++;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(opts.answer ?? 'success');
        holding--;
        answered++;
      }, opts.delayMs ?? 0);
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  closers.push(
    () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    calls,
    holding: () => holding,
    answered: () => answered,
  };
}

// ---------------------------------------------------------------------------------------------------
// Merchant-side HTTP

async function signedGet(
  base: string,
  path: string,
  params: Record<string, string>,
  key: string,
): Promise<{ body: any; traceHeader: string | null }> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(signed(params, key))}`);
  assert.equal(res.status, 200, `${path} → HTTP ${res.status}`);
  return { body: await res.json(), traceHeader: res.headers.get('x-trace-id') };
}

async function postForm(url: string, params: Record<string, string>): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `POST ${url} → HTTP ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Creates an order through the openapi dialect and pays it through the sandbox rail; returns its id. */
async function paidOrder(base: string, merchantId: number, key: string, tradeNo: string): Promise<string> {
  const created = await postForm(
    `${base}/openapi/v1/createOrder`,
    signed(
      {
        merchantId: String(merchantId),
        merchantTradeNo: tradeNo,
        createTime: String(Date.now()),
        userId: 'user-1',
        amount: '10',
        cryptoCurrency: 'USDT',
      },
      key,
    ),
  );
  assert.equal(created.code, 0, `createOrder: ${JSON.stringify(created)}`);
  const orderId = String(created.data.orderId);
  // The sandbox helper API wants the merchant's signature over the order and a time (defect 10).
  const done = await postForm(
    `${base}/sandbox/orders/${orderId}/complete`,
    signed({ merchantId: String(merchantId), orderId, createTime: String(Date.now()) }, key),
  );
  assert.equal(done.code, 0, `sandbox complete: ${JSON.stringify(done)}`);
  return orderId;
}

const MERCHANT = ['--brand', 'B', '--company', 'C', '--website', 'https://shop.example', '--email', 'e@x.io'];

after(async () => {
  for (const p of procs) if (!p.exited) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exit));
  for (const c of closers) await c().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// One server on the embedded PostgreSQL, driven through tests a–e in order.

const dataDir = tempDir('tender-proc-');
const pidFile = join(dataDir, 'pg', 'postmaster.pid');
const baseEnv = {
  TENDER_DATA_DIR: dataDir,
  TENDER_WORKER_POLL_MS: '50',
  TENDER_WEBHOOK_BACKOFF: '0,1,1',
  LOG_LEVEL: 'info',
};
let server: Proc;
let base = '';
let creds: { merchantId: number; username: string; password: string; securityKey: string; merchantSecret: string };
const secrets: string[] = [];

test(
  'a. npm start without DATABASE_URL starts the embedded PostgreSQL; /healthz and /metrics answer',
  { timeout: 120_000 },
  () =>
    withProcessOutput(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      server = start('server.js', [SERVER], { ...baseEnv, PORT: String(port) });
      await waitHealthy(server, `${base}/healthz`);
      assert.ok(existsSync(join(dataDir, 'pg', 'PG_VERSION')), 'no cluster under TENDER_DATA_DIR/pg');
      assert.ok(existsSync(pidFile), 'embedded PostgreSQL not running (no postmaster.pid)');
      const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string };
      assert.equal(health.status, 'ok');
      // /metrics is for operators (defect 12): the admin token the server generated into its data dir.
      assert.equal((await fetch(`${base}/metrics`)).status, 401);
      const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
      const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(metrics.status, 200);
      const text = await metrics.text();
      assert.match(text, /^tender_http_requests_total\{[^}]*route="\/healthz"[^}]*\} \d+/m, text.slice(0, 2000));
    }),
);

test(
  'b. the CLI beside the running server: merchant create --json, signed requests, rotate-key',
  { timeout: 120_000 },
  () =>
    withProcessOutput(async () => {
      assert.ok(server && !server.exited, 'server not running');
      const out = await cliOk(['merchant', 'create', ...MERCHANT, '--json'], baseEnv);
      creds = oneJsonObject(out);
      assert.equal(typeof creds.merchantId, 'number');
      for (const k of ['username', 'password', 'securityKey', 'merchantSecret'] as const)
        assert.ok(typeof creds[k] === 'string' && creds[k].length > 0, `${k} missing: ${out}`);
      secrets.push(creds.password, creds.securityKey, creds.merchantSecret);
      // The CLI attached to the server's cluster; the server keeps running on it.
      assert.ok(existsSync(pidFile));

      const balance = (key: string) =>
        signedGet(base, '/openapi/v1/getMerchantBalance', { merchantId: String(creds.merchantId) }, key);
      const ok = await balance(creds.securityKey);
      assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
      assert.ok(Array.isArray(ok.body.data));

      const rotated = oneJsonObject(
        await cliOk(['merchant', 'rotate-key', String(creds.merchantId), '--json'], baseEnv),
      );
      assert.equal(rotated.merchantId, creds.merchantId);
      assert.ok(typeof rotated.securityKey === 'string' && rotated.securityKey !== creds.securityKey);
      secrets.push(rotated.securityKey);
      assert.equal((await balance(creds.securityKey)).body.code, 10004, 'the old key still works');
      const fresh = await balance(rotated.securityKey);
      assert.equal(fresh.body.code, 0, JSON.stringify(fresh.body));
      creds.securityKey = rotated.securityKey;
    }),
);

test(
  'b2. issue 10.1: `tender merchant show` lists the signature recipes the running server counted',
  { timeout: 120_000 },
  () =>
    withProcessOutput(async () => {
      assert.ok(creds, 'test b created the merchant');
      // Test b made two accepted signed requests (text recipe) and one refused; the server writes its
      // counts in a batch about a second later, so the CLI (another process) may need a second look.
      let shown: any;
      for (let i = 0; i < 20; i++) {
        shown = JSON.parse(await cliOk(['merchant', 'show', String(creds.merchantId)], baseEnv));
        if (shown.signatureRecipes?.text?.count >= 2) break;
        await sleep(500);
      }
      assert.equal(shown.merchantId, creds.merchantId);
      assert.equal(shown.signatureRecipes.text.count, 2, JSON.stringify(shown.signatureRecipes));
      assert.equal(shown.signatureRecipes['all-params'].count, 0);
      assert.equal(shown.signatureRecipes['php-empty'].count, 0);
      assert.ok(!Number.isNaN(Date.parse(shown.signatureRecipes.text.lastSeenAt)));
    }),
);

test('c. server logs are JSON lines with the response traceid and no secrets', { timeout: 60_000 }, () =>
  withProcessOutput(async () => {
    assert.ok(creds, 'needs test b');
    const r = await signedGet(
      base,
      '/openapi/v1/getMerchantBalance',
      { merchantId: String(creds.merchantId) },
      creds.securityKey,
    );
    const traceid = r.body.traceid as string;
    assert.match(traceid, /^\d{12}X\d{7}$/);
    assert.equal(r.traceHeader, traceid);
    // pino writes asynchronously: give the lines a moment to reach the pipe.
    await waitUntil(
      'the incoming and completed log lines of the request',
      () => server.stdout.split(`"traceid":"${traceid}"`).length >= 3,
      5000,
    );
    const lines = server.stdout.split('\n').filter((l) => l.trim() !== '');
    const records = lines.map((l, i): Record<string, unknown> => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return assert.fail(`server stdout line ${i + 1} is not JSON: ${l}`);
      }
    });
    for (const rec of records) {
      assert.equal(typeof rec.level, 'number');
      assert.equal(typeof rec.msg, 'string');
      assert.equal(typeof rec.time, 'number');
    }
    const mine = records.filter((rec) => rec.traceid === traceid);
    assert.ok(mine.length >= 2, `expected the request's incoming/completed lines with traceid ${traceid}`);
    assert.ok(mine.some((rec) => (rec.res as { statusCode?: number } | undefined)?.statusCode === 200));
    const everything =
      server.stdout +
      server.stderr +
      procs
        .filter((p) => p.name.startsWith('tender '))
        .map((p) => p.stderr)
        .join('');
    for (const s of secrets) assert.ok(!everything.includes(s), `a secret appears in the logs: ${s.slice(0, 4)}…`);
  }),
);

test(
  'd. SIGTERM waits for the webhook attempt in flight, records it, stops PostgreSQL and exits 0',
  { timeout: 120_000 },
  () =>
    withProcessOutput(async () => {
      assert.ok(server && !server.exited, 'server not running');
      const slow = await receiver({ delayMs: 1000 });
      const m = oneJsonObject(
        await cliOk(['merchant', 'create', ...MERCHANT, '--callback-url', slow.url, '--json'], baseEnv),
      );
      secrets.push(m.password, m.securityKey, m.merchantSecret);
      const orderId = await paidOrder(base, m.merchantId, m.securityKey, 'SIGTERM-1');
      await waitUntil('the webhook attempt to reach the receiver', () => slow.holding() === 1, 20_000);
      const t0 = Date.now();
      const code = await stop(server, 'SIGTERM');
      assert.equal(code, 0, 'server did not exit 0 on SIGTERM');
      assert.equal(slow.answered(), 1, 'the process exited before the receiver answered');
      assert.ok(Date.now() - t0 >= 500, 'exited without waiting for the attempt in flight');
      assert.ok(!existsSync(pidFile), 'embedded PostgreSQL still running after the server exited');
      assert.match(server.stdout, /"msg":"stopped cleanly"/);
      assert.doesNotMatch(server.stdout, /"level":50/, 'errors were logged during shutdown');
      for (const s of secrets) assert.ok(!(server.stdout + server.stderr).includes(s), 'a secret appears in the logs');

      // Look at the stopped server's database directly.
      const emb = await openEmbedded(dataDir);
      try {
        assert.ok(emb.owned, 'expected to start the cluster, the server should have stopped it');
        const c = new pg.Client({ connectionString: emb.url });
        await c.connect();
        try {
          const { rows } = await c.query<{
            state: string;
            attempts: number;
            ok: boolean | null;
            http_status: number | null;
            duration_ms: number | null;
          }>(
            `SELECT d.state, d.attempts, a.ok, a.http_status, a.duration_ms FROM webhook_deliveries d
         LEFT JOIN webhook_attempts a ON a.delivery_id = d.id WHERE d.order_id = $1`,
            [orderId],
          );
          assert.equal(rows.length, 1, JSON.stringify(rows));
          const row = rows[0]!;
          assert.deepEqual(
            [row.state, row.attempts, row.ok, row.http_status],
            ['delivered', 1, true, 200],
            JSON.stringify(row),
          );
          assert.ok(row.duration_ms! >= 900, `attempt lasted ${row.duration_ms} ms`);
        } finally {
          await c.end();
        }
      } finally {
        await emb.stop();
      }
      assert.ok(!existsSync(pidFile));
      assert.equal(slow.calls.length, 1);
    }),
);

test('e. with the server stopped the CLI starts and stops the embedded PostgreSQL itself', { timeout: 120_000 }, () =>
  withProcessOutput(async () => {
    assert.ok(server?.exited, 'needs test d to have stopped the server');
    assert.ok(!existsSync(pidFile));
    const m = oneJsonObject(await cliOk(['merchant', 'create', ...MERCHANT, '--json'], baseEnv));
    assert.equal(typeof m.merchantId, 'number');
    assert.ok(m.merchantId !== creds.merchantId);
    assert.ok(!existsSync(pidFile), 'the CLI left PostgreSQL running');
    const migrated = await cli(['migrate'], baseEnv);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /migrations applied/);
    assert.ok(!existsSync(pidFile), 'the CLI left PostgreSQL running');
  }),
);

// ---------------------------------------------------------------------------------------------------

test(
  'f. one API process and two worker processes on one PostgreSQL deliver every webhook exactly once',
  { timeout: 180_000 },
  () =>
    withProcessOutput(async () => {
      if (!process.env.TENDER_TEST_PG_URL) {
        // Run outside scripts/test.mjs: a cluster of our own, stopped in `after`.
        const emb = await openEmbedded(tempDir('tender-proc-pg-'));
        closers.push(emb.stop);
        process.env.TENDER_TEST_PG_URL = emb.url;
      }
      const databaseUrl = await freshDatabase();
      const dir = tempDir('tender-proc-f-');
      const env = {
        DATABASE_URL: databaseUrl,
        TENDER_DATA_DIR: dir,
        TENDER_WORKER_POLL_MS: '50',
        TENDER_WEBHOOK_BACKOFF: '0,1,1',
        LOG_LEVEL: 'info',
      };
      const port = await freePort();
      const api = `http://127.0.0.1:${port}`;
      // Started together on purpose: migrations and the generated keys must survive the race.
      const serve = start('tender serve', [CLI, 'serve'], { ...env, PORT: String(port) });
      const workers = [
        start('tender worker #1', [CLI, 'worker'], env),
        start('tender worker #2', [CLI, 'worker'], env),
      ];
      await waitHealthy(serve, `${api}/healthz`);
      await Promise.all(
        workers.map((w) =>
          waitUntil(
            `${w.name} to start`,
            () => {
              if (w.exited) throw new Error(`${w.name} exited`);
              return w.stdout.includes('workers started');
            },
            60_000,
          ),
        ),
      );
      assert.ok(!existsSync(join(dir, 'pg')), 'DATABASE_URL set, yet an embedded cluster was created');

      const hooks = await receiver();
      const m = oneJsonObject(
        await cliOk(['merchant', 'create', ...MERCHANT, '--callback-url', hooks.url, '--json'], env),
      );
      const N = 30;
      const orderIds = await Promise.all(
        Array.from({ length: N }, (_, i) => paidOrder(api, m.merchantId, m.securityKey, `MW-${i}`)),
      );
      assert.equal(new Set(orderIds).size, N);

      await waitUntil(`${N} webhooks`, () => hooks.calls.length >= N, 30_000);
      await sleep(1500); // a duplicate would show up within a few poll intervals
      const byOrder = new Map<string, number>();
      for (const c of hooks.calls) byOrder.set(c.orderId, (byOrder.get(c.orderId) ?? 0) + 1);
      const dupes = [...byOrder].filter(([, n]) => n > 1);
      assert.deepEqual(dupes, [], 'orders notified more than once');
      assert.deepEqual(
        [...byOrder.keys()].sort(),
        [...orderIds].sort(),
        'the notified orders differ from the paid ones',
      );

      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        const d = await c.query<{ state: string; n: number }>(
          'SELECT state, count(*)::int AS n FROM webhook_deliveries GROUP BY state',
        );
        assert.deepEqual(d.rows, [{ state: 'delivered', n: N }]);
        const a = await c.query<{ n: number; ok: number }>(
          'SELECT count(*)::int AS n, count(*) FILTER (WHERE ok)::int AS ok FROM webhook_attempts',
        );
        assert.deepEqual(a.rows[0], { n: N, ok: N });
      } finally {
        await c.end();
      }

      // Who delivered what (informational: the split depends on timing), and the API process delivered nothing.
      const attemptsIn = (p: Proc) => p.stdout.split('\n').filter((l) => l.includes('"msg":"webhook attempt"')).length;
      assert.equal(attemptsIn(serve), 0, '`tender serve` ran webhook workers');
      assert.equal(
        workers.reduce((s, w) => s + attemptsIn(w), 0),
        N,
      );
      console.log(`# webhook attempts per worker: ${workers.map(attemptsIn).join(', ')}`);

      for (const p of [serve, ...workers]) assert.equal(await stop(p), 0, `${p.name} did not exit 0 on SIGTERM`);
    }),
);

test('defect 9.10: `npm start` refuses a sandbox on 0.0.0.0 unless TENDER_MODE says so', {
  timeout: 60_000,
}, async () => {
  const port = await freePort();
  const p = start('exposed-sandbox', [SERVER], {
    TENDER_DATA_DIR: tempDir('tender-exposed-'),
    HOST: '0.0.0.0',
    PORT: String(port),
  });
  const { code } = await p.exit;
  assert.notEqual(code, 0, describe(p));
  assert.match(p.stderr, /TENDER_MODE is not set.*HOST=0\.0\.0\.0.*TENDER_MODE=live/s, describe(p));
  // It stopped before anything listened or any database was created.
  const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => false,
    () => true,
  );
  assert.ok(refused, 'nothing listens on the port');
});
