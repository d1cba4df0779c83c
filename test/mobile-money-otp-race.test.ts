// Issue 9 defect 8: the OTP attempt limit under concurrency. The connector's check, the attempt count and
// the verdict's effects (order status, ledger entry, webhook row, attempt state) are one transaction under
// the order and attempt row locks, so concurrent codes are checked one after another and none is checked
// after the failure the limit causes. Real PostgreSQL; the page tests go through real HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, type TestEnv } from './harness.js';
import { startMobileMoneyPayment, submitMobileMoneyOtp } from '../src/core/mobile-money.js';
import { SANDBOX_OTP, TEST_NUMBERS } from '../src/rails/mobile-money/index.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { cinetpayOrder, pageForm, recordingRail, snapshot } from './mobile-money-fixture.js';

let env: TestEnv;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env, { brand: 'Boutique' });
});
after(async () => {
  await env.close();
});

const WRONG = '000000';
const orange = { operator: 'ORANGE', phonePrefix: '225', phone: TEST_NUMBERS.SUCCESS };

/** Waits for `p`, failing after `ms` (a generous bound against a hang, not a speed check). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The one consistent end of an OTP payment that failed on the attempt limit. */
function assertFailedOnLimit(s: Awaited<ReturnType<typeof snapshot>>, label: string): void {
  assert.equal(s.status, 15, `${label}: order CLOSED`);
  assert.equal(s.attempt?.state, 'failed', label);
  assert.equal(s.attempt?.failure, 'otp_error', label);
  assert.equal(s.attempt?.otp_attempts, 3, `${label}: exactly 3 codes counted`);
  assert.deepEqual(s.events, [0, 11, 15], `${label}: one status change to CLOSED`);
  assert.deepEqual(s.hooks, [11, 15], `${label}: one notification of the failure`);
  assert.equal(s.ledgerEntries, 0, `${label}: nothing credited`);
}

test('defect 9.8: 30 concurrent wrong OTPs on the hosted page count exactly 3 and fail the payment once', async () => {
  const o = await cinetpayOrder(env, m);
  const start = await pageForm(env.url, o.token, 'mobile-money', {
    operator: 'ORANGE',
    phone_prefix: '225',
    phone: TEST_NUMBERS.SUCCESS,
  });
  assert.equal(start.status, 303);
  assert.equal((await snapshot(env.deps.db, o.id)).status, 11);
  const answers = await Promise.all(
    Array.from({ length: 30 }, () => pageForm(env.url, o.token, 'otp', { otp: WRONG, lang: 'en' })),
  );
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([303]), 'every submission answered');
  assertFailedOnLimit(await snapshot(env.deps.db, o.id), 'page');
  // The right code afterwards changes nothing.
  await pageForm(env.url, o.token, 'otp', { otp: SANDBOX_OTP });
  assertFailedOnLimit(await snapshot(env.deps.db, o.id), 'page, right code afterwards');
});

test('defect 9.8: 30 concurrent wrong OTPs ask the connector exactly 3 times', async () => {
  const rail = recordingRail();
  const o = await cinetpayOrder(env, m);
  await startMobileMoneyPayment(env.deps, o.id, orange, rail);
  const views = await Promise.all(Array.from({ length: 30 }, () => submitMobileMoneyOtp(env.deps, o.id, WRONG, rail)));
  assert.equal(rail.otps.length, 3, `the connector checked ${rail.otps.length} codes`);
  assert.deepEqual(
    views
      .map((v) => v.otpAttemptsLeft)
      .filter((n) => n !== undefined)
      .sort(),
    [1, 2],
    'two answers said "retry" (2 then 1 left); every other one saw the final state',
  );
  assertFailedOnLimit(await snapshot(env.deps.db, o.id), 'core');
});

test(
  'defect 9.8: the right code after the limit never ' + 'completes the order (20 trials, 3 to 7 wrong codes)',
  async () => {
    for (let trial = 0; trial < 20; trial++) {
      const wrongCodes = 3 + (trial % 5);
      let limitReached!: () => void;
      const reached = new Promise<void>((r) => (limitReached = r));
      // Resolves as soon as the connector has given the failing verdict of the third wrong code, before
      // that verdict's transaction commits: the right code is submitted inside the old crash window.
      const rail = recordingRail((otp, out) => {
        if (otp === WRONG && out.kind === 'failed') limitReached();
      });
      const o = await cinetpayOrder(env, m, `T${trial}`);
      await startMobileMoneyPayment(env.deps, o.id, orange, rail);
      const wrong = Array.from({ length: wrongCodes }, () => submitMobileMoneyOtp(env.deps, o.id, WRONG, rail));
      await within(reached, 20_000, `trial ${trial}: the connector never refused a wrong code`);
      const right = await submitMobileMoneyOtp(env.deps, o.id, SANDBOX_OTP, rail);
      await Promise.all(wrong);
      assert.notEqual(right.order.status, 14, `trial ${trial}: the right code completed the order`);
      assert.ok(!rail.otps.includes(SANDBOX_OTP), `trial ${trial}: the right code was checked after the limit`);
      assertFailedOnLimit(await snapshot(env.deps.db, o.id), `trial ${trial} (${wrongCodes} wrong)`);
    }
  },
);

test(
  'defect 9.8: wrong and right codes racing on the page end consistently: completed only if the right ' +
    'code came before the limit (20 trials)',
  async () => {
    for (let trial = 0; trial < 20; trial++) {
      const wrongCodes = 3 + (trial % 5);
      const o = await cinetpayOrder(env, m, `P${trial}`);
      await pageForm(env.url, o.token, 'mobile-money', {
        operator: 'ORANGE',
        phone_prefix: '225',
        phone: orange.phone,
      });
      const wrong = Array.from({ length: wrongCodes }, () => pageForm(env.url, o.token, 'otp', { otp: WRONG }));
      const right = pageForm(env.url, o.token, 'otp', { otp: SANDBOX_OTP });
      await Promise.all([...wrong, right]);
      const s = await snapshot(env.deps.db, o.id);
      const label = `trial ${trial} (${wrongCodes} wrong)`;
      if (s.status === 14) {
        assert.equal(s.attempt?.state, 'succeeded', label);
        assert.ok(
          s.attempt!.otp_attempts < 3,
          `${label}: completed after ${s.attempt!.otp_attempts} counted wrong codes`,
        );
        assert.deepEqual(s.events, [0, 11, 14], label);
        assert.deepEqual(s.hooks, [11, 14], label);
        assert.equal(s.ledgerEntries, 1, label);
      } else assertFailedOnLimit(s, label);
    }
  },
);
