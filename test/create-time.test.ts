// Issue 10.5: createTime in milliseconds (the text), seconds (seed 001's PHP demo) and yyyyMMddHHmmss UTC
// (its Java demo) is accepted, told apart by shape and magnitude, and held to the replay window alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, getJson, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { createTimeMs, createTimeUnit } from '../src/domain/create-time.js';

let env: TestEnv;
let m: MerchantCredentials;
// A 10-minute window, so an hour's error in reading yyyyMMddHHmmss (local time instead of UTC) is refused.
before(async () => {
  env = await startTestEnv({ TENDER_REPLAY_WINDOW_SECONDS: '600' });
  m = await newMerchant(env);
});
after(async () => {
  await env.close();
});

const seconds = (ms: number) => String(Math.floor(ms / 1000));
/** yyyyMMddHHmmss in UTC, as the Java demo's '20220726100218'. */
const calendar = (ms: number) => new Date(ms).toISOString().replace(/[-T:]/g, '').slice(0, 14);

const createOrder = (tradeNo: string, createTime: string) =>
  postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed(
      {
        merchantId: String(m.merchantId),
        merchantTradeNo: tradeNo,
        createTime,
        userId: 'u-1',
        amount: '3',
        cryptoCurrency: 'USDT',
      },
      m.securityKey,
    ),
  );

const detail = (tradeNo: string, createTime: string) =>
  getJson(
    `${env.url}/openapi/v1/getOrderDetail`,
    signed({ merchantId: String(m.merchantId), merchantTradeNo: tradeNo, createTime }, m.securityKey),
  );

test('issue 10.5: the three units are told apart by shape and magnitude', () => {
  assert.equal(createTimeUnit('1653669353000'), 'ms');
  assert.equal(createTimeUnit('1658387195'), 's');
  assert.equal(createTimeUnit('20220726100218'), 'yyyyMMddHHmmss');
  assert.equal(createTimeMs('1658387195'), 1658387195000);
  assert.equal(createTimeMs('20220726100218'), Date.UTC(2022, 6, 26, 10, 2, 18));
  assert.equal(createTimeMs('1653669353000'), 1653669353000);
  for (const bad of ['', '-1', '1e12', '12.5', ' 1658387195', '20220231100218', '20221301000000', '20220726240000'])
    assert.throws(() => createTimeMs(bad), { code: 'INVALID_PARAM' }, bad);
});

test(
  'issue 10.5: createOrder accepts createTime in seconds ' + 'and as yyyyMMddHHmmss (UTC), and stores milliseconds',
  async () => {
    const now = env.clock.now().getTime();
    const cases = [
      ['CT-MS', String(now)],
      ['CT-S', seconds(now)],
      ['CT-CAL', calendar(now)],
    ] as const;
    for (const [tradeNo, createTime] of cases) {
      const r = await createOrder(tradeNo, createTime);
      assert.equal(r.body.code, 0, `${tradeNo} ${createTime}: ${JSON.stringify(r.body)}`);
      const { rows } = await env.deps.db.query('SELECT create_time_ms::text AS t FROM orders WHERE id = $1', [
        r.body.data.orderId,
      ]);
      assert.ok(Math.abs(Number(rows[0].t) - now) < 1000, `${tradeNo}: stored ${rows[0].t}, sent ${createTime}`);
    }
    // The idempotent repeat with the same order in another unit is the same order (createTime is not fingerprinted).
    const again = await createOrder('CT-MS', seconds(now + 3000));
    assert.equal(again.body.code, 0, JSON.stringify(again.body));
  },
);

test('issue 10.5: each unit is held to the replay window, on createOrder and on signed reads', async () => {
  const now = env.clock.now().getTime();
  assert.equal((await createOrder('CT-READ', String(now))).body.code, 0);
  for (const offset of [-3600_000, 3600_000]) {
    const t = now + offset;
    for (const createTime of [String(t), seconds(t), calendar(t)]) {
      assert.equal((await createOrder(`CT-OLD-${createTime}`, createTime)).body.code, 10005, createTime);
      assert.equal((await detail('CT-READ', createTime)).body.code, 10005, `read ${createTime}`);
    }
  }
  // A local-time reading of yyyyMMddHHmmss would be hours off; UTC is inside the window.
  for (const createTime of [String(now), seconds(now), calendar(now)])
    assert.equal((await detail('CT-READ', createTime)).body.code, 0, `read ${createTime}`);
  // Not a time in any unit: refused as a bad parameter, never as a replay.
  assert.equal((await createOrder('CT-BAD', '20221332000000')).body.code, 10011);
  assert.equal((await createOrder('CT-BAD', 'yesterday')).body.code, 10011);
});
