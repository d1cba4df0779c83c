// Issue 11 (spec M2) crash safety of the fiat payout sender: `tender worker` (a real OS process, sandbox Pix and
// card rails over their database store) is killed with SIGKILL at chosen points of the payout path, 9 times,
// while new payouts keep arriving. The point that matters most is between the rail's acceptance of a payout and
// the sender recording it: the payout is submitted again with the same id and the rail answers the same
// reference. After each kill the ledger invariants hold in SQL; at the end every acknowledged payout is paid
// exactly once (one record at the rail), for exactly its amount, and completed at 14.
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
import { ACCOUNTS, CARD } from './fiat-payout-helpers.js';
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
import { acceptFiatPayout } from '../src/core/fiat-payout.js';
import { parseFiatPayoutRequest } from '../src/domain/fiat-payout-request.js';
import { findMerchant, type MerchantRow } from '../src/store/merchants-repo.js';

const masterKey = randomBytes(32).toString('hex');
const dataDir = mkdtempSync(join(tmpdir(), 'tender-fiat-kill-'));
const FEES = 'BRL:PIX=0.5+0,BRL:CARD=1+0';
let dbUrl: string;
let db: Db;
let deps: Deps;
let merchant: MerchantRow;
const acknowledged: { orderId: string; amount: string }[] = [];
let procs: Proc[] = [];

before(async () => {
  dbUrl = await freshDatabase();
  db = createPool(dbUrl, 4);
  await migrate(db);
  // A backend notices its client is gone within this interval even while it sleeps in a trigger.
  await db.query(`ALTER DATABASE ${new URL(dbUrl).pathname.slice(1)} SET client_connection_check_interval = '200ms'`);
  await db.query(`CREATE FUNCTION hold_payout() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$`);
  const config = loadConfig({ TENDER_DATA_DIR: dataDir, TENDER_PAYOUT_FEES: FEES });
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
    currency: 'BRL',
    amount: 10_000_000n,
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
    TENDER_PAYOUT_POLL_MS: '20',
    TENDER_PAYOUT_FEES: FEES,
    LOG_LEVEL: 'info',
  });
  procs.push(p);
  return p;
}

let seq = 0;
const accounts = [...Object.values(ACCOUNTS), { payoutChannel: '2', toAccount: CARD, accountType: '' }];
async function accept(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const amount = `${1 + randomInt(0, 50)}.${randomInt(10, 99)}`;
    const params = {
      merchantTradeNo: `kill-${seq}`,
      createTime: String(Date.now()),
      userId: 'u',
      payoutChannel: '1',
      amount,
      currency: 'BRL',
      country: 'BRA',
      ...accounts[seq++ % accounts.length],
    };
    const { order } = await acceptFiatPayout(deps, merchant, parseFiatPayoutRequest(params, deps.assets), '0');
    acknowledged.push({ orderId: order.id, amount: String(order.receivedAmount) });
  }
}

/** The writes a kill is aimed at: a trigger holds it (pg_sleep) so the kill lands exactly there. */
const HOLDS = [
  // The rail has the payout (its record committed), the sender's record of it is held.
  'BEFORE INSERT ON fiat_payout_submissions FOR EACH ROW',
  // The rail said paid; the → 14 transaction is held.
  "BEFORE UPDATE ON fiat_payout_submissions FOR EACH ROW WHEN (NEW.state <> 'submitted')",
];

const sleeping = async () =>
  (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep'`)).rows[0].n as number;

const UNRECORDED = `SELECT count(*)::int AS n FROM sandbox_fiat_payouts r
  WHERE NOT EXISTS (SELECT 1 FROM fiat_payout_submissions s WHERE s.payout_id = r.payout_id)`;

test('issue 11: kill -9 of the fiat payout sender between submission and recording (9 cycles) → each paid once', {
  timeout: 600_000,
}, async () => {
  let held = 0;
  let unrecorded = 0;
  for (let cycle = 0; cycle < 9; cycle++) {
    await accept(3);
    const p = worker();
    await waitFor(
      'the fiat sender to start',
      () => p.out().includes('fiat payout sender started') || p.exited(),
      90_000,
    );
    assert.ok(!p.exited(), p.out().slice(-2000));
    const hold = cycle % 3 === 2 ? undefined : HOLDS[cycle % 3]!;
    if (hold) {
      await db.query(`CREATE TRIGGER hold_payout ${hold} EXECUTE FUNCTION hold_payout()`);
      await waitFor('the sender to reach the held write', async () => (await sleeping()) > 0, 60_000);
    } else await sleep(randomInt(0, 400));
    p.child.kill('SIGKILL');
    await p.exit;
    if (hold) {
      await db.query('DROP TRIGGER hold_payout ON fiat_payout_submissions');
      await waitFor('PostgreSQL to end the dead transaction', async () => (await sleeping()) === 0, 60_000);
      held++;
    }
    unrecorded = Math.max(unrecorded, (await db.query(UNRECORDED)).rows[0].n);
    procs = procs.filter((x) => x !== p);
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {}, `cycle ${cycle}`);
  }
  assert.ok(unrecorded > 0, 'some kill left a payout the rail had but the sender had not recorded');
  const p = worker();
  await waitFor(
    'every payout to be final',
    async () =>
      (await db.query("SELECT count(*)::int AS n FROM orders WHERE kind = 'fiat_payout' AND status NOT IN (14, 15)"))
        .rows[0].n === 0,
    240_000,
  );
  p.child.kill('SIGTERM');
  await p.exit;
  const { rows } = await db.query<{ id: string; status: number; at_rail: number; received: string; sub: string }>(
    `SELECT o.id, o.status, p.received::text AS received, s.state AS sub,
       (SELECT count(*)::int FROM sandbox_fiat_payouts r WHERE r.payout_id = o.id) AS at_rail
     FROM orders o JOIN payouts p ON p.order_id = o.id LEFT JOIN fiat_payout_submissions s ON s.payout_id = o.id
     WHERE o.kind = 'fiat_payout'`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  assert.equal(acknowledged.length, 27);
  for (const a of acknowledged) {
    const r = byId.get(a.orderId)!;
    assert.deepEqual([r.status, r.sub, r.at_rail], [14, 'succeeded', 1], `payout ${a.orderId} paid exactly once`);
    assert.equal(r.received, a.amount, `payout ${a.orderId} paid its amount`);
  }
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  assert.equal(held, 6, 'six kills landed inside a held write of the payout path');
  const frozen = await db.query("SELECT balance::text FROM ledger_accounts WHERE kind = 'merchant_frozen'");
  assert.deepEqual(frozen.rows, [{ balance: '0' }]);
  console.log(`fiat payout kill cycles: at most ${unrecorded} payouts at the rail but unrecorded after a kill`);
});
