// The background poller settles mobile-money payments nobody is watching: an approval on the phone
// completes the order, a customer timeout fails it, and the merchant is notified either way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, type TestEnv } from './harness.js';
import { cinetpayOrder as mmOrder } from './mobile-money-fixture.js';
import { startMobileMoneyPoller } from '../src/workers/mobile-money-poller.js';
import { startMobileMoneyPayment } from '../src/core/mobile-money.js';
import { TEST_NUMBERS } from '../src/rails/mobile-money/index.js';
import { findOrder } from '../src/store/orders-repo.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

let env: TestEnv;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env, { brand: 'Boutique' });
});
after(async () => {
  await env.close();
});

/** A CinetPay mobile-money order's id (test/mobile-money-fixture.ts). */
const cinetpayOrder = async (prefix: string) => (await mmOrder(env, m, prefix)).id;

test('push approval and customer timeout are settled by the poller alone', async () => {
  const approved = await cinetpayOrder('POLL-1');
  const abandoned = await cinetpayOrder('POLL-2');
  await startMobileMoneyPayment(env.deps, approved, {
    operator: 'MTN',
    phonePrefix: '225',
    phone: TEST_NUMBERS.SUCCESS,
  });
  await startMobileMoneyPayment(env.deps, abandoned, {
    operator: 'WAVE',
    phonePrefix: '221',
    phone: TEST_NUMBERS.CUSTOMER_TIMEOUT,
  });
  const poller = startMobileMoneyPoller(env.deps, 60_000);
  try {
    await poller.runOnce();
    assert.equal((await findOrder(env.deps.db, { by: 'id', id: approved }))!.status, 11, 'not approved yet');
    env.clock.advance(3);
    await poller.runOnce();
    assert.equal((await findOrder(env.deps.db, { by: 'id', id: approved }))!.status, 14);
    assert.equal(
      (await findOrder(env.deps.db, { by: 'id', id: abandoned }))!.status,
      11,
      'still inside its confirmation window',
    );
    env.clock.advance(121);
    await poller.runOnce();
    assert.equal((await findOrder(env.deps.db, { by: 'id', id: abandoned }))!.status, 15);
    assert.equal(await poller.runOnce(), 0, 'nothing left to poll');
    const hooks = await env.deps.db.query(
      `SELECT order_id, order_status FROM webhook_deliveries WHERE order_id = ANY($1) ORDER BY id`,
      [[approved, abandoned]],
    );
    assert.deepEqual(
      hooks.rows
        .filter((h) => h.order_status === 14 || h.order_status === 15)
        .map((h) => [h.order_id, h.order_status])
        .sort(),
      [
        [approved, 14],
        [abandoned, 15],
      ].sort(),
    );
  } finally {
    await poller.stop();
  }
});

test(
  'the poller reaches every waiting payment: 55 OTP payments still pending do not keep a newer push ' +
    'approval from settling',
  async () => {
    // More waiting payments than one pass takes (50). A pass used to take the 50 least recently updated, and a
    // pending verdict updates nothing, so the same 50 came back every pass and a newer approval waited.
    const waiting: string[] = [];
    for (let i = 0; i < 55; i++) {
      const id = await cinetpayOrder(`WAIT-${i}`);
      await startMobileMoneyPayment(env.deps, id, {
        operator: 'ORANGE',
        phonePrefix: '225',
        phone: TEST_NUMBERS.SUCCESS,
      });
      waiting.push(id);
    }
    const approved = await cinetpayOrder('POLL-LATE');
    await startMobileMoneyPayment(env.deps, approved, {
      operator: 'MTN',
      phonePrefix: '225',
      phone: TEST_NUMBERS.SUCCESS,
    });
    env.clock.advance(3);
    const poller = startMobileMoneyPoller(env.deps, 60_000);
    try {
      await poller.runOnce();
      await poller.runOnce();
    } finally {
      await poller.stop();
    }
    assert.equal((await findOrder(env.deps.db, { by: 'id', id: approved }))!.status, 14, 'reached within two passes');
    const { rows } = await env.deps.db.query(
      'SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status = 11',
      [waiting],
    );
    assert.equal(rows[0].n, 55, 'the OTP payments still wait for their code');
  },
);
