// Issue 12, operator console: the audit log. One append-only row per operator action, written in the
// transaction of the action (a failed audit write undoes the action), never holding a secret, searchable by
// actor, merchant, action and date with keyset pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, postJson, type TestEnv } from './harness.js';
import { CLI_ACTOR, searchAuditLog, type Actor } from '../src/core/audit-log.js';
import { rotateMerchantSecret, rotateSecurityKey, updateSettings } from '../src/core/merchants.js';
import { rotateCinetpayCredentials } from '../src/core/cinetpay-sites.js';
import { setApprovalThreshold, setPayoutFee } from '../src/core/payout-settings.js';
import { setOperatorRate, removeOperatorRate } from '../src/core/rates/operator-rates.js';
import { setMerchantRateSettings } from '../src/core/rates/merchant-rates.js';
import { createHotWallet } from '../src/core/hot-wallets.js';
import { createOperator } from '../src/core/operators.js';
import { changeMerchantSettings } from '../src/core/console-settings.js';
import { fundMerchant, withdraw } from './payout-helpers.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.close();
});

const OP: Actor = { kind: 'operator', operatorId: '7', address: '203.0.113.9' };
const admin = (path: string) =>
  fetch(`${env.url}/admin${path}`, { headers: { authorization: `Bearer ${env.adminToken}` } }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));

test('issue 12: the audit log is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
  await newMerchant(env);
  for (const sql of ["UPDATE audit_log SET action = 'forged'", 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
    await assert.rejects(env.deps.db.query(sql), /append-only/, sql);
  }
  const { rows } = await env.deps.db.query("SELECT count(*)::int AS n FROM audit_log WHERE action = 'forged'");
  assert.equal(rows[0].n, 0);
});

test(
  'issue 12: every operator action writes one audit row naming who, what, target, before/after and address; ' +
    'no secret is ever in it',
  async () => {
    const m = await newMerchant(env);
    const id = String(m.merchantId);
    const key = await rotateSecurityKey(env.deps, id, OP);
    const secret = await rotateMerchantSecret(env.deps, id, CLI_ACTOR);
    const cp = await rotateCinetpayCredentials(env.deps, id, undefined, OP);
    await updateSettings(env.deps, id, { feeBps: 150, webhookFormat: 'cpay-legacy' }, OP);
    await setMerchantRateSettings(env.deps, id, { spreadBps: 40 }, OP);
    await setPayoutFee(env.deps, id, 'USDT', 'TRON', '1.5', 10, OP);
    await setApprovalThreshold(env.deps, id, 'USDT', '100', OP);
    await changeMerchantSettings(env.deps, id, { threshold: { currency: 'USDT', amount: '250' } }, OP);
    await setOperatorRate(env.deps, 'USD', 'USDT', '1.001', OP);
    await removeOperatorRate(env.deps, 'USD', 'USDT', OP);
    const hw = await createHotWallet(env.deps, 'tron', CLI_ACTOR);

    const page = await searchAuditLog(env.deps, { merchantId: id, limit: 100 });
    assert.deepEqual(page.entries.map((e) => e.action).reverse(), [
      'merchant.create',
      'merchant.rotate_key',
      'merchant.rotate_secret',
      'merchant.rotate_cinetpay',
      'merchant.update',
      'merchant.rates',
      'payout.fee',
      'payout.threshold',
      'payout.threshold',
    ]);
    const by = (a: string) => page.entries.find((e) => e.action === a)!;
    assert.equal(by('merchant.rotate_key').actor, 'operator:7');
    assert.equal(by('merchant.rotate_key').address, '203.0.113.9');
    assert.deepEqual(by('merchant.rotate_key').after, { keyVersion: 2 });
    assert.equal(by('merchant.rotate_secret').actor, 'cli');
    assert.equal(by('merchant.rotate_secret').address, null);
    assert.deepEqual(by('merchant.update').before, { feeBps: 0, webhookFormat: 'cpay' });
    assert.deepEqual(by('merchant.update').after, { feeBps: 150, webhookFormat: 'cpay-legacy' });
    assert.deepEqual(by('payout.fee').after, { fixedMinor: `15${'0'.repeat(17)}`, bps: 10 });
    const thresholds = page.entries.filter((e) => e.action === 'payout.threshold');
    assert.deepEqual(thresholds[0]!.before, { thresholdMinor: `100${'0'.repeat(18)}` });
    assert.equal(by('merchant.create').actor, 'system');

    const all = await searchAuditLog(env.deps, { limit: 500 });
    assert.ok(all.entries.some((e) => e.action === 'rate.set' && e.target === 'USD/USDT'));
    assert.ok(all.entries.some((e) => e.action === 'rate.delete'));
    assert.ok(all.entries.some((e) => e.action === 'hot_wallet.create' && e.after?.address === hw.address));

    const text = JSON.stringify((await env.deps.db.query('SELECT before, after, target FROM audit_log')).rows);
    for (const s of [
      m.password,
      m.securityKey,
      m.merchantSecret,
      m.apikey,
      m.notifySecret,
      key.securityKey,
      secret.merchantSecret,
      cp.apikey,
      cp.notifySecret,
    ])
      assert.ok(!text.includes(s), 'no secret in the audit log');
  },
);

