// Issue 9 defect 9: crash windows in mobile money. Start, OTP settlement and polling settlement each write
// the attempt's state and the order's status change (ledger entry, webhook row) in one transaction; start's
// connector call sits between an 'initiating' record and that transaction, and the poller's recovery (or the
// customer's next submit) finishes an interrupted start. A crash is simulated by a trigger that makes the
// second write fail inside its transaction; every test then checks no attempt disagrees with its order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, type TestEnv } from './harness.js';
import {
  pollMobileMoney,
  recoverMobileMoney,
  startMobileMoneyPayment,
  submitMobileMoneyOtp,
} from '../src/core/mobile-money.js';
import { expireDueOrders } from '../src/core/payments.js';
import { startMobileMoneyPoller } from '../src/workers/mobile-money-poller.js';
import { findMobileMoney } from '../src/store/mobile-money-repo.js';
import { SANDBOX_OTP, TEST_NUMBERS, sandboxMobileMoney } from '../src/rails/mobile-money/index.js';
import { TenderError } from '../src/domain/errors.js';
import type { MobileMoneyRail } from '../src/rails/rail.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import {
  cinetpayOrder,
  crashOnce,
  inconsistentAttempts,
  pageForm,
  recordingRail,
  snapshot,
} from './mobile-money-fixture.js';

let env: TestEnv;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env, { brand: 'Boutique' });
});
after(async () => {
  await env.close();
});

const orange = { operator: 'ORANGE', phonePrefix: '225', phone: TEST_NUMBERS.SUCCESS };
const mtn = { operator: 'MTN', phonePrefix: '225', phone: TEST_NUMBERS.SUCCESS };
const consistent = async () => assert.deepEqual(await inconsistentAttempts(env.deps.db), []);

test(
  'defect 9.9: a crash between the connector answer and PENDING → PROCESSING leaves no confirming ' +
    'attempt; the poller recovery finishes the start and the payment completes',
  async () => {
    const o = await cinetpayOrder(env, m);
    const rail = recordingRail();
    const uncrash = await crashOnce(env.deps.db, 'start', 'orders', `OLD.id = '${o.id}' AND NEW.status = 11`);
    try {
      await assert.rejects(startMobileMoneyPayment(env.deps, o.id, orange, rail), /simulated crash/);
    } finally {
      await uncrash();
    }
    let s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 0, 'the order is still waiting');
    assert.equal(s.attempt?.state, 'initiating', 'the attempt is still initiating');
    assert.equal(s.attempt?.operator_id, null, "the connector's answer was not recorded either");
    assert.deepEqual(s.events, [0]);
    assert.deepEqual(s.hooks, []);
    assert.equal(await findMobileMoney(env.deps.db, o.id), undefined, 'nothing to show the customer or merchant');
    await consistent();

    const poller = startMobileMoneyPoller(env.deps, 60_000);
    try {
      await poller.runOnce();
      assert.equal((await snapshot(env.deps.db, o.id)).attempt?.state, 'initiating', 'not taken as interrupted yet');
      env.clock.advance(61);
      await poller.runOnce();
    } finally {
      await poller.stop();
    }
    s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 11, 'recovered: the customer is confirming');
    assert.equal(s.attempt?.state, 'confirming');
    assert.match(s.attempt!.operator_id!, /^OM\d{12}\.\d{6}$/);
    assert.deepEqual(s.events, [0, 11]);
    assert.deepEqual(s.hooks, [11]);
    await consistent();
    await pageForm(env.url, o.token, 'otp', { otp: SANDBOX_OTP });
    s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 14);
    assert.equal(s.attempt?.state, 'succeeded');
    assert.equal(s.ledgerEntries, 1);
    await consistent();
  },
);

