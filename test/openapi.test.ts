// The openapi dialect over real HTTP on a real PostgreSQL: auth failures, validation, idempotency,
// races, cross-merchant isolation, balances, key rotation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, getJson, postJson, type TestEnv } from './harness.js';
import { sandboxSettle } from './sandbox-settle.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { rotateSecurityKey } from '../src/core/merchants.js';

let env: TestEnv;
let m: MerchantCredentials;
let other: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env);
  other = await newMerchant(env, { brand: 'Other' });
});
after(async () => {
  await env.close();
});

const orderParams = (mc: MerchantCredentials, tradeNo: string, extra: Record<string, string> = {}) => ({
  merchantId: String(mc.merchantId),
  merchantTradeNo: tradeNo,
  createTime: String(env.clock.now().getTime()),
  userId: 'user-1',
  amount: '12.5',
  cryptoCurrency: 'USDT',
  ...extra,
});
const create = (mc: MerchantCredentials, p: Record<string, string>) =>
  postForm(`${env.url}/openapi/v1/createOrder`, signed(p, mc.securityKey));

test('createOrder returns a pending order with both field generations and a cashier URL', async () => {
  const { status, body } = await create(
    m,
    orderParams(m, 'A-1', { successURL: 'https://shop.example/ok', callbackURL: 'http://127.0.0.1:9/hook' }),
  );
  assert.equal(status, 200);
  assert.equal(body.code, 0, JSON.stringify(body));
  assert.match(body.traceid, /^\d{12}X\d{7}$/);
  const d = body.data;
  assert.equal(d.status, '0');
  assert.equal(d.orderStatus, 0);
  assert.equal(d.orderAmount, '12.50', 'issue 10.8: CPay amount style');
  assert.equal(d.cryptoCurrency, 'USDT');
  assert.equal(d.merchantTradeNo, 'A-1');
  assert.equal(d.merchantId, String(m.merchantId));
  assert.equal(d.fee, d.serviceFee);
  assert.equal(d.actualAmount, '0.00', 'issue 10.8: never a bare "0"');
  assert.ok(d.cashierURL.startsWith(`${env.url}/pay/`));
  const page = await fetch(d.cashierURL);
  assert.equal(page.status, 200);
});

test('parameters are accepted from the query string, a form body and a JSON body alike', async () => {
  const q = signed(orderParams(m, 'Q-1'), m.securityKey);
  const viaQuery = (await (
    await fetch(`${env.url}/openapi/v1/createOrder?${new URLSearchParams(q)}`, { method: 'POST' })
  ).json()) as any;
  assert.equal(viaQuery.code, 0, JSON.stringify(viaQuery));
  const j = signed(orderParams(m, 'J-1'), m.securityKey);
  const viaJson = await postJson(`${env.url}/openapi/v1/createOrder`, j);
  assert.equal(viaJson.body.code, 0, JSON.stringify(viaJson.body));
  // JSON numbers are signed as their raw text.
  const raw = orderParams(m, 'J-2');
  const s = signed(raw, m.securityKey).sign;
  const text =
    `{"merchantId": ${raw.merchantId}, "merchantTradeNo": "J-2", "createTime":` +
    ` ${raw.createTime}, "userId": "user-1", "amount": "12.5", "cryptoCurrency": "USDT", "sign":` +
    ` "${s}"}`;
  const viaRawJson = await postJson(`${env.url}/openapi/v1/createOrder`, text);
  assert.equal(viaRawJson.body.code, 0, JSON.stringify(viaRawJson.body));
});

test('authentication failures each have their own code, never a 500', async () => {
  const p = orderParams(m, 'AUTH-1');
  const noMerchant = await postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed({ ...p, merchantId: '' }, m.securityKey),
  );
  assert.deepEqual([noMerchant.status, noMerchant.body.code], [200, 10001]);
  const unknown = await postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed({ ...p, merchantId: '99999999' }, m.securityKey),
  );
  assert.equal(unknown.body.code, 10002);
  const notNumeric = await postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed({ ...p, merchantId: 'abc' }, m.securityKey),
  );
  assert.equal(notNumeric.body.code, 10002);
  const noSign = await postForm(`${env.url}/openapi/v1/createOrder`, p);
  assert.equal(noSign.body.code, 10003);
  const badSign = await postForm(`${env.url}/openapi/v1/createOrder`, { ...p, sign: 'f'.repeat(64) });
  assert.equal(badSign.body.code, 10004);
  const otherKey = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, other.securityKey));
  assert.equal(otherKey.body.code, 10004);
  const tampered = signed(p, m.securityKey);
  tampered.amount = '1000';
  assert.equal((await postForm(`${env.url}/openapi/v1/createOrder`, tampered)).body.code, 10004);
  for (const r of [noMerchant, unknown, noSign, badSign]) {
    assert.equal(r.body.data, null);
    assert.ok(r.body.msg);
    assert.ok(r.body.traceid);
  }
});

