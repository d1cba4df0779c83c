// Crash proof on the embedded PostgreSQL, with real processes under merchant load: kill -9 of the server,
// SIGKILL of its postmaster (defect 9.3), and a postmaster that cannot come back. After each crash the
// ledger and order invariants are checked in SQL (test/invariants.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './harness.js';
import { brokenInvariants, type Acknowledged } from './invariants.js';
import { logRecords, runCli, SERVER, startProc, waitFor, waitHealthy, type Proc } from './child-process.js';
import { startOrderLoad, type Load, type Merchant } from './order-load.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tender-crash-'));
const pidFile = join(dataDir, 'pg', 'postmaster.pid');
const adminToken = randomBytes(16).toString('hex');
const env = {
  TENDER_DATA_DIR: dataDir,
  TENDER_WORKER_POLL_MS: '50',
  TENDER_ORDER_TTL_SECONDS: '3',
  TENDER_ADMIN_TOKEN: adminToken,
  TENDER_WEBHOOK_BACKOFF: '0,1,1',
  LOG_LEVEL: 'info',
};
const procs: Proc[] = [];
const acknowledged: Acknowledged[] = [];
let merchant: Merchant;
let base = '';

after(async () => {
  // A failed test leaves its load running, which would keep this file from ending.
  await Promise.all(loads.map((l) => l.stop()));
  for (const p of procs) if (!p.exited()) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exit));
  // A postmaster left behind by a failed test would keep the directory busy.
  if (existsSync(pidFile)) {
    try {
      process.kill(postmasterPid(), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const postmasterPid = () => Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
/** The cluster's URL as the server uses it (password beside the cluster, port in postmaster.pid). */
const dbUrl = () => {
  const password = readFileSync(join(dataDir, 'pg-password'), 'utf8').trim();
  const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
  return `postgres://tender:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
};

async function startServer(name: string, extra: Record<string, string> = {}): Promise<Proc> {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const p = startProc(name, [SERVER], { ...env, ...extra, PORT: String(port) });
  procs.push(p);
  await waitHealthy(p, `${base}/healthz`);
  return p;
}

const loads: Load[] = [];
const load = (tag: string) => {
  const l = startOrderLoad(base, merchant, { loops: 3, adminToken, tag });
  loads.push(l);
  return l;
};
const grows = (l: Load, by: number) => {
  const from = l.acknowledged.length;
  return waitFor(`${by} more acknowledged orders`, () => l.acknowledged.length >= from + by, 90_000);
};
const describeLoad = (l: Load) =>
  `answers ${l.answers.length}, acknowledged ${l.acknowledged.length}, no answer ${l.failures.length}` +
  ` (${l.failures.slice(0, 3).join('; ')})`;

/** Waits for the restarted server's expirer, then asserts every invariant (with the offending rows). */
async function assertInvariants(): Promise<void> {
  let broken: Record<string, unknown[]> = {};
  const holds = async () => {
    broken = await brokenInvariants(dbUrl(), acknowledged, 2);
    return Object.keys(broken).length === 0;
  };
  await waitFor('the invariants to hold', holds, 60_000).catch(() => {});
  assert.deepEqual(broken, {}, `broken invariants: ${JSON.stringify(broken, null, 1).slice(0, 3000)}`);
}

test('kill -9 of the server under load: restarted, it takes over its orphaned PostgreSQL; ledger and order ' +
  'invariants hold', {
  timeout: 240_000,
}, async () => {
  const first = await startServer('server 1');
  const created = JSON.parse(
    await runCli(
      [
        'merchant',
        'create',
        '--brand',
        'B',
        '--company',
        'C',
        '--website',
        'https://s.example',
        '--email',
        'e@x.io',
        '--json',
      ],
      env,
    ),
  );
  merchant = { merchantId: created.merchantId, securityKey: created.securityKey };
  const orphan = postmasterPid();

  const l = load('kill9');
  await grows(l, 30);
  first.child.kill('SIGKILL');
  await first.exit;
  await l.stop();
  acknowledged.push(...l.acknowledged);
  assert.ok(l.acknowledged.length >= 30, describeLoad(l));

  const second = await startServer('server 2');
  assert.ok(
    logRecords(second).some((r) => r.msg === 'embedded PostgreSQL outlived its previous owner; restarted it'),
    second.out().slice(-3000),
  );
  assert.notEqual(postmasterPid(), orphan, 'the orphaned postmaster is still the one serving');
  const again = load('after-kill9');
  await grows(again, 10);
  await again.stop();
  acknowledged.push(...again.acknowledged);
  await assertInvariants();
});

test('defect 9.3: SIGKILL of the embedded postmaster under load: Tender restarts it, logs it, and answers again', {
  timeout: 240_000,
}, async (t) => {
  const server = procs.at(-1)!;
  assert.ok(merchant && !server.exited(), 'needs the server of the previous test');
  const killed = postmasterPid();
  const l = load('pgkill');
  await grows(l, 20);
  process.kill(killed, 'SIGKILL');
  const msgs = () => logRecords(server).map((r) => r.msg as string);
  await waitFor('the restart log lines', () => msgs().includes('embedded PostgreSQL restarted'), 90_000);
  const at = (msg: string) => logRecords(server).find((r) => r.msg === msg)?.time as number;
  const outageMs = at('embedded PostgreSQL restarted') - at('embedded PostgreSQL exited unexpectedly; restarting');
  // Requests succeed again without a restart of Tender.
  await grows(l, 20);
  await l.stop();
  assert.equal((await fetch(`${base}/healthz`)).status, 200, '/healthz does not answer 200 after the restart');
  acknowledged.push(...l.acknowledged);

  assert.ok(!server.exited(), 'the server died');
  const i = msgs().indexOf('embedded PostgreSQL exited unexpectedly; restarting');
  assert.ok(i >= 0 && i < msgs().indexOf('embedded PostgreSQL restarted'), msgs().slice(-20).join('\n'));
  assert.notEqual(postmasterPid(), killed);
  // During the outage every request got an answer in the dialect's envelope, never a 5xx.
  const fivexx = l.answers.filter((a) => a.status >= 500);
  assert.deepEqual(fivexx, [], describeLoad(l));
  assert.deepEqual(l.failures, [], 'requests without an HTTP answer');
  assert.ok(
    l.answers.every((a) => a.code === 0 || a.code === 30001 || a.path === 'complete'),
    JSON.stringify(l.answers.filter((a) => a.code !== 0).slice(0, 10)),
  );
  t.diagnostic(
    `${describeLoad(l)}; unavailable answers ${l.answers.filter((a) => a.code === 30001).length};` +
      ` postmaster down for ${outageMs} ms (exit to restarted, from the log)`,
  );
  await assertInvariants();

  // A supervised restart leaves a cluster SIGTERM still stops cleanly.
  server.child.kill('SIGTERM');
  const { code } = await server.exit;
  assert.equal(code, 0, server.out().slice(-3000));
  assert.ok(!existsSync(pidFile), 'PostgreSQL still running after a clean stop');
});

test('defect 9.3: an embedded postmaster that cannot be restarted makes Tender exit non-zero, saying why', {
  timeout: 120_000,
}, async () => {
  // Independent of the tests before: no other server may own the cluster.
  for (const p of procs) if (!p.exited()) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exit));
  const server = await startServer('server 3', { TENDER_EMBEDDED_PG_RESTARTS: '2' });
  const pid = postmasterPid();
  // The cluster's directory disappears with the postmaster: every restart attempt fails.
  renameSync(join(dataDir, 'pg'), join(dataDir, 'pg.gone'));
  process.kill(pid, 'SIGKILL');
  const { code } = await server.exit;
  assert.equal(code, 1, server.out().slice(-3000));
  const msgs = logRecords(server).map((r) => r.msg as string);
  assert.ok(msgs.includes('embedded PostgreSQL exited unexpectedly; restarting'), msgs.join('\n'));
  assert.ok(msgs.includes('embedded PostgreSQL could not be restarted; exiting'), msgs.join('\n'));
  renameSync(join(dataDir, 'pg.gone'), join(dataDir, 'pg'));
});
