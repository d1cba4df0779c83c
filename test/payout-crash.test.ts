// Issue 11 crash safety: `tender worker` (the payout sender on the sandbox payout rail, in a real OS process)
// is killed with SIGKILL at random points of the payout path, 20 times, while new payouts keep arriving. After
// each kill the ledger invariants hold in SQL and no payout has two transactions on the pretend chain; at the
// end every acknowledged payout is paid exactly once, for exactly its amount.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import pino from 'pino';
import { freshDatabase, sleep, TestClock } from './harness.js';
import { CLI, startProc, waitFor, type Proc } from './child-process.js';
import { brokenInvariants } from './invariants.js';
import { createPool, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { loadAssets } from '../src/store/assets-repo.js';
import { loadConfig } from '../src/config.js';
import { secretBox } from '../src/domain/secret-box.js';
import { randomIds } from '../src/domain/clock.js';
import type { Deps } from '../src/core/deps.js';
import { createMerchant } from '../src/core/merchants.js';
import { createOrder } from '../src/core/orders.js';
import { completeOrder } from '../src/core/payments.js';
import { acceptWithdraw } from '../src/core/withdraw.js';
import { findMerchant, type MerchantRow } from '../src/store/merchants-repo.js';

const masterKey = randomBytes(32).toString('hex');
const dataDir = mkdtempSync(join(tmpdir(), 'tender-payout-kill-'));
let dbUrl: string;
let db: Db;
let deps: Deps;
let merchant: MerchantRow;
const acknowledged: { orderId: string; chainAmount: string }[] = [];
let procs: Proc[] = [];

before(async () => {
  dbUrl = await freshDatabase();
  db = createPool(dbUrl, 4);
  await migrate(db);
  // A backend notices its client is gone within this interval even while it sleeps in a trigger.
  await db.query(`ALTER DATABASE ${new URL(dbUrl).pathname.slice(1)} SET client_connection_check_interval = '200ms'`);
  await db.query(`CREATE FUNCTION hold_payout() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$`);
  const config = loadConfig({ TENDER_DATA_DIR: dataDir, TENDER_PAYOUT_FEES: 'USDT:TRON=0.5+0' });
  deps = {
    db,
    clock: new TestClock(),
    ids: randomIds,
    box: secretBox(Buffer.from(masterKey, 'hex')),
    assets: await loadAssets(db),
    config,
    log: pino({ level: 'silent' }),
  };
  const creds = await createMerchant(deps, {
    brand: 'B',
    company: 'B Ltd',
    website: 'https://b.example',
    email: 'o@b.example',
  });
  merchant = (await findMerchant(db, String(creds.merchantId)))!;
  const { order } = await createOrder(deps, merchant, {
    dialect: 'openapi',
    merchantTradeNo: 'funding',
    userId: 'u',
    currency: 'USDT',
    amount: 100_000n * 10n ** 18n,
    amountText: '100000',
    fingerprint: {},
  });
  await completeOrder(deps, order.id, { rail: 'sandbox' });
});
after(async () => {
  for (const p of procs) if (!p.exited()) p.child.kill('SIGKILL');
  await db.end();
  rmSync(dataDir, { recursive: true, force: true });
});

function worker(): Proc {
  const p = startProc('tender worker', [CLI, 'worker'], {
    DATABASE_URL: dbUrl,
    TENDER_MASTER_KEY: masterKey,
    TENDER_DATA_DIR: dataDir,
    TENDER_MODE: 'sandbox',
    TENDER_SANDBOX_PAYOUT_DELAY_MS: String(randomInt(0, 150)),
    TENDER_PAYOUT_POLL_MS: '20',
    TENDER_PAYOUT_FEES: 'USDT:TRON=0.5+0',
    LOG_LEVEL: 'info',
  });
  procs.push(p);
  return p;
}

let seq = 0;
async function accept(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const amount = 1 + randomInt(0, 50);
    const { order, payout } = await acceptWithdraw(deps, merchant, {
      merchantTradeNo: `kill-${seq++}`,
      userId: 'u',
      cryptoCurrency: 'USDT',
      network: 'TRON(TRC-20)',
      totalAmount: `${amount}.5`,
      receivedAmount: String(amount),
      toAddress: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
      callbackUrl: null,
      createTimeMs: String(Date.now()),
    });
    acknowledged.push({ orderId: order.id, chainAmount: payout.chain_amount });
  }
}

/**
 * The points of the payout path a kill is aimed at: a trigger holds the matching write (pg_sleep) so the kill
 * lands exactly there. Cycles without one kill at a random moment.
 */
