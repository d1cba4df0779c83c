// `npm run bench:create-order`: signed openapi createOrder requests/second over real HTTP against the real
// server (a child process) on an embedded PostgreSQL with durable commits, next to a raw single-row
// INSERT loop on the same database for the same duration. Prints plain-text lines and one JSON line.
//
// The two loads run in alternating slices (--rounds, default 5: raw, createOrder, raw, createOrder, ...) so
// that other work on the machine weighs on both alike; each load gets --warmup seconds first and
// --duration seconds measured in total. CPU time of the bench process, the server child and the
// PostgreSQL processes is accounted per phase (Linux /proc), which stays meaningful on a busy machine.
//
// The same run also measures what migration 017's three extra indexes on `orders` (the portal's list, status
// and amount filters) cost each insert: every round has a third slice, createOrder with those indexes dropped
// in the bench's own scratch database (recreated from their stored definitions right after; the two
// createOrder slices swap order every round), and the ratio of the two createOrder rates is printed, with the
// PostgreSQL CPU per order of each. --skip-index-leg leaves that slice out.
//
// Options (all optional): --duration S (10), --warmup S (2), --rounds N (5), --concurrency N (32), --raw-loops N (16),
// --raw-pool N (8), --server-pool N (server's TENDER_DB_POOL; unset = the server default),
// --server-cpu-prof DIR (write a V8 CPU profile of the server child into DIR), --client http|fetch (http),
// --skip-index-leg (no createOrder slice without migration 017's order indexes).
//
// The default client is node:http with a keep-alive agent of --concurrency sockets: on this 2-core machine
// Node 20's fetch spent about 2.4 ms of CPU per request in the load generator, CPU taken from the server and
// PostgreSQL it is measuring; node:http costs a fraction of that. `--client fetch` measures with fetch.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import http from 'node:http';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openEmbedded, type EmbeddedDb } from '../src/store/embedded.js';
import { canonicalString } from '../src/domain/signature.js';