test(
  'defect 9.9: a connector answer lost on the way (network error) is asked again by the next submit; ' +
    'the operator reference is the same',
  async () => {
    const o = await cinetpayOrder(env, m);
    const answers: string[] = [];
    let lose = true;
    const rail: MobileMoneyRail = {
      ...sandboxMobileMoney,
      async initiate(req) {
        const r = await sandboxMobileMoney.initiate(req);
        answers.push(r.operatorId);
        if (lose) {
          lose = false;
          throw new Error('socket hang up');
        }
        return r;
      },
    };
    await assert.rejects(startMobileMoneyPayment(env.deps, o.id, orange, rail), /socket hang up/);
    assert.equal((await snapshot(env.deps.db, o.id)).attempt?.state, 'initiating');
    await consistent();
    // The customer submits again (even with another operator: the first attempt stands).
    const v = await startMobileMoneyPayment(env.deps, o.id, mtn, rail);
    assert.equal(v.order.status, 11);
    assert.equal(v.attempt?.operator, 'ORANGE');
    assert.equal(answers.length, 2);
    assert.equal(answers[1], answers[0], 'the connector was asked for the same collection');
    assert.equal(v.attempt?.operator_id, answers[0]);
    await consistent();
  },
);

test('defect 9.9: a connector refusal forgets the attempt, so the customer can start again', async () => {
  const o = await cinetpayOrder(env, m);
  const refusing: MobileMoneyRail = {
    ...sandboxMobileMoney,
    async initiate() {
      throw new TenderError('INVALID_PARAM', 'the operator refused this number');
    },
  };
  await assert.rejects(startMobileMoneyPayment(env.deps, o.id, orange, refusing), /refused this number/);
  const s = await snapshot(env.deps.db, o.id);
  assert.equal(s.status, 0);
  assert.equal(s.attempt, undefined);
  const v = await startMobileMoneyPayment(env.deps, o.id, mtn);
  assert.equal(v.order.status, 11);
  assert.equal(v.attempt?.operator, 'MTN');
  await consistent();
});

test(
  'defect 9.9: a start interrupted on an order that then expires is failed by the recovery without ' +
    'asking the connector again',
  async () => {
    const o = await cinetpayOrder(env, m);
    const rail = recordingRail();
    const uncrash = await crashOnce(env.deps.db, 'expire', 'orders', `OLD.id = '${o.id}' AND NEW.status = 11`);
    try {
      await assert.rejects(startMobileMoneyPayment(env.deps, o.id, orange, rail), /simulated crash/);
    } finally {
      await uncrash();
    }
    env.clock.advance(env.deps.config.orderTtlSeconds + 1);
    assert.ok((await expireDueOrders(env.deps)) >= 1);
    assert.ok((await recoverMobileMoney(env.deps, 50, rail)).includes(o.id), 'the recovery took the attempt');
    const s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 15);
    assert.equal(s.attempt?.state, 'failed');
    assert.equal(s.attempt?.failure, 'order_not_pending');
    assert.deepEqual(rail.initiations, [o.id], 'the connector was asked once, before the crash');
    await consistent();
  },
);

test(
  'defect 9.9: a crash while writing the OTP verdict leaves order and attempt as they were; the code is ' +
    'accepted when sent again',
  async () => {
    const o = await cinetpayOrder(env, m);
    await pageForm(env.url, o.token, 'mobile-money', { operator: 'ORANGE', phone_prefix: '225', phone: orange.phone });
    await pageForm(env.url, o.token, 'otp', { otp: '000000' });
    // Between the order's change and the attempt's: the old code had committed the order by then.
    const uncrash = await crashOnce(
      env.deps.db,
      'otp',
      'mobile_money_payments',
      `OLD.order_id = '${o.id}' AND NEW.state = 'succeeded'`,
    );
    try {
      const r = await pageForm(env.url, o.token, 'otp', { otp: SANDBOX_OTP });
      assert.equal(r.status, 500);
    } finally {
      await uncrash();
    }
    let s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 11);
    assert.equal(s.attempt?.state, 'confirming');
    assert.equal(s.attempt?.otp_attempts, 1, 'only the wrong code counted');
    assert.deepEqual(s.events, [0, 11]);
    assert.deepEqual(s.hooks, [11]);
    assert.equal(s.ledgerEntries, 0);
    await consistent();
    await submitMobileMoneyOtp(env.deps, o.id, SANDBOX_OTP);
    s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 14);
    assert.equal(s.attempt?.state, 'succeeded');
    assert.deepEqual(s.events, [0, 11, 14]);
    assert.deepEqual(s.hooks, [11, 14]);
    assert.equal(s.ledgerEntries, 1);
    await consistent();
  },
);

