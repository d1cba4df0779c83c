// Issue 13 part 3: refunds and chargebacks of card orders and the reserve release, over the operator API
// (/admin/cards, operator tokens) and the core, on real PostgreSQL and the sandbox acquirer: full and partial
// refunds, never above the capture (a 50-way race), idempotency, an acquirer that refuses or does not answer,
// chargebacks from the reserve first, the reserve released exactly once by two racing workers, webhooks through
// the outbox, audit rows, and the ledger invariants in SQL (test/invariants.ts).
import { test, before, after } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { createOperator } from '../src/core/operators.js';
import { retryPendingRefunds } from '../src/core/card-refund-retry.js';
import { releaseDueReserves } from '../src/core/card-reserves.js';
import { cardAcquirer, useCardAcquirer } from '../src/rails/card/registry.js';
import { AcquirerTimeout } from '../src/rails/card/acquirer.js';
import { type TestEnv, startTestEnv } from './harness.js';
import { CARD, balances, cardMerchant, orderDetail, pwppV1 } from './card-helpers.js';
import { brokenInvariants } from './invariants.js';
import { runCli } from './child-process.js';

let env: TestEnv;
let token: string;
let supportToken: string;

before(async () => {
  env = await startTestEnv();
  token = (await createOperator(env.deps, 'refunder')).token;
  const support = await createOperator(env.deps, 'helpdesk');
  await env.deps.db.query(`UPDATE operators SET role = 'support' WHERE id = $1`, [support.operator.id]);
  supportToken = support.token;
});
after(() => env.close());

async function merchant(reserveBps = 0, feeBps = 0): Promise<MerchantCredentials> {
  const m = await cardMerchant(env, ['card-user-1'], { feeBps });
  if (reserveBps > 0)
    await env.deps.db.query(
      'INSERT INTO card_settings (merchant_id, reserve_bps, hold_days, updated_at) VALUES ($1, $2, 30, now())',
      [m.merchantId, reserveBps],
    );
  return m;
}

async function paidOrder(m: MerchantCredentials, amount = '19.99'): Promise<string> {
  const r = await pwppV1(env, m, { amount, createTime: String(env.clock.now().getTime()) });
  assert.equal(r.code, 0, JSON.stringify(r));
  assert.equal(r.data.orderStatus, 14);
  return r.data.orderId as string;
}

