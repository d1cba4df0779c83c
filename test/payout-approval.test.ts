// Issue 11: two-person approval of payouts above the merchant's threshold, through the operator API, and the
// hot wallet that cannot cover a payout. Approving twice, from two consoles at once, or while the payout is
// being sent can never pay twice; every decision is an audit row; ledger invariants hold in SQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newMerchant, postJson, startTestEnv, until, type TestEnv } from './harness.js';
import { ADDR, balanceOf, fundMerchant, withdraw } from './payout-helpers.js';
import { brokenInvariants } from './invariants.js';
import { startPayoutSender } from '../src/workers/payout-sender.js';
import { sandboxPayoutRail, type SandboxPayoutRail } from '../src/rails/payout/sandbox.js';
import { NETWORKS } from '../src/rails/crypto/networks.js';
import { createOperator } from '../src/core/operators.js';
import { setApprovalThreshold } from '../src/core/payout-settings.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

let env: TestEnv;
let dbUrl: string;
let rail: SandboxPayoutRail;
let sender: { stop(): Promise<void> };
let m: MerchantCredentials;
const tokens: Record<string, string> = {};

before(async () => {
  env = await startTestEnv({ TENDER_SANDBOX_PAYOUT_DELAY_MS: '200' });
  dbUrl = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  // A hot wallet that holds only what the pretend chain granted it: TRON is funded, BSC is not.
  rail = sandboxPayoutRail({ db: env.deps.db, clock: env.clock, delayMs: () => 200, unlimited: false });
  await rail.fund('TRON', rail.hotWalletAddress('TRON'), 'USDT', 10n ** 12n);
  const routes = NETWORKS.map((n) => ({ rail, network: n.key, wire: n.name, depth: 1 }));
  sender = startPayoutSender(env.deps, { routes, pollMs: 50 });
  for (const name of ['alice', 'bob', 'carol']) tokens[name] = (await createOperator(env.deps, name)).token;
  m = await newMerchant(env);
  await fundMerchant(env, m, 'USDT', '10000');
  await setApprovalThreshold(env.deps, String(m.merchantId), 'USDT', '100');
});
after(async () => {
  await sender.stop();
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  await env.close();
});

/** One operator decision; a 503 (no database connection within the wait, under load) is retried like a client. */
async function decide(who: string, orderId: string, d: 'approve' | 'reject') {
  for (;;) {
    const r = await postJson(`${env.url}/admin/payouts/${orderId}/${d}`, '', {
      authorization: `Bearer ${tokens[who]}`,
    });
    if (r.status !== 503) return r;
  }
}

const row = async (orderId: string) =>
  (
    await env.deps.db.query(
      `SELECT o.status, p.stage, p.reason,
         (SELECT count(*)::int FROM payout_attempts a WHERE a.payout_id = p.order_id) AS attempts,
         (SELECT count(*)::int FROM sandbox_chain_txs t WHERE t.payout_id = p.order_id) AS onchain,
         (SELECT count(*)::int FROM payout_approvals a WHERE a.payout_id = p.order_id) AS audit
       FROM payouts p JOIN orders o ON o.id = p.order_id WHERE p.order_id = $1`,
      [orderId],
    )
  ).rows[0];

async function large(total = '500', received = '500'): Promise<string> {
  const r = await withdraw(env, m, { totalAmount: total, receivedAmount: received });
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.data.orderId;
}

test('issue 11: a payout above the threshold waits in 0 with reason awaiting_approval; the same operator twice counts once', async () => {
  const id = await large();
  await new Promise((r) => setTimeout(r, 300)); // the sender had its chances
  assert.deepEqual(await row(id), {
    status: 0,
    stage: 'approval',
    reason: 'awaiting_approval',
    attempts: 0,
    onchain: 0,
    audit: 0,
  });
  for (let i = 0; i < 2; i++) {
    const a = await decide('alice', id, 'approve');
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.stage, 'approval');
  }
  assert.equal((await row(id)).audit, 1, 'one audit row per operator');
  assert.equal((await decide('alice', id, 'reject')).body.error, 'ALREADY_DECIDED');
  const list = await fetch(`${env.url}/admin/payouts`, { headers: { authorization: `Bearer ${tokens.bob}` } });
  const open = (await list.json()) as Array<{ orderId: string; approvedBy: string[] }>;
  assert.deepEqual(open.find((p) => p.orderId === id)?.approvedBy, ['alice']);
  const b = await decide('bob', id, 'approve');
  assert.deepEqual([b.body.stage, b.body.changed, b.body.approvedBy], ['ready', true, ['alice', 'bob']]);
  await until('paid', async () => (await row(id)).status === 14);
  assert.deepEqual(await row(id), { status: 14, stage: 'closed', reason: null, attempts: 1, onchain: 1, audit: 2 });
});