const HOLDS = [
  // Signed and stored, broadcast under way: the pretend chain's insert is held.
  'BEFORE INSERT ON sandbox_chain_txs FOR EACH ROW WHEN (NEW.payout_id IS NOT NULL)',
  // On chain, not yet recorded as broadcast (attempt 'signed', order 0).
  "BEFORE UPDATE ON payout_attempts FOR EACH ROW WHEN (NEW.state = 'broadcast')",
  // Confirmed on chain, the → 14 transaction held.
  "BEFORE UPDATE ON payout_attempts FOR EACH ROW WHEN (NEW.state = 'confirmed')",
];

const sleeping = async () =>
  (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep'`)).rows[0].n as number;

const PAID_TWICE = `SELECT payout_id, count(*) FROM sandbox_chain_txs WHERE payout_id IS NOT NULL AND state <> 'failed'
  GROUP BY payout_id HAVING count(*) > 1`;

test('issue 11: kill -9 of the payout sender at random points (20 cycles) → every acknowledged payout paid exactly once', {
  timeout: 600_000,
}, async () => {
  let held = 0;
  const states: Record<string, number>[] = [];
  for (let cycle = 0; cycle < 20; cycle++) {
    await accept(3);
    const p = worker();
    await waitFor('the payout sender to start', () => p.out().includes('payout sender started') || p.exited(), 90_000);
    assert.ok(!p.exited(), p.out().slice(-2000));
    const hold = cycle % 4 === 0 ? undefined : HOLDS[(cycle % 4) - 1]!;
    if (hold) {
      await db.query(`CREATE TRIGGER hold_payout ${hold} EXECUTE FUNCTION hold_payout()`);
      await waitFor('the sender to reach the held write', async () => (await sleeping()) > 0, 60_000);
    } else await sleep(randomInt(0, 400)); // somewhere among reconcile, sign+store, broadcast, verdict, → 14
    p.child.kill('SIGKILL');
    await p.exit;
    if (hold) {
      const t = hold.split(' ON ')[1]!.split(' ')[0];
      await db.query(`DROP TRIGGER hold_payout ON ${t}`);
      await waitFor('PostgreSQL to end the dead transaction', async () => (await sleeping()) === 0, 60_000);
      held++;
    }
    const live = await db.query('SELECT state, count(*)::int AS n FROM payout_attempts GROUP BY state ORDER BY state');
    states.push(Object.fromEntries(live.rows.map((r) => [r.state, r.n])));
    procs = procs.filter((x) => x !== p);
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {}, `cycle ${cycle}`);
    assert.deepEqual((await db.query(PAID_TWICE)).rows, [], `cycle ${cycle}: a payout on chain twice`);
  }
  // A last worker runs undisturbed until every payout is final.
  const p = worker();
  await waitFor(
    'every payout to be final',
    async () =>
      (await db.query("SELECT count(*)::int AS n FROM orders WHERE kind = 'payout' AND status NOT IN (14, 15)")).rows[0]
        .n === 0,
    240_000,
  );
  p.child.kill('SIGTERM');
  await p.exit;
  const { rows } = await db.query<{ id: string; status: number; txs: string[]; amounts: string[] }>(
    `SELECT o.id, o.status, array_agg(t.tx_hash) FILTER (WHERE t.state = 'included') AS txs,
       array_agg(t.amount::text) FILTER (WHERE t.state = 'included') AS amounts
     FROM orders o LEFT JOIN sandbox_chain_txs t ON t.payout_id = o.id WHERE o.kind = 'payout' GROUP BY o.id`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  assert.equal(acknowledged.length, 60);
  for (const a of acknowledged) {
    const r = byId.get(a.orderId)!;
    assert.equal(r.status, 14, `payout ${a.orderId} completed`);
    assert.deepEqual(r.amounts, [a.chainAmount], `payout ${a.orderId} paid exactly once, its amount`);
  }
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  assert.equal(held, 15, 'fifteen kills landed inside a held write of the payout path');
  assert.ok(
    states.some((s) => (s.signed ?? 0) > 0),
    'some kill left a stored, unconfirmed-broadcast attempt',
  );
  console.log(`payout kill cycles: attempt states after each kill ${JSON.stringify(states)}`);
  const frozen = await db.query("SELECT balance::text FROM ledger_accounts WHERE kind = 'merchant_frozen'");
  assert.deepEqual(frozen.rows, [{ balance: '0' }]);
});