test('every mandatory field is checked with a clear code and message', async () => {
  for (const f of ['merchantTradeNo', 'createTime', 'userId', 'amount', 'cryptoCurrency']) {
    const p = orderParams(m, `MISS-${f}`);
    delete (p as Record<string, string>)[f];
    const r = await create(m, p);
    assert.equal(r.body.code, 10010, `${f}: ${JSON.stringify(r.body)}`);
    assert.match(r.body.msg, new RegExp(f));
  }
  const cases: Array<[Record<string, string>, number]> = [
    [{ amount: '-1' }, 10011],
    [{ amount: 'abc' }, 10011],
    [{ amount: '0' }, 10011],
    [{ amount: '1.123456789' }, 10011],
    [{ amount: '1e5' }, 10011],
    [{ cryptoCurrency: 'DOGE' }, 10013],
    [{ cryptoCurrency: 'USD' }, 10013],
    [{ createTime: 'yesterday' }, 10011],
    [{ createTime: String(Date.now() - 25 * 3600 * 1000) }, 10005],
    [{ createTime: String(Date.now() + 25 * 3600 * 1000) }, 10005],
    [{ successURL: 'https://evil.example/x' }, 10020],
    [{ failURL: 'javascript:alert(1)' }, 10011],
    [{ callbackURL: 'not a url' }, 10011],
    [{ merchantTradeNo: 'x'.repeat(65) }, 10011],
    [{ merchantTradeNo: 'has space' }, 10011],
    [{ network: 'Solana' }, 10013],
  ];
  for (const [extra, code] of cases) {
    // merchantTradeNo has a strict charset (defect 12), so the case's value is folded into it.
    const tradeNo = `BAD-${code}-${Object.values(extra)[0]!.slice(0, 20)}`.replace(/[^A-Za-z0-9_.:-]/g, '_');
    const r = await create(m, orderParams(m, tradeNo, extra));
    assert.equal(r.status, 200);
    assert.equal(r.body.code, code, `${JSON.stringify(extra)} → ${JSON.stringify(r.body)}`);
  }
});

test('the same request again returns the same order; different fields are refused', async () => {
  const p = orderParams(m, 'IDEM-1');
  const a = await create(m, p);
  const b = await create(m, { ...p, createTime: String(Number(p.createTime) + 5000) });
  assert.equal(a.body.data.orderId, b.body.data.orderId);
  const c = await create(m, { ...p, amount: '13' });
  assert.equal(c.body.code, 20001);
  // The same merchantTradeNo at another merchant is another order.
  const d = await create(other, orderParams(other, 'IDEM-1'));
  assert.equal(d.body.code, 0);
  assert.notEqual(d.body.data.orderId, a.body.data.orderId);
});

test('concurrent duplicates produce exactly one order', async () => {
  const p = orderParams(m, 'RACE-1');
  const results = await Promise.all(Array.from({ length: 20 }, () => create(m, p)));
  const ids = new Set(results.map((r) => r.body.data?.orderId));
  assert.equal(ids.size, 1, JSON.stringify(results.map((r) => r.body.code)));
  const { rows } = await env.deps.db.query('SELECT count(*)::int AS n FROM orders WHERE merchant_trade_no = $1', [
    'RACE-1',
  ]);
  assert.equal(rows[0].n, 1);
  const ev = await env.deps.db.query(
    'SELECT count(*)::int AS n FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.merchant_trade_no = $1',
    ['RACE-1'],
  );
  assert.equal(ev.rows[0].n, 1);
});