const { values: a } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '32' },
    'raw-loops': { type: 'string', default: '16' },
    'raw-pool': { type: 'string', default: '8' },
    'server-pool': { type: 'string' },
    'server-cpu-prof': { type: 'string' },
    client: { type: 'string', default: 'http' },
    'skip-index-leg': { type: 'boolean', default: false },
  },
  strict: true,
});
const posInt = (v: string | undefined, name: string, max: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be a whole number from 1 to ${max}`);
  return n;
};
const DURATION_MS = posInt(a.duration, 'duration', 600) * 1000;
const WARMUP_MS = Number(a.warmup) >= 0 && Number(a.warmup) <= 60 ? Number(a.warmup) * 1000 : 2000;
const ROUNDS = posInt(a.rounds, 'rounds', 100);
const CONCURRENCY = posInt(a.concurrency, 'concurrency', 256);
const RAW_LOOPS = posInt(a['raw-loops'], 'raw-loops', 256);
const RAW_POOL = posInt(a['raw-pool'], 'raw-pool', 64);
if (a.client !== 'http' && a.client !== 'fetch') throw new Error('--client must be http or fetch');
const CLIENT = a.client;
const INDEX_LEG = !a['skip-index-leg'];
/** Migration 017's indexes on orders (the portal's list and filters): what each order insert pays extra. */
const INDEXES_017 = ['orders_merchant_created', 'orders_merchant_status_created', 'orders_merchant_amount'];
const SERVER_POOL = a['server-pool'] === undefined ? undefined : posInt(a['server-pool'], 'server-pool', 256);

// dist/bench/create-order.js → the repository root is two levels up.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise<number>((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const ad = s.address();
      s.close(() => res(typeof ad === 'object' && ad ? ad.port : 0));
    });
  });

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Tally {
  ok: number;
  failed: number;
  ms: number;
  latencies: number[];
  errors: Map<string, number>;
  cpu: CpuTotals;
}
interface CpuTotals {
  bench: number;
  server: number;
  postgres: number;
}
const newTally = (): Tally => ({
  ok: 0,
  failed: 0,
  ms: 0,
  latencies: [],
  errors: new Map(),
  cpu: { bench: 0, server: 0, postgres: 0 },
});

/** CPU milliseconds (user + system) of one process, from /proc (Linux); 0 elsewhere. */
const TICK_MS = 10; // USER_HZ is 100 on Linux
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS; // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}
/** The postmaster and its children (backends, WAL writer, checkpointer...). */
function postgresCpu(postmasterPid: number): Map<number, number> {
  const out = new Map<number, number>([[postmasterPid, procCpuMs(postmasterPid)]]);
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^[0-9]+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === postmasterPid) out.set(Number(e), (Number(f[11]) + Number(f[12])) * TICK_MS);
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * Runs `loops` copies of `op` for warm-up + window; counts completions inside the window (throughput) and
 * their latencies, and adds the CPU time the stack spent during the window to the tally.
 */
async function drive(
  t: Tally,
  loops: number,
  warmupMs: number,
  windowMs: number,
  cpu: () => { bench: number; server: number; pg: Map<number, number> },
  op: (loop: number, seq: number) => Promise<boolean>,
): Promise<void> {
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const measureTo = measureFrom + windowMs;
  let before: ReturnType<typeof cpu> | undefined;
  const mark =
    warmupMs > 0
      ? setTimeout(() => {
          before = cpu();
        }, warmupMs)
      : undefined;
  if (warmupMs <= 0) before = cpu();
  const worker = async (loop: number) => {
    for (let seq = 0; performance.now() < measureTo; seq++) {
      const t0 = performance.now();
      let good = false;
      let why = '';
      try {
        good = await op(loop, seq);
        if (!good) why = 'refused';
      } catch (e) {
        why = (e as Error).message.slice(0, 120);
      }
      const t1 = performance.now();
      if (t1 >= measureFrom && t1 < measureTo) {
        if (good) {
          t.ok++;
          t.latencies.push(t1 - t0);
        } else {
          t.failed++;
          t.errors.set(why, (t.errors.get(why) ?? 0) + 1);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: loops }, (_, i) => worker(i)));
  clearTimeout(mark);
  const after = cpu();
  t.ms += windowMs;
  if (before) {
    t.cpu.bench += after.bench - before.bench;
    t.cpu.server += after.server - before.server;
    for (const [pid, ms] of after.pg) t.cpu.postgres += ms - (before.pg.get(pid) ?? 0);
  }
}

function summary(t: Tally) {
  t.latencies.sort((x, y) => x - y);
  const perOp = (ms: number) => (t.ok > 0 ? ms / t.ok : NaN);
  return {
    perSecond: t.ok / (t.ms / 1000),
    ok: t.ok,
    failed: t.failed,
    p50: percentile(t.latencies, 50),
    p99: percentile(t.latencies, 99),
    cpuMsPerOp: {
      bench: perOp(t.cpu.bench),
      server: perOp(t.cpu.server),
      postgres: perOp(t.cpu.postgres),
      total: perOp(t.cpu.bench + t.cpu.server + t.cpu.postgres),
    },
  };
}

/** One form POST over a keep-alive socket; resolves with the status and the body text. */
function postHttp(
  agent: http.Agent,
  port: number,
  path: string,
  form: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('request timed out after 30 s')));
    req.on('error', reject);
    req.end(form);
  });
}

interface Cleanup {
  child?: ChildProcess;
  pool?: pg.Pool;
  emb?: EmbeddedDb;
  agent?: http.Agent;
  dirs: string[];
}
const cleanup: Cleanup = { dirs: [] };
let cleaned = false;

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

async function doCleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  cleanup.agent?.destroy();
  if (cleanup.child) await stopChild(cleanup.child).catch(() => {});
  if (cleanup.pool) await cleanup.pool.end().catch(() => {});
  if (cleanup.emb) await cleanup.emb.stop().catch((e) => console.error('stopping PostgreSQL failed:', e));
  for (const d of cleanup.dirs) rmSync(d, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'tender-bench-'));
  cleanup.dirs.push(base);
  // As root, PostgreSQL runs as `postgres` and must be able to traverse the temp dir to reach pg-home/pg.
  if (process.getuid?.() === 0) chmodSync(base, 0o711);
  const emb = await openEmbedded(join(base, 'pg-home'));
  cleanup.emb = emb;

  const dbName = `tender_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: emb.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const settings = await admin.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings
     WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'server_version')`,
  );
  await admin.end();
  const pgSettings = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
  if (pgSettings.fsync !== 'on' || pgSettings.synchronous_commit !== 'on')
    throw new Error(`commits are not durable: ${JSON.stringify(pgSettings)}`);
  const u = new URL(emb.url);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();

  const dataDir = join(base, 'tender-data');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: dbUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    TENDER_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    TENDER_MODE: 'sandbox',
    TENDER_PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
  if (SERVER_POOL !== undefined) env.TENDER_DB_POOL = String(SERVER_POOL);
  else delete env.TENDER_DB_POOL;

  // The merchant, through the CLI (this also applies the migrations).
  const cli = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'tender.mjs'),
      'merchant',
      'create',
      '--brand',
      'Bench',
      '--company',
      'Bench Ltd',
      '--website',
      'https://bench.example',
      '--email',
      'ops@bench.example',
      '--json',
    ],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 },
  );
  if (cli.status !== 0) throw new Error(`merchant create failed (${cli.status}): ${cli.stderr}`);
  const creds = JSON.parse(cli.stdout.trim().split('\n').pop()!) as {
    merchantId: number | string;
    securityKey: string;
  };
  const merchantId = String(creds.merchantId);
  const key = creds.securityKey;

  // The server, as a child process with its own event loop.
  const profArgs = a['server-cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', a['server-cpu-prof']] : [];
  const child = spawn(process.execPath, [...profArgs, join(ROOT, 'dist', 'src', 'server.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanup.child = child;
  let serverStderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    if (serverStderr.length < 20_000) serverStderr += c.toString();
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${serverStderr}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (i >= 300) throw new Error(`server did not become healthy in 30 s: ${serverStderr}`);
    await sleep(100);
  }

  // Raw INSERT baseline on the same database: autocommit, one row per statement.
  const pool = new pg.Pool({ connectionString: dbUrl, max: RAW_POOL });
  pool.on('error', () => {
    /* an idle client cut off while PostgreSQL stops */
  });
  cleanup.pool = pool;
  await pool.query(
    `CREATE TABLE bench_raw (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const payload = 'x'.repeat(64);
  const rawOp = async () => (await pool.query('INSERT INTO bench_raw (payload) VALUES ($1)', [payload])).rowCount === 1;

  // Signed createOrder over HTTP, form-encoded, a unique merchantTradeNo per request.
  const runId = randomBytes(3).toString('hex');
  const url = `${baseUrl}/openapi/v1/createOrder`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, maxFreeSockets: CONCURRENCY });
  cleanup.agent = agent;
  const codes = new Map<string, number>();
  let slice = '0';
  const orderOp = async (loop: number, seq: number) => {
    const params: Record<string, string> = {
      merchantId,
      merchantTradeNo: `B${runId}-${slice}-${loop}-${seq}`,
      createTime: String(Date.now()),
      userId: `user-${loop}`,
      amount: '12.5',
      cryptoCurrency: 'USDT',
    };
    params.sign = createHmac('sha256', key).update(canonicalString(params, key), 'utf8').digest('hex');
    const form = new URLSearchParams(params).toString();
    const res =
      CLIENT === 'fetch'
        ? await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: form,
          }).then(async (r) => ({ status: r.status, text: await r.text() }))
        : await postHttp(agent, port, '/openapi/v1/createOrder', form);
    let body: { code?: number } = {};
    try {
      body = JSON.parse(res.text) as { code?: number };
    } catch {
      /* counted below */
    }
    if (body.code === 0) return true;
    const c = `http ${res.status} code ${String(body.code)}`;
    codes.set(c, (codes.get(c) ?? 0) + 1);
    return false;
  };

  const pmPid = Number(readFileSync(join(base, 'pg-home', 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const childPid = child.pid!;
  const cpu = () => {
    const u = process.cpuUsage();
    return { bench: (u.user + u.system) / 1000, server: procCpuMs(childPid), pg: postgresCpu(pmPid) };
  };
  // The definitions of 017's order indexes as this database has them, to drop and recreate them exactly.
  const defs = await pool.query<{ indexname: string; indexdef: string }>(
    'SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 AND indexname = ANY($2) ORDER BY indexname',
    ['orders', INDEXES_017],
  );
  if (INDEX_LEG && defs.rows.length !== INDEXES_017.length)
    throw new Error(`migration 017's order indexes not found: ${defs.rows.map((r) => r.indexname).join(', ')}`);
  const dropIndexes = async () => {
    for (const d of defs.rows) await pool.query(`DROP INDEX ${d.indexname}`);
  };
  const createIndexes = async () => {
    for (const d of defs.rows) await pool.query(d.indexdef);
  };

  const rawT = newTally();
  const coT = newTally();
  const bareT = newTally();
  const sliceMs = DURATION_MS / ROUNDS;
  for (let r = 0; r < ROUNDS; r++) {
    slice = String(r);
    const warm = r === 0 ? WARMUP_MS : 0;
    await drive(rawT, RAW_LOOPS, warm, sliceMs, cpu, rawOp);
    // The two createOrder legs swap places every round, so neither always runs right after the raw one.
    const legs = !INDEX_LEG ? ['with'] : r % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
    for (const leg of legs) {
      if (leg === 'with') {
        slice = String(r);
        await drive(coT, CONCURRENCY, warm, sliceMs, cpu, orderOp);
        continue;
      }
      // Between slices, with no request in flight: this leg inserts into orders without the three indexes.
      await dropIndexes();
      slice = `${r}x`;
      try {
        await drive(bareT, CONCURRENCY, warm, sliceMs, cpu, orderOp);
      } finally {
        await createIndexes();
      }
    }
  }
  const raw = summary(rawT);
  const co = summary(coT);
  const bare = INDEX_LEG ? summary(bareT) : undefined;
  const rawErrors = rawT.errors;
  const coErrors = coT.errors;

  const orders = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
  const ratio = co.perSecond / raw.perSecond;
  const f1 = (n: number) => n.toFixed(1);
  const f2 = (n: number) => Number(n.toFixed(2));
  const errorsOf = (m: Map<string, number>) => Object.fromEntries(m);
  const cpuLine = (c: ReturnType<typeof summary>['cpuMsPerOp']) =>
    `bench ${c.bench.toFixed(2)} + server ${c.server.toFixed(2)} + postgres ${c.postgres.toFixed(2)} = ` +
    `${c.total.toFixed(2)} ms`;
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}, ` +
      `PostgreSQL ${pgSettings.server_version} (fsync=${pgSettings.fsync}, ` +
      `synchronous_commit=${pgSettings.synchronous_commit}, wal_sync_method=${pgSettings.wal_sync_method})`,
  );
  console.log(
    `window: ${WARMUP_MS / 1000} s warm-up + ${DURATION_MS / 1000} s measured for each load, ` +
      `in ${ROUNDS} alternating slices; load average now ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    `raw INSERT: ${f1(raw.perSecond)} rows/s (${RAW_LOOPS} loops, pool ${RAW_POOL}, autocommit), ` +
      `p50 ${raw.p50.toFixed(2)} ms, p99 ${raw.p99.toFixed(2)} ms, errors ${raw.failed}`,
  );
  console.log(
    `createOrder: ${f1(co.perSecond)} orders/s (${CONCURRENCY} clients over HTTP via ${CLIENT}, ` +
      `server pool ${SERVER_POOL ?? 'default'}), p50 ${co.p50.toFixed(2)} ms, p99 ${co.p99.toFixed(2)} ms, ` +
      `errors ${co.failed}`,
  );
  console.log(`CPU per raw INSERT: ${cpuLine(raw.cpuMsPerOp)}`);
  console.log(`CPU per createOrder: ${cpuLine(co.cpuMsPerOp)}`);
  if (co.failed > 0)
    console.log(`createOrder errors: ${JSON.stringify({ ...errorsOf(coErrors), ...errorsOf(codes) })}`);
  if (raw.failed > 0) console.log(`raw INSERT errors: ${JSON.stringify(errorsOf(rawErrors))}`);
  if (bare && bare.failed > 0)
    console.log(`createOrder errors without 017's indexes: ${JSON.stringify(errorsOf(bareT.errors))}`);
  console.log(`ratio createOrder / raw INSERT: ${(ratio * 100).toFixed(1)}% (target >= 60%)`);
  const indexRatio = bare ? co.perSecond / bare.perSecond : undefined;
  if (bare && indexRatio !== undefined) {
    console.log(
      `createOrder without migration 017's order indexes (${INDEXES_017.join(', ')} dropped): ` +
        `${f1(bare.perSecond)} orders/s, p50 ${bare.p50.toFixed(2)} ms, p99 ${bare.p99.toFixed(2)} ms, ` +
        `errors ${bare.failed}`,
    );
    console.log(`CPU per createOrder without 017's order indexes: ${cpuLine(bare.cpuMsPerOp)}`);
    console.log(
      `ratio createOrder with / without 017's order indexes: ${(indexRatio * 100).toFixed(1)}% ` +
        `(postgres CPU per order ${co.cpuMsPerOp.postgres.toFixed(2)} vs ${bare.cpuMsPerOp.postgres.toFixed(2)} ms)`,
    );
  }
  console.log(`orders in database: ${orders.rows[0]!.n}`);
  console.log(
    JSON.stringify({
      bench: 'create-order',
      cores: cpus().length,
      node: process.version,
      postgres: pgSettings.server_version,
      fsync: pgSettings.fsync,
      synchronousCommit: pgSettings.synchronous_commit,
      warmupS: WARMUP_MS / 1000,
      durationS: DURATION_MS / 1000,
      rounds: ROUNDS,
      loadavg: loadavg().map(f2),
      createOrder: {
        perSecond: Number(f1(co.perSecond)),
        ok: co.ok,
        errors: co.failed,
        p50Ms: f2(co.p50),
        p99Ms: f2(co.p99),
        concurrency: CONCURRENCY,
        client: CLIENT,
        serverPool: SERVER_POOL ?? null,
        cpuMsPerOp: Object.fromEntries(Object.entries(co.cpuMsPerOp).map(([k, v]) => [k, f2(v)])),
      },
      rawInsert: {
        perSecond: Number(f1(raw.perSecond)),
        ok: raw.ok,
        errors: raw.failed,
        p50Ms: f2(raw.p50),
        p99Ms: f2(raw.p99),
        loops: RAW_LOOPS,
        pool: RAW_POOL,
        cpuMsPerOp: Object.fromEntries(Object.entries(raw.cpuMsPerOp).map(([k, v]) => [k, f2(v)])),
      },
      ratio: Number(ratio.toFixed(3)),
      createOrderWithout017Indexes: bare
        ? {
            perSecond: Number(f1(bare.perSecond)),
            ok: bare.ok,
            errors: bare.failed,
            p50Ms: f2(bare.p50),
            p99Ms: f2(bare.p99),
            cpuMsPerOp: Object.fromEntries(Object.entries(bare.cpuMsPerOp).map(([k, v]) => [k, f2(v)])),
          }
        : null,
      indexRatio: indexRatio === undefined ? null : Number(indexRatio.toFixed(3)),
    }),
  );
  if (serverStderr.trim())
    console.error(`server stderr (first lines):\n${serverStderr.split('\n').slice(0, 10).join('\n')}`);
}

// A hard stop so the bench never hangs: warm-ups, windows, start-up and shutdown, with room to spare.
const guard = setTimeout(
  () => {
    console.error('bench: overall time limit reached, stopping');
    void doCleanup().finally(() => process.exit(2));
  },
  3 * (WARMUP_MS + DURATION_MS) + 240_000,
);
guard.unref();
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    console.error(`bench: ${sig}, cleaning up`);
    void doCleanup().finally(() => process.exit(130));
  });

let exitCode = 0;
try {
  await main();
} catch (e) {
  console.error('bench failed:', e);
  exitCode = 1;
}
await doCleanup();
process.exit(exitCode);