test('issue 11: 50 concurrent approvals of one payout (two operators racing, each many times) → exactly one send', async () => {
  const id = await large();
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) => decide(i % 2 === 0 ? 'alice' : 'bob', id, 'approve')),
  );
  assert.ok(
    answers.every((a) => a.status === 200),
    JSON.stringify(answers.map((a) => a.body)),
  );
  assert.equal(answers.filter((a) => a.body.changed).length, 1, 'exactly one approval moved it to ready');
  await until('paid', async () => (await row(id)).status === 14);
  await new Promise((r) => setTimeout(r, 300)); // a second send would show by now
  assert.deepEqual(await row(id), { status: 14, stage: 'closed', reason: null, attempts: 1, onchain: 1, audit: 2 });
});

test('issue 11: approving or rejecting while the send is in flight changes nothing and never sends twice', async () => {
  const id = await large();
  await decide('alice', id, 'approve');
  await decide('bob', id, 'approve');
  await until('broadcast', async () => (await row(id)).status === 11);
  const late = await decide('carol', id, 'approve');
  assert.equal(late.body.changed, false);
  assert.equal((await decide('bob', id, 'reject')).body.error, 'ILLEGAL_TRANSITION', 'too late to reject');
  await until('paid', async () => (await row(id)).status === 14);
  assert.equal((await decide('carol', id, 'approve')).body.error, 'ILLEGAL_TRANSITION', 'a final payout');
  const r = await row(id);
  assert.deepEqual([r.attempts, r.onchain], [1, 1]);
});

test('issue 11: one rejection closes a payout awaiting approval at 15 and releases the hold', async () => {
  const before = await balanceOf(env, m, 'USDT');
  const id = await large('300', '300');
  assert.equal((await balanceOf(env, m, 'USDT')).frozen, before.frozen + 300n * 10n ** 18n);
  await decide('alice', id, 'approve');
  const r = await decide('bob', id, 'reject');
  assert.equal(r.body.stage, 'closed');
  assert.deepEqual(await row(id), { status: 15, stage: 'closed', reason: null, attempts: 0, onchain: 0, audit: 2 });
  assert.deepEqual(await balanceOf(env, m, 'USDT'), before);
  assert.equal((await decide('carol', id, 'approve')).body.error, 'ILLEGAL_TRANSITION');
});

test('issue 11: operator routes refuse a missing or unknown operator token (401) and the admin token is not one', async () => {
  const id = await large();
  for (const h of [
    {} as Record<string, string>,
    { authorization: 'Bearer nope' },
    { authorization: `Bearer ${env.adminToken}` },
  ]) {
    const r = await postJson(`${env.url}/admin/payouts/${id}/approve`, '', h);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'BAD_OPERATOR_TOKEN');
  }
  assert.equal((await row(id)).audit, 0);
});

test('issue 11: a payout the hot wallet cannot cover waits in 0 with reason hot_wallet_short, then proceeds once funded', async () => {
  const r = await withdraw(env, m, {
    network: 'BSC(BEP-20)',
    toAddress: ADDR.evm,
    totalAmount: '50',
    receivedAmount: '50',
  });
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const id = r.body.data.orderId;
  await until('short', async () => (await row(id)).reason === 'hot_wallet_short');
  assert.deepEqual(await row(id), {
    status: 0,
    stage: 'ready',
    reason: 'hot_wallet_short',
    attempts: 0,
    onchain: 0,
    audit: 0,
  });
  const hw = await fetch(`${env.url}/admin/payouts/hot-wallets`, {
    headers: { authorization: `Bearer ${tokens.alice}` },
  });
  assert.equal(hw.status, 200);
  await rail.fund('BSC', rail.hotWalletAddress('BSC'), 'USDT', 50n * 10n ** 18n);
  await until('paid once funded', async () => (await row(id)).status === 14, 30_000);
  assert.equal(await rail.hotWalletBalance('BSC', 'USDT'), 0n, 'exactly the payout left the hot wallet');
});
