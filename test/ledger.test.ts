// Ledger invariants on real data: every journal entry sums to zero per currency, every balance equals
// the sum of its postings, fees land in fee revenue, and racing completions post exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, type TestEnv } from './harness.js';
import { sandboxSettle } from './sandbox-settle.js';
import { completeOrder, expireDueOrders } from '../src/core/payments.js';
import { getBalances } from '../src/core/balances.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.close();
});

async function createOrder(merchantId: number, key: string, tradeNo: string, amount: string, currency = 'USDT') {
  const p = {
    merchantId: String(merchantId),
    merchantTradeNo: tradeNo,
    createTime: String(Date.now()),
    userId: 'u',
    amount,
    cryptoCurrency: currency,
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, key));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.data.orderId as string;
}

test('fees, balances and invariants across many payments', async () => {
  const a = await newMerchant(env, { feeBps: 250 });
  const b = await newMerchant(env, { brand: 'B' });
  const amounts = ['10', '0.00000001', '123.45678901', '7'];
  for (const [i, amt] of amounts.entries()) {
    await completeOrder(env.deps, await createOrder(a.merchantId, a.securityKey, `L-A-${i}`, amt), { rail: 'sandbox' });
    await completeOrder(env.deps, await createOrder(b.merchantId, b.securityKey, `L-B-${i}`, amt, 'BTC'), {
      rail: 'sandbox',
    });
  }
  const sumsPerEntry = await env.deps.db.query(
    `SELECT entry_id, currency, sum(amount) AS s FROM postings GROUP BY entry_id, currency HAVING sum(amount) <> 0`,
  );
  assert.equal(sumsPerEntry.rows.length, 0, 'every journal entry sums to zero per currency');
  const drift = await env.deps.db.query(
    `SELECT a.code FROM ledger_accounts a LEFT JOIN postings p ON p.account_id = a.id GROUP BY a.id
    HAVING a.balance <> COALESCE(sum(p.amount), 0)`,
  );
  assert.equal(drift.rows.length, 0, 'every balance equals the sum of its postings');

  const balA = (await getBalances(env.deps, String(a.merchantId))).find((r) => r.currency === 'USDT')!;
  // 2.5 % fee, rounded down per order, in 18-decimal ledger units of USDT.
  const unit = 10n ** 18n;
  const gross = [10n * unit, 10n ** 10n, 12345678901n * 10n ** 10n, 7n * unit];
  const expected = gross.reduce((s, g) => s + g - (g * 250n) / 10000n, 0n);
  assert.equal(balA.available, expected);
  const fee = await env.deps.db.query(`SELECT balance FROM ledger_accounts WHERE code = 'platform:fee_revenue:USDT'`);
  assert.equal(
    BigInt(fee.rows[0].balance),
    gross.reduce((s, g) => s + (g * 250n) / 10000n, 0n),
  );
  const balB = (await getBalances(env.deps, String(b.merchantId))).find((r) => r.currency === 'BTC')!;
  assert.equal(balB.available, 1000000000n + 1n + 12345678901n + 700000000n);
});

test('racing completions of one order post exactly one journal entry', async () => {
  const m = await newMerchant(env, { brand: 'Racer' });
  const id = await createOrder(m.merchantId, m.securityKey, 'RACE-PAY', '5');
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, () => completeOrder(env.deps, id, { rail: 'sandbox' })),
  );
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results)
    if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'ILLEGAL_TRANSITION');
  const entries = await env.deps.db.query('SELECT count(*)::int AS n FROM journal_entries WHERE order_id = $1', [id]);
  assert.equal(entries.rows[0].n, 1);
  const events = await env.deps.db.query('SELECT to_status FROM order_events WHERE order_id = $1 ORDER BY id', [id]);
  assert.deepEqual(
    events.rows.map((r) => r.to_status),
    [0, 14],
  );
});

test(
  'expiry closes pending orders after the TTL, ' + 'writes no ledger entry, and a closed order cannot be paid',
  async () => {
    const m = await newMerchant(env, { brand: 'Slow' });
    const id = await createOrder(m.merchantId, m.securityKey, 'EXP-1', '3');
    assert.equal(await expireDueOrders(env.deps), 0);
    env.clock.advance(env.deps.config.orderTtlSeconds + 1);
    try {
      assert.ok((await expireDueOrders(env.deps)) >= 1);
    } finally {
      env.clock.advance(-(env.deps.config.orderTtlSeconds + 1));
    }
    const { rows } = await env.deps.db.query('SELECT status, remark FROM orders WHERE id = $1', [id]);
    assert.deepEqual([rows[0].status, rows[0].remark], [15, 'expired']);
    await assert.rejects(completeOrder(env.deps, id, { rail: 'sandbox' }), /cannot go from 15 to 14/);
    const je = await env.deps.db.query('SELECT count(*)::int AS n FROM journal_entries WHERE order_id = $1', [id]);
    assert.equal(je.rows[0].n, 0);
    const detail = await sandboxSettle(env, id, 'complete');
    assert.equal(detail.body.code, 20004);
  },
);