test(
  'defect 9.9: a crash while failing the payment on the third wrong code keeps the count at 2; the next ' +
    'wrong code fails it',
  async () => {
    const o = await cinetpayOrder(env, m);
    await startMobileMoneyPayment(env.deps, o.id, orange);
    for (let i = 0; i < 2; i++) await submitMobileMoneyOtp(env.deps, o.id, '000000');
    const uncrash = await crashOnce(
      env.deps.db,
      'third',
      'mobile_money_payments',
      `OLD.order_id = '${o.id}' AND NEW.state = 'failed'`,
    );
    try {
      await assert.rejects(submitMobileMoneyOtp(env.deps, o.id, '000000'), /simulated crash/);
    } finally {
      await uncrash();
    }
    let s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 11);
    assert.equal(s.attempt?.otp_attempts, 2);
    await consistent();
    await submitMobileMoneyOtp(env.deps, o.id, '000000');
    s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 15);
    assert.equal(s.attempt?.state, 'failed');
    assert.equal(s.attempt?.otp_attempts, 3);
    assert.deepEqual(s.events, [0, 11, 15]);
    await consistent();
  },
);

test(
  'defect 9.9: a crash while writing a polled approval leaves order and attempt as they were; the next ' +
    'poll settles both',
  async () => {
    const o = await cinetpayOrder(env, m);
    await startMobileMoneyPayment(env.deps, o.id, mtn);
    env.clock.advance(3);
    const uncrash = await crashOnce(
      env.deps.db,
      'poll',
      'mobile_money_payments',
      `OLD.order_id = '${o.id}' AND NEW.state = 'succeeded'`,
    );
    try {
      await assert.rejects(pollMobileMoney(env.deps, o.id), /simulated crash/);
    } finally {
      await uncrash();
    }
    let s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 11);
    assert.equal(s.attempt?.state, 'confirming');
    assert.deepEqual(s.hooks, [11]);
    await consistent();
    await pollMobileMoney(env.deps, o.id);
    s = await snapshot(env.deps.db, o.id);
    assert.equal(s.status, 14);
    assert.equal(s.attempt?.state, 'succeeded');
    assert.deepEqual(s.events, [0, 11, 14]);
    assert.equal(s.ledgerEntries, 1);
    await consistent();
  },
);

test(
  'defect 9.9: attempts the old two-transaction code left confirming on orders that are not PROCESSING ' +
    'are repaired by the poller',
  async () => {
    // What the old start left when it crashed between inserting the attempt and PENDING → PROCESSING ...
    const stuck = await cinetpayOrder(env, m);
    const at = env.clock.now();
    await env.deps.db.query(
      `INSERT INTO mobile_money_payments (order_id, connector, operator, payment_method, phone_prefix, phone,
       confirmation, operator_id, state, deadline, created_at, updated_at)
     VALUES ($1, 'mobile-money-sandbox', 'ORANGE', 'OMCIV2', '225', $2, 'otp', 'OM000000000000.000001',
       'confirming', $3, $4, $4)`,
      [stuck.id, TEST_NUMBERS.SUCCESS, new Date(at.getTime() + 120_000), at],
    );
    // ... and when it crashed between completing the order and marking the attempt succeeded.
    const paid = await cinetpayOrder(env, m);
    await startMobileMoneyPayment(env.deps, paid.id, orange);
    await submitMobileMoneyOtp(env.deps, paid.id, SANDBOX_OTP);
    await env.deps.db.query(`UPDATE mobile_money_payments SET state = 'confirming' WHERE order_id = $1`, [paid.id]);
    assert.equal((await inconsistentAttempts(env.deps.db)).length, 2);

    const poller = startMobileMoneyPoller(env.deps, 60_000);
    try {
      await poller.runOnce();
    } finally {
      await poller.stop();
    }
    await consistent();
    const s = await snapshot(env.deps.db, stuck.id);
    assert.equal(s.status, 11, 'the stuck order can be paid again');
    assert.equal((await snapshot(env.deps.db, paid.id)).attempt?.state, 'succeeded');
    await pageForm(env.url, stuck.token, 'otp', { otp: SANDBOX_OTP });
    assert.equal((await snapshot(env.deps.db, stuck.id)).status, 14);
    await consistent();
  },
);