test("getOrderDetail by merchantTradeNo, cpayOrderId; never another merchant's order", async () => {
  const created = (await create(m, orderParams(m, 'DETAIL-1'))).body.data;
  const q = (mc: MerchantCredentials, extra: Record<string, string>) =>
    getJson(
      `${env.url}/openapi/v1/getOrderDetail`,
      signed({ merchantId: String(mc.merchantId), ...extra }, mc.securityKey),
    );
  const byTrade = await q(m, { merchantTradeNo: 'DETAIL-1' });
  assert.equal(byTrade.body.data.orderId, created.orderId);
  const byId = await q(m, { cpayOrderId: created.orderId });
  assert.equal(byId.body.data.merchantTradeNo, 'DETAIL-1');
  assert.equal((await q(other, { cpayOrderId: created.orderId })).body.code, 20002);
  assert.equal((await q(other, { merchantTradeNo: 'DETAIL-1' })).body.code, 20002);
  assert.equal((await q(m, {})).body.code, 10010);
  assert.equal((await q(m, { hash: 'deadbeef' })).body.code, 20002);
});

test(
  'sandbox payment completes the order, credits the balance, ' + 'and a completed order never changes again',
  async () => {
    const created = (await create(m, orderParams(m, 'PAY-1', { amount: '100' }))).body.data;
    const done = await sandboxSettle(env, created.orderId, 'complete');
    assert.equal(done.body.data.status, '14');
    assert.equal(done.body.data.actualAmount, '100.00');
    const again = await sandboxSettle(env, created.orderId, 'fail');
    assert.equal(again.body.code, 20004);
    const detail = await getJson(
      `${env.url}/openapi/v1/getOrderDetail`,
      signed({ merchantId: String(m.merchantId), cpayOrderId: created.orderId }, m.securityKey),
    );
    assert.equal(detail.body.data.orderStatus, 14);
    const bal = await getJson(
      `${env.url}/openapi/v1/getMerchantBalance`,
      signed({ merchantId: String(m.merchantId) }, m.securityKey),
    );
    assert.equal(bal.body.code, 0);
    const usdt = bal.body.data.find((r: any) => r.cryptoCurrency === 'USDT');
    assert.ok(Number(usdt.availableBalance) >= 100);
    assert.equal(usdt.freezeBalance, '0.00');
    assert.ok(bal.body.data.some((r: any) => r.cryptoCurrency === 'BTC'));
  },
);

test('key rotation: the old key stops working, the new one works', async () => {
  const mc = await newMerchant(env, { brand: 'Rotator' });
  const p = { merchantId: String(mc.merchantId) };
  assert.equal((await getJson(`${env.url}/openapi/v1/getMerchantBalance`, signed(p, mc.securityKey))).body.code, 0);
  const { securityKey } = await rotateSecurityKey(env.deps, String(mc.merchantId));
  assert.notEqual(securityKey, mc.securityKey);
  assert.equal((await getJson(`${env.url}/openapi/v1/getMerchantBalance`, signed(p, mc.securityKey))).body.code, 10004);
  assert.equal((await getJson(`${env.url}/openapi/v1/getMerchantBalance`, signed(p, securityKey))).body.code, 0);
});

test('malformed bodies and unknown paths answer cleanly', async () => {
  const bad = await fetch(`${env.url}/openapi/v1/createOrder`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"merchantId":',
  });
  assert.equal(bad.status, 200);
  assert.equal(((await bad.json()) as any).code, 10012);
  const arr = await fetch(`${env.url}/openapi/v1/createOrder`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '[1,2]',
  });
  assert.equal(((await arr.json()) as any).code, 10012);
  const big = await fetch(`${env.url}/openapi/v1/createOrder`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}`,
  });
  assert.equal(big.status, 413);
  const unknownPath = await fetch(`${env.url}/openapi/v1/nothing`);
  assert.equal(unknownPath.status, 404);
  const dup = await fetch(`${env.url}/openapi/v1/getMerchantBalance?merchantId=1&merchantId=2`);
  assert.equal(((await dup.json()) as any).code, 10011);
});

test('the doubled path of seed 001 §5 is served too', async () => {
  const r = await getJson(
    `${env.url}/openapi/v1/openapi/v1/getMerchantBalance`,
    signed({ merchantId: String(m.merchantId) }, m.securityKey),
  );
  assert.equal(r.body.code, 0);
});
