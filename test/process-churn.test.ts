// Issue 14: `tender serve` x 2 and `tender worker` x 2 on one PostgreSQL share every piece of background work
// safely while processes are killed (-9) and started again under load: every completed order's webhook is
// delivered (at least once: an attempt cut by a kill may be repeated after its lease), every payout is sent on
// the (sandbox) chain exactly once and confirmed, and the ledger invariants hold.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freshDatabase, signed, sleep } from './harness.js';
import { brokenInvariants } from './invariants.js';
import { CLI, runCli, startProc, waitFor, waitHealthy, type Proc } from './child-process.js';
import { receiver, startLoad } from './retrying-load.js';
import { ADDR } from './payout-helpers.js';
import { createPool } from '../src/store/db.js';

const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

const MERCHANT = ['--brand', 'B', '--company', 'C', '--website', 'https://s.example', '--email', 'e@x.io'];

test('issue 14: 2 serve + 2 worker processes killed and restarted under load: each webhook delivered, each' +
  ' payout sent once', { timeout: 300_000 }, async (t) => {
  const url = await freshDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'tender-churn-'));
  cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const adminToken = randomBytes(16).toString('hex');
  const env = {
    DATABASE_URL: url,
    TENDER_DATA_DIR: dataDir,
    TENDER_ADMIN_TOKEN: adminToken,
    TENDER_WORKER_POLL_MS: '50',
    TENDER_PAYOUT_POLL_MS: '50',
    TENDER_SANDBOX_PAYOUT_DELAY_MS: '100',
    TENDER_WEBHOOK_BACKOFF: '0,1,1,1,1,1,1,1',
    TENDER_WEBHOOK_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'info',
  };
  const procs: Proc[] = [];
  cleanup.push(async () => {
    for (const p of procs) if (!p.exited()) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exit));
  });
  const ports = [await freePort(), await freePort()];
  const bases = ports.map((p) => `http://127.0.0.1:${p}`);
  const serve = (i: number) => {
    const p = startProc(`serve #${i + 1}`, [CLI, 'serve'], { ...env, PORT: String(ports[i]) });
    procs.push(p);
    return p;
  };
  let workerN = 0;
  const worker = async () => {
    const w = startProc(`worker #${++workerN}`, [CLI, 'worker'], env);
    procs.push(w);
    await waitFor(`${w.name} to start`, () => w.out().includes('workers started'), 60_000);
    return w;
  };
  const api = [serve(0)];
  await waitHealthy(api[0]!, `${bases[0]}/healthz`);
  api.push(serve(1));
  await waitHealthy(api[1]!, `${bases[1]}/healthz`);
  const workers = [await worker(), await worker()];

  const hooks = await receiver(cleanup);
  const m = JSON.parse(
    await runCli(['merchant', 'create', ...MERCHANT, '--fee-bps', '0', '--callback-url', hooks.url, '--json'], env),
  );
  const load = startLoad(bases, m, adminToken, 3);
  // Withdrawals of 1 USDT (each completion credits 10): the same merchantTradeNo until acknowledged.
  let stopped = false;
  const withdrawn: string[] = [];
  const withdrawals = (async () => {
    for (let n = 0; !stopped; n++) {
      if (withdrawn.length >= load.completed.length) {
        await sleep(50);
        continue;
      }
      const tradeNo = `wd-${n}`;
      for (let i = 0; ; i++) {
        const p = {
          merchantId: String(m.merchantId),
          merchantTradeNo: tradeNo,
          createTime: String(Date.now()),
          userId: 'user-1',
          cryptoCurrency: 'USDT',
          network: 'TRON(TRC-20)',
          totalAmount: '1',
          receivedAmount: '1',
          toAddress: ADDR.tron,
        };
        const code = await fetch(`${bases[i % 2]}/openapi/v1/withdraw`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(signed(p, m.securityKey)).toString(),
        }).then(
          async (r) => ((await r.json()) as { code: number }).code,
          () => -1,
        );
        // 0, or (after a try that got no answer) the duplicate merchantTradeNo refusal: it exists either way.
        if (code === 0 || (i > 0 && code !== -1 && code !== 30001)) break;
        await sleep(100);
      }
      withdrawn.push(tradeNo);
    }
  })();

  // Churn: a worker, then an API process, killed -9 and replaced, a few times over.
  const churn: string[] = [];
  try {
    for (let round = 0; round < 6; round++) {
      await waitFor('progress', () => load.completed.length >= (round + 1) * 4, 60_000);
      if (round % 2 === 0) {
        const i = (round / 2) % 2;
        workers[i]!.child.kill('SIGKILL');
        await workers[i]!.exit;
        churn.push(`killed ${workers[i]!.name}`);
        workers[i] = await worker();
      } else {
        const i = ((round - 1) / 2) % 2;
        api[i]!.child.kill('SIGKILL');
        await api[i]!.exit;
        churn.push(`killed serve #${i + 1}`);
        api[i] = serve(i);
        await waitHealthy(api[i]!, `${bases[i]}/healthz`);
      }
    }
    await waitFor('more completions after the churn', () => load.completed.length >= 30, 60_000);
  } finally {
    stopped = true;
    await load.stop();
    await withdrawals;
  }
  t.diagnostic(
    `${churn.join(', ')}; orders ${load.acknowledged.length}, completions ${load.completed.length}, ` +
      `withdrawals ${withdrawn.length}`,
  );

  const db = createPool(url, 2);
  cleanup.push(() => db.end());
  // Everything settles with the surviving processes (a killed worker's webhook lease runs out after ~31 s).
  const open = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM webhook_deliveries WHERE state = 'pending')
              + (SELECT count(*) FROM orders WHERE kind = 'payout' AND status <> 14) AS n`,
      )
    ).rows[0]!.n;
  await waitFor('every webhook delivered and every payout confirmed', async () => Number(await open()) === 0, 120_000);

  const missing = load.completed.filter((id) => !hooks.orders.has(id));
  assert.deepEqual(missing, [], 'completed orders whose webhook never arrived');
  const { rows: payouts } = await db.query<{ id: string; merchant_trade_no: string; status: number; txs: number }>(
    `SELECT o.id, o.merchant_trade_no, o.status,
       (SELECT count(*)::int FROM sandbox_chain_txs c WHERE c.payout_id = o.id) AS txs
     FROM orders o WHERE o.kind = 'payout' AND o.merchant_id = $1`,
    [m.merchantId],
  );
  assert.deepEqual(
    withdrawn.filter((no) => !payouts.some((p) => p.merchant_trade_no === no)),
    [],
    'acknowledged withdrawals missing',
  );
  assert.deepEqual(
    payouts.filter((p) => p.txs !== 1 || p.status !== 14),
    [],
    'payouts not sent exactly once on the chain, or not confirmed',
  );
  for (const p of payouts) assert.ok(hooks.orders.has(p.id), `payout ${p.id}: no webhook`);
  const dupes = [...hooks.orders.values()].filter((n) => n > 1).length;
  t.diagnostic(
    `payouts ${payouts.length} (one chain transaction each); webhooks for ${hooks.orders.size} orders, ` +
      `${dupes} repeated after a kill`,
  );

  const broken = await brokenInvariants(url, load.acknowledged, 3600);
  assert.deepEqual(broken, {}, `broken invariants: ${JSON.stringify(broken).slice(0, 3000)}`);
  for (const p of [...api, ...workers]) assert.ok(!p.exited(), `${p.name} exited:\n${p.out().slice(-3000)}`);
});