test('issue 12: payout approval and rejection are audited as the operator who decided', async () => {
  const m = await newMerchant(env);
  await fundMerchant(env, m, 'USDT', '1000');
  await setApprovalThreshold(env.deps, String(m.merchantId), 'USDT', '100');
  const { operator, token } = await createOperator(env.deps, 'auditor-alice');
  const w1 = await withdraw(env, m, { totalAmount: '500', receivedAmount: '500' });
  const w2 = await withdraw(env, m, { totalAmount: '400', receivedAmount: '400' });
  assert.equal(w1.body.code, 0, JSON.stringify(w1.body));
  const auth = { authorization: `Bearer ${token}` };
  assert.equal((await postJson(`${env.url}/admin/payouts/${w1.body.data.orderId}/approve`, '', auth)).status, 200);
  assert.equal((await postJson(`${env.url}/admin/payouts/${w2.body.data.orderId}/reject`, '', auth)).status, 200);
  const page = await searchAuditLog(env.deps, { actor: String(operator.id), limit: 10 });
  assert.deepEqual(
    page.entries.map((e) => [e.action, e.target, e.address]),
    [
      ['payout.reject', w2.body.data.orderId, '127.0.0.1'],
      ['payout.approve', w1.body.data.orderId, '127.0.0.1'],
    ],
  );
  assert.deepEqual(page.entries[0]!.after, { stage: 'closed' });
});

test(
  'issue 12: the audit row is written in the transaction of the ' +
    'action: when it cannot be written, the action is undone',
  async () => {
    const m = await newMerchant(env);
    const id = String(m.merchantId);
    const before = (
      await env.deps.db.query('SELECT key_version, security_key_sealed FROM merchants WHERE id = $1', [id])
    ).rows[0];
    // A constraint that refuses this one action's audit row: the rotation's UPDATE ran first in the same transaction.
    await env.deps.db.query(
      "ALTER TABLE audit_log ADD CONSTRAINT test_no_rotation CHECK (action <> 'merchant.rotate_key') NOT VALID",
    );
    try {
      await assert.rejects(rotateSecurityKey(env.deps, id, OP), /test_no_rotation/);
      await assert.rejects(
        changeMerchantSettings(env.deps, id, { payinFeeBps: 5 }, OP).then(() => rotateSecurityKey(env.deps, id, OP)),
      );
    } finally {
      await env.deps.db.query('ALTER TABLE audit_log DROP CONSTRAINT test_no_rotation');
    }
    const after = (
      await env.deps.db.query('SELECT key_version, security_key_sealed, fee_bps FROM merchants WHERE id = $1', [id])
    ).rows[0];
    assert.equal(after.key_version, before.key_version, 'the key was not rotated');
    assert.equal(after.security_key_sealed, before.security_key_sealed);
    assert.equal(after.fee_bps, 5, 'the other action, audited, stayed');
    const rows = (await searchAuditLog(env.deps, { merchantId: id })).entries.map((e) => e.action);
    assert.deepEqual(rows, ['merchant.update', 'merchant.create']);
  },
);

test(
  'issue 12: audit search by actor, merchant, action prefix and ' + 'dates, in keyset pages without gaps or repeats',
  async () => {
    const a = await newMerchant(env);
    const b = await newMerchant(env);
    for (let i = 0; i < 7; i++) await updateSettings(env.deps, String(a.merchantId), { feeBps: i + 1 }, OP);
    await updateSettings(env.deps, String(b.merchantId), { feeBps: 9 }, CLI_ACTOR);

    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const r = await admin(`/audit?merchantId=${a.merchantId}&limit=3${after ? `&after=${after}` : ''}`);
      assert.equal(r.status, 200);
      seen.push(...r.body.entries.map((e: any) => e.id));
      if (!r.body.next) break;
      after = r.body.next;
    }
    assert.equal(seen.length, 8, 'create + 7 updates');
    assert.equal(new Set(seen).size, 8);
    assert.deepEqual(
      [...seen].sort((x, y) => Number(y) - Number(x)),
      seen,
      'newest first',
    );

    const ops = await admin(`/audit?actor=operator:7&merchantId=${a.merchantId}&action=merchant.update`);
    assert.equal(ops.body.entries.length, 7);
    const cli = await admin(`/audit?actor=cli&merchantId=${b.merchantId}`);
    assert.deepEqual(
      cli.body.entries.map((e: any) => e.action),
      ['merchant.update'],
    );
    const prefix = await admin(`/audit?merchantId=${b.merchantId}&action=merchant.`);
    assert.equal(prefix.body.entries.length, 2);

    const today = env.clock.now().toISOString().slice(0, 10);
    const inRange = await admin(`/audit?merchantId=${b.merchantId}&from=${today}&to=${today}`);
    assert.equal(inRange.body.entries.length, 2, 'a bare to date includes that day');
    const future = await admin(`/audit?merchantId=${b.merchantId}&from=2999-01-01`);
    assert.equal(future.body.entries.length, 0);

    for (const bad of ['actor=root', 'merchantId=x', 'after=-1', 'from=yesterday', 'action=DROP%20TABLE', 'limit=abc'])
      assert.equal((await admin(`/audit?${bad}`)).status, 400, bad);
  },
);
