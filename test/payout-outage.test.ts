// Issue 11: the payout sender is outage-safe like the other workers. While it works, every one of its database
// connections is killed again and again (what a PostgreSQL restart does to busy connections); the process lives
// on, and once the database is back every payout is paid exactly once with the ledger invariants intact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { newMerchant, sleep, startTestEnv, until, type TestEnv } from './harness.js';
import { fundMerchant, withdraw } from './payout-helpers.js';
import { brokenInvariants } from './invariants.js';
import { startPayoutSender } from '../src/workers/payout-sender.js';

let env: TestEnv;
let dbUrl: string;
before(async () => {
  env = await startTestEnv({ TENDER_SANDBOX_PAYOUT_DELAY_MS: '50' });
  dbUrl = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
});
after(() => env.close());

test('issue 11: connections killed over and over while payouts are sent → each paid exactly once afterwards', async () => {
  const m = await newMerchant(env);
  await fundMerchant(env, m, 'USDT', '1000');
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await withdraw(env, m, { totalAmount: '7', receivedAmount: '7' });
    assert.equal(r.body.code, 0);
    ids.push(r.body.data.orderId);
  }
  const uncaught: unknown[] = [];
  const record = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', record);
  const killer = new pg.Client({ connectionString: dbUrl });
  await killer.connect();
  const sender = startPayoutSender(env.deps, { pollMs: 20 });
  try {
    let killed = 0;
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      const r = await killer.query(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      killed += r.rows[0].n;
      await sleep(25);
    }
    assert.ok(killed > 0, 'connections were killed');
    await until(
      'every payout final',
      async () =>
        (await env.deps.db.query('SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status = 14', [ids]))
          .rows[0].n === ids.length,
      60_000,
    );
  } finally {
    await sender.stop();
    await killer.end();
    process.removeListener('uncaughtException', record);
  }
  assert.deepEqual(uncaught, []);
  const twice = await env.deps.db.query(
    `SELECT payout_id, count(*) FROM sandbox_chain_txs WHERE payout_id = ANY($1) GROUP BY payout_id
     HAVING count(*) <> 1`,
    [ids],
  );
  assert.deepEqual(twice.rows, [], 'each payout is on the chain exactly once');
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
});