async function call(method: string, path: string, body?: unknown, who = token) {
  const res = await fetch(`${env.url}/admin/cards/${path}`, {
    method,
    headers: { authorization: `Bearer ${who}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}
const refund = (orderId: string, amount: string, refundKey: string, reason?: string) =>
  call('POST', `${orderId}/refunds`, { amount, refundKey, ...(reason ? { reason } : {}) });
const chargeback = (orderId: string, amount: string, caseId: string, reason?: string, who = token) =>
  call('POST', `${orderId}/chargebacks`, { amount, caseId, ...(reason ? { reason } : {}) }, who);

async function invariantsHold(): Promise<void> {
  const url = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  const broken = await brokenInvariants(url, [], 3600);
  assert.deepEqual(broken, {});
}

const q = async (sql: string, params: unknown[] = []) => (await env.deps.db.query(sql, params)).rows;

test('issue 13: a partial then a full refund move the money once each, never above the capture', async () => {
  const m = await merchant();
  const orderId = await paidOrder(m);
  assert.deepEqual((await balances(env, m)).USD, { available: '19.99', frozen: '0.00' });
  const first = await refund(orderId, '5.00', 'r-1', 'damaged');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.state, 'succeeded');
  assert.equal(first.body.amount, '5.00');
  assert.match(first.body.requestedBy, /^operator:[0-9]+$/);
  assert.deepEqual((await balances(env, m)).USD, { available: '14.99', frozen: '0.00' });
  const over = await refund(orderId, '15.00', 'r-2');
  assert.equal(over.status, 409);
  assert.equal(over.body.error, 'CARD_REFUND_EXCEEDS_CAPTURED');
  const rest = await refund(orderId, '14.99', 'r-3');
  assert.equal(rest.body.state, 'succeeded');
  assert.deepEqual((await balances(env, m)).USD, { available: '0.00', frozen: '0.00' });
  const view = await call('GET', orderId);
  assert.equal(view.body.refunded, '19.99');
  // getOrderDetail shows it too (the order stays 14).
  const [{ merchant_trade_no: tradeNo }] = await q('SELECT merchant_trade_no FROM orders WHERE id = $1', [orderId]);
  const detail = await orderDetail(env, m, tradeNo);
  assert.deepEqual([detail.orderStatus, detail.refundedAmount, detail.chargebackAmount], [14, '19.99', '0.00']);
  assert.equal(view.body.refundable, '0.00');
  assert.equal(view.body.refunds.length, 2);
  // The acquirer's books agree with Tender's.
  const s = await cardAcquirer(env.deps).status(orderId);
  assert.equal(s.state === 'captured' && s.refunded, 1999n);
  // A webhook per refund, in Tender's event form, through the outbox.
  const hooks = await q(
    `SELECT payload FROM webhook_deliveries WHERE order_id = $1 AND payload ? 'eventType' ORDER BY id`,
    [orderId],
  );
  assert.deepEqual(
    hooks.map((h) => [h.payload.eventType, h.payload.eventAmount, h.payload.refundedAmount]),
    [
      ['refund.succeeded', '5.00', '5.00'],
      ['refund.succeeded', '14.99', '19.99'],
    ],
  );
  // Audited with the operator.
  const audits = await q(
    `SELECT actor_kind, action, target FROM audit_log WHERE action = 'card.refund' AND target = $1`,
    [orderId],
  );
  assert.equal(audits.length, 2);
  assert.equal(audits[0].actor_kind, 'operator');
  await invariantsHold();
});

test('issue 13: refunds are idempotent per refundKey: same key same answer, other fields a conflict', async () => {
  const m = await merchant();
  const a = await paidOrder(m);
  const b = await paidOrder(m);
  const one = await refund(a, '2.00', 'same-key');
  const again = await refund(a, '2.00', 'same-key');
  assert.equal(again.status, 200);
  assert.equal(again.body.refundId, one.body.refundId);
  const other = await refund(a, '3.00', 'same-key');
  assert.equal(other.status, 409);
  assert.equal(other.body.error, 'CARD_REFUND_KEY_REUSED');
  const elsewhere = await refund(b, '2.00', 'same-key');
  assert.equal(elsewhere.body.error, 'CARD_REFUND_KEY_REUSED');
  // 20 concurrent requests with one new key: one refund.
  const many = await Promise.all(Array.from({ length: 20 }, () => refund(a, '1.00', 'burst-key')));
  assert.equal(new Set(many.map((r) => r.body.refundId)).size, 1);
  assert.ok(many.every((r) => r.status === 200));
  const rows = await q('SELECT count(*)::int AS n FROM card_refunds WHERE order_id = $1', [a]);
  assert.equal(rows[0].n, 2);
  await invariantsHold();
});

test('issue 13: 50 concurrent refunds of one order never refund more than was captured', async () => {
  const m = await merchant();
  const orderId = await paidOrder(m, '19.99');
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => refund(orderId, '1.00', `race-${i}`)));
  const ok = answers.filter((r) => r.status === 200);
  const refused = answers.filter((r) => r.status !== 200);
  assert.equal(ok.length, 19, 'nineteen 1.00 refunds fit in 19.99');
  assert.ok(refused.every((r) => r.body.error === 'CARD_REFUND_EXCEEDS_CAPTURED'));
  assert.ok(ok.every((r) => r.body.state === 'succeeded'));
  const [sum] = await q(`SELECT sum(amount)::text AS s FROM card_refunds WHERE order_id = $1 AND state = 'succeeded'`, [
    orderId,
  ]);
  assert.equal(sum.s, '1900');
  const s = await cardAcquirer(env.deps).status(orderId);
  assert.equal(s.state === 'captured' && s.refunded, 1900n);
  assert.deepEqual((await balances(env, m)).USD, { available: '0.99', frozen: '0.00' });
  await invariantsHold();
});

test('issue 13: refunds refused: not a completed card order, bad amounts and keys, a support operator', async () => {
  const m = await merchant();
  const orderId = await paidOrder(m);
  await pwppV1(env, m, { cardNumber: CARD.declined, merchantTradeNo: `declined-${orderId}` });
  const [declined] = await q('SELECT id, status FROM orders WHERE merchant_trade_no = $1', [`declined-${orderId}`]);
  assert.equal(declined.status, 15);
  assert.equal((await refund(declined.id, '1.00', 'k-declined')).body.error, 'CARD_REFUND_NOT_REFUNDABLE');
  assert.equal((await refund('999999999', '1.00', 'k-none')).body.error, 'ORDER_NOT_FOUND');
  for (const amount of ['0', '-1.00', '1.001', 'abc', ''])
    assert.equal((await refund(orderId, amount, `k-amt`)).body.error, 'CARD_REFUND_AMOUNT_INVALID', amount);
  const badKey = await refund(orderId, '1.00', 'bad key!');
  assert.equal(badKey.status, 400);
  const supportTry = await call('POST', `${orderId}/refunds`, { amount: '1.00', refundKey: 'k-sup' }, supportToken);
  assert.equal(supportTry.status, 403);
  assert.equal((await call('GET', orderId, undefined, supportToken)).status, 200, 'support may read');
  const noToken = await call('POST', `${orderId}/refunds`, { amount: '1.00', refundKey: 'k-x' }, 'nope');
  assert.equal(noToken.status, 401);
  // The fee is Tender's and is not given back: with a 10% fee the merchant's available cannot cover a full refund.
  const fee = await merchant(0, 1000);
  const feeOrder = await paidOrder(fee, '10.00');
  const full = await refund(feeOrder, '10.00', 'k-full');
  assert.equal(full.body.error, 'CARD_REFUND_INSUFFICIENT_BALANCE');
  assert.equal((await refund(feeOrder, '9.00', 'k-part')).body.state, 'succeeded');
  const rows = await q('SELECT count(*)::int AS n FROM card_refunds WHERE order_id = ANY($1)', [
    [orderId, declined.id, feeOrder],
  ]);
  assert.equal(rows[0].n, 1, 'refused refunds leave no row');
  await invariantsHold();
});

test('issue 13: the acquirer refuses a refund: failed, the hold released, a refund.failed webhook', async () => {
  const m = await merchant();
  const orderId = await paidOrder(m, '10.00');
  // Someone refunded at the acquirer behind Tender's back: the acquirer has nothing left to refund.
  const ref = (await q('SELECT acquirer_ref FROM card_payments WHERE order_id = $1', [orderId]))[0].acquirer_ref;
  await cardAcquirer(env.deps).refund(ref, 1000n, 'outside-tender');
  const r = await refund(orderId, '4.00', 'k-refused');
  assert.equal(r.status, 409);
  assert.equal(r.body.error, 'CARD_REFUND_REFUSED');
  const [row] = await q('SELECT state, failure FROM card_refunds WHERE refund_key = $1', ['k-refused']);
  assert.equal(row.state, 'failed');
  assert.match(row.failure, /exceed/);
  assert.deepEqual((await balances(env, m)).USD, { available: '10.00', frozen: '0.00' });
  const events = await q(
    `SELECT from_state, to_state FROM card_refund_events e JOIN card_refunds f ON f.id = e.refund_id
     WHERE f.refund_key = 'k-refused' ORDER BY e.id`,
  );
  assert.deepEqual(
    events.map((e) => [e.from_state, e.to_state]),
    [
      [null, 'pending'],
      ['pending', 'failed'],
    ],
  );
  const [hook] = await q(`SELECT payload FROM webhook_deliveries WHERE order_id = $1 AND payload ? 'eventType'`, [
    orderId,
  ]);
  assert.equal(hook.payload.eventType, 'refund.failed');
  // The same key answers the same refusal again; a failed refund does not count against the capture.
  assert.equal((await refund(orderId, '4.00', 'k-refused')).body.error, 'CARD_REFUND_REFUSED');
  assert.equal((await call('GET', orderId)).body.refundable, '10.00');
  await invariantsHold();
});

test(
  'issue 13: the acquirer does not answer: the refund stays pending (held, nothing out), the ' + 'worker retries',
  async () => {
    const m = await merchant();
    const orderId = await paidOrder(m, '10.00');
    const real = cardAcquirer(env.deps);
    let calls = 0;
    useCardAcquirer(env.deps, {
      ...real,
      async refund() {
        calls++;
        throw new AcquirerTimeout('refund');
      },
    });
    try {
      const r = await refund(orderId, '6.00', 'k-timeout');
      assert.equal(r.status, 200);
      assert.equal(r.body.state, 'pending');
      assert.deepEqual((await balances(env, m)).USD, { available: '4.00', frozen: '6.00' });
      // Pending counts against the capture.
      assert.equal((await refund(orderId, '5.00', 'k-more')).body.error, 'CARD_REFUND_EXCEEDS_CAPTURED');
      // Not due yet: the worker leaves it.
      assert.equal(await retryPendingRefunds(env.deps), 0);
      assert.equal(calls, 1);
      env.clock.advance(31);
      assert.equal(await retryPendingRefunds(env.deps), 0, 'still no answer');
      assert.equal(calls, 2);
      await invariantsHold();
    } finally {
      useCardAcquirer(env.deps, real);
    }
    env.clock.advance(121);
    assert.equal(await retryPendingRefunds(env.deps), 1);
    const [row] = await q('SELECT state, attempts FROM card_refunds WHERE refund_key = $1', ['k-timeout']);
    assert.equal(row.state, 'succeeded');
    assert.equal(row.attempts, 2);
    assert.deepEqual((await balances(env, m)).USD, { available: '4.00', frozen: '0.00' });
    const s = await real.status(orderId);
    assert.equal(s.state === 'captured' && s.refunded, 600n);
    await invariantsHold();
  },
);

test('issue 13: chargebacks take the order reserve first, then available; idempotent per caseId; audited', async () => {
  const m = await merchant(1000); // 10% reserve
  const orderId = await paidOrder(m, '19.99'); // reserve 1.99
  assert.deepEqual((await balances(env, m)).USD, { available: '18.00', frozen: '1.99' });
  const one = await chargeback(orderId, '1.00', 'case-1', 'fraud 10.4');
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.deepEqual([one.body.fromReserve, one.body.fromAvailable], ['1.00', '0.00']);
  assert.deepEqual((await balances(env, m)).USD, { available: '18.00', frozen: '0.99' });
  const two = await chargeback(orderId, '3.00', 'case-2');
  assert.deepEqual([two.body.fromReserve, two.body.fromAvailable], ['0.99', '2.01']);
  assert.deepEqual((await balances(env, m)).USD, { available: '15.99', frozen: '0.00' });
  const same = await chargeback(orderId, '3.00', 'case-2');
  assert.equal(same.body.chargebackId, two.body.chargebackId);
  const clash = await chargeback(orderId, '2.00', 'case-2');
  assert.equal(clash.status, 409);
  assert.equal(clash.body.error, 'CARD_CHARGEBACK_CASE_REUSED');
  assert.equal((await chargeback(orderId, '16.00', 'case-3')).body.error, 'CARD_CHARGEBACK_EXCEEDS_CAPTURED');
  assert.equal((await chargeback(orderId, '1.00', 'case-4', undefined, supportToken)).status, 403);
  // A refund now fits only in what chargebacks left.
  assert.equal((await refund(orderId, '16.00', 'after-cb')).body.error, 'CARD_REFUND_EXCEEDS_CAPTURED');
  const hooks = await q(
    `SELECT payload FROM webhook_deliveries WHERE order_id = $1 AND payload ? 'eventType' ORDER BY id`,
    [orderId],
  );
  assert.deepEqual(
    hooks.map((h) => [h.payload.eventType, h.payload.eventAmount, h.payload.chargebackAmount]),
    [
      ['chargeback.recorded', '1.00', '1.00'],
      ['chargeback.recorded', '3.00', '4.00'],
    ],
  );
  const audits = await q(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'card.chargeback' AND target = $1`, [
    orderId,
  ]);
  assert.equal(audits[0].n, 2);
  // The reserve, emptied by chargebacks, is released without an entry when its time comes.
  env.clock.advance(31 * 86400);
  await releaseDueReserves(env.deps);
  const [res] = await q(
    'SELECT released_at, release_entry_id, charged_back::text FROM card_reserves WHERE order_id = $1',
    [orderId],
  );
  assert.ok(res.released_at);
  assert.equal(res.release_entry_id, null);
  assert.equal(res.charged_back, '199');
  await invariantsHold();
});

test('issue 13: a chargeback the reserve and available cannot cover is refused, nothing recorded', async () => {
  const m = await merchant(0, 1000); // 10% fee: available holds 9.00 of a 10.00 order
  const orderId = await paidOrder(m, '10.00');
  const r = await chargeback(orderId, '10.00', 'case-big');
  assert.equal(r.status, 409);
  assert.equal(r.body.error, 'CARD_CHARGEBACK_INSUFFICIENT_FUNDS');
  assert.deepEqual((await balances(env, m)).USD, { available: '9.00', frozen: '0.00' });
  assert.equal((await q('SELECT count(*)::int AS n FROM card_chargebacks WHERE order_id = $1', [orderId]))[0].n, 0);
  assert.equal((await q(`SELECT count(*)::int AS n FROM audit_log WHERE target = $1`, [orderId]))[0].n, 0);
  assert.equal((await chargeback(orderId, '9.00', 'case-fits')).status, 200);
  assert.deepEqual((await balances(env, m)).USD, { available: '0.00', frozen: '0.00' });
  await invariantsHold();
});

test('issue 13: reserves are released once each by two racing workers; one bad row blocks no other', async () => {
  const m = await merchant(500); // 5% reserve
  const orders = [];
  for (let i = 0; i < 6; i++) orders.push(await paidOrder(m, '20.00'));
  assert.deepEqual((await balances(env, m)).USD, { available: '114.00', frozen: '6.00' });
  // Not due yet.
  assert.deepEqual(await releaseDueReserves(env.deps), { released: 0, failed: 0 });
  // A bad row: a reserve of another merchant's order that its frozen balance cannot cover.
  const other = await merchant();
  const badOrder = await paidOrder(other, '1.00');
  const [pay] = await q(`SELECT id FROM journal_entries WHERE order_id = $1 AND kind = 'order_payment'`, [badOrder]);
  await q(
    `INSERT INTO card_reserves (order_id, merchant_id, currency, amount, reserve_bps, entry_id, reserved_at, release_at)
     VALUES ($1, $2, 'USD', 5000, 0, $3, now(), now())`,
    [badOrder, other.merchantId, pay.id],
  );
  env.clock.advance(31 * 86400);
  const [a, b] = await Promise.all([releaseDueReserves(env.deps), releaseDueReserves(env.deps)]);
  assert.equal(a.released + b.released, 6);
  assert.ok(a.failed + b.failed >= 1);
  assert.deepEqual((await balances(env, m)).USD, { available: '120.00', frozen: '0.00' });
  const entries = await q(
    `SELECT order_id, count(*)::int AS n FROM journal_entries WHERE kind = 'card_reserve_release'
     AND order_id = ANY($1) GROUP BY order_id`,
    [orders],
  );
  assert.equal(entries.length, 6);
  assert.ok(entries.every((e) => e.n === 1));
  // Again: nothing more to release; the bad row is counted and stays for the operator.
  const again = await releaseDueReserves(env.deps);
  assert.equal(again.released, 0);
  const [bad] = await q('SELECT released_at, release_failures FROM card_reserves WHERE order_id = $1', [badOrder]);
  assert.equal(bad.released_at, null);
  assert.ok(bad.release_failures >= 2);
  await q('DELETE FROM card_reserves WHERE order_id = $1', [badOrder]);
  await invariantsHold();
});

test('issue 13: `tender card refund|chargeback|show` act as the CLI (audited), idempotent like the API', async () => {
  const m = await merchant(1000);
  const orderId = await paidOrder(m, '10.00');
  const url = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  const cliEnv = {
    DATABASE_URL: url,
    TENDER_MODE: 'sandbox',
    TENDER_MASTER_KEY: randomBytes(32).toString('hex'),
    TENDER_DATA_DIR: mkdtempSync(join(tmpdir(), 'tender-card-cli-')),
  };
  const refunded = JSON.parse(
    await runCli(['card', 'refund', orderId, '--amount', '2.00', '--key', 'cli-1', '--json'], cliEnv),
  );
  assert.equal(refunded.state, 'succeeded');
  assert.equal(refunded.requestedBy, 'cli');
  const again = JSON.parse(
    await runCli(['card', 'refund', orderId, '--amount', '2.00', '--key', 'cli-1', '--json'], cliEnv),
  );
  assert.equal(again.refundId, refunded.refundId);
  const cb = JSON.parse(
    await runCli(['card', 'chargeback', orderId, '--amount', '1.50', '--case', 'CLI-CASE', '--json'], cliEnv),
  );
  assert.deepEqual([cb.fromReserve, cb.fromAvailable], ['1.00', '0.50']);
  const shown = JSON.parse(await runCli(['card', 'show', orderId, '--json'], cliEnv));
  assert.deepEqual([shown.refunded, shown.chargedBack, shown.refundable], ['2.00', '1.50', '6.50']);
  const audits = await q(`SELECT actor_kind FROM audit_log WHERE target = $1 ORDER BY id`, [orderId]);
  assert.deepEqual(
    audits.map((a) => a.actor_kind),
    ['cli', 'cli'],
  );
  await invariantsHold();
});
