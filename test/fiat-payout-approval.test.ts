// Issue 11 (spec M2 with M1's approval rule): a fiat payout above the merchant's threshold is accepted at 11 with
// its money held, but the sender does not hand it to the rail until two different operators approve it; one
// rejection closes it at 15 and releases the hold. Ledger invariants hold in SQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newMerchant, postJson, sleep, startTestEnv, until, type TestEnv } from './harness.js';
import { CARD, fiatPayout, fundFiat } from './fiat-payout-helpers.js';
import { balanceOf } from './payout-helpers.js';
import { brokenInvariants } from './invariants.js';
import { startFiatPayoutSender } from '../src/workers/fiat-payout-sender.js';
import { createOperator } from '../src/core/operators.js';
import { setApprovalThreshold } from '../src/core/payout-settings.js';
import { SETTLE_MS } from '../src/rails/fiat-payout/sandbox-engine.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

let env: TestEnv;
let dbUrl: string;
let sender: { stop(): Promise<void> };
let m: MerchantCredentials;
const tokens: Record<string, string> = {};

before(async () => {
  env = await startTestEnv({ TENDER_PAYOUT_FEES: 'BRL:PIX=1+0' });
  dbUrl = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  sender = startFiatPayoutSender(env.deps, { pollMs: 50 });
  for (const name of ['alice', 'bob']) tokens[name] = (await createOperator(env.deps, name)).token;
  m = await newMerchant(env);
  await fundFiat(env, m, 'BRL', '10000');
  await setApprovalThreshold(env.deps, String(m.merchantId), 'BRL', '100');
});
after(async () => {
  await sender.stop();
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  await env.close();
});

const decide = (who: string, orderId: string, d: 'approve' | 'reject') =>
  postJson(`${env.url}/admin/payouts/${orderId}/${d}`, '', { authorization: `Bearer ${tokens[who]}` });

const row = async (orderId: string) =>
  (
    await env.deps.db.query(
      `SELECT o.status, p.stage, p.reason, p.approvals_needed,
         (SELECT count(*)::int FROM fiat_payout_submissions s WHERE s.payout_id = p.order_id) AS submissions,
         (SELECT count(*)::int FROM sandbox_fiat_payouts s WHERE s.payout_id = p.order_id) AS at_rail
       FROM payouts p JOIN orders o ON o.id = p.order_id WHERE p.order_id = $1`,
      [orderId],
    )
  ).rows[0];

test('issue 11: a fiat payout above the threshold waits for two different operators, then pays', async () => {
  // At the threshold itself (99 + 1 fee = 100) no approval is needed.
  const small = await fiatPayout(env, m, { amount: '99' });
  assert.equal((await row(small.body.data.orderId)).approvals_needed, 0);
  const r = await fiatPayout(env, m, { amount: '150', payoutChannel: '2', toAccount: CARD, accountType: '' });
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  assert.equal(r.body.data.status, '11', 'accepted and processing, as every fiat payout');
  const id = r.body.data.orderId;
  await sleep(300); // the sender passes several times meanwhile
  assert.deepEqual(
    await row(id),
    { status: 11, stage: 'approval', reason: 'awaiting_approval', approvals_needed: 2, submissions: 0, at_rail: 0 },
    'held, not sent',
  );
  const b = await balanceOf(env, m, 'BRL');
  assert.equal(b.frozen, 15000n + 10000n, 'both payouts are held (the card has no fee here)');
  assert.equal((await decide('alice', id, 'approve')).status, 200);
  await decide('alice', id, 'approve'); // the same operator twice counts once
  await sleep(300);
  assert.equal((await row(id)).stage, 'approval');
  assert.equal((await row(id)).at_rail, 0);
  await decide('bob', id, 'approve');
  await until('submitted', async () => (await row(id)).submissions === 1);
  env.clock.advance(SETTLE_MS / 1000 + 1);
  await until('paid', async () => (await row(id)).status === 14);
  assert.equal((await row(id)).at_rail, 1);
});

test(
  'issue 11: one rejection closes a waiting fiat payout at 15 and ' + 'releases its hold; nothing reaches the rail',
  async () => {
    const before = await balanceOf(env, m, 'BRL');
    const r = await fiatPayout(env, m, { amount: '500' });
    const id = r.body.data.orderId;
    assert.equal((await balanceOf(env, m, 'BRL')).available, before.available - 50100n);
    const rej = await decide('bob', id, 'reject');
    assert.equal(rej.status, 200, JSON.stringify(rej.body));
    const after = await row(id);
    assert.deepEqual([after.status, after.stage, after.submissions, after.at_rail], [15, 'closed', 0, 0]);
    assert.equal((await balanceOf(env, m, 'BRL')).available, before.available);
  },
);
