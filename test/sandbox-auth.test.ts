// Defect 10: the sandbox helper API (/sandbox/orders/:id/complete|fail) sends a signed "paid" webhook, so it
// needs the operator's admin token or the owning merchant's signature; an order id alone (shown on the public
// page) is not enough. And a sandbox reachable beyond loopback must be asked for by name (TENDER_MODE).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, type TestEnv } from './harness.js';
import { sandboxSettle } from './sandbox-settle.js';
import { isLoopbackHost, loadConfig } from '../src/config.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

let env: TestEnv;
let m: MerchantCredentials;
let other: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env);
  other = await newMerchant(env, { brand: 'Other' });
});
after(async () => {
  await env?.close();
});

let seq = 0;
async function pendingOrder(mc: MerchantCredentials = m): Promise<string> {
  const p = {
    merchantId: String(mc.merchantId),
    merchantTradeNo: `SB-${++seq}`,
    createTime: String(env.clock.now().getTime()),
    userId: 'u',
    amount: '3',
    cryptoCurrency: 'USDT',
  };
  const { body } = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, mc.securityKey));
  assert.equal(body.code, 0, JSON.stringify(body));
  return String(body.data.orderId);
}

const statusOf = async (orderId: string) =>
  (await env.deps.db.query<{ status: number }>('SELECT status FROM orders WHERE id = $1', [orderId])).rows[0]!.status;

const settleParams = (mc: MerchantCredentials, orderId: string, extra: Record<string, string> = {}) => ({
  merchantId: String(mc.merchantId),
  orderId,
  createTime: String(env.clock.now().getTime()),
  ...extra,
});

test('defect 9.10: an order id alone cannot complete or fail a sandbox order', async () => {
  const id = await pendingOrder();
  for (const outcome of ['complete', 'fail']) {
    const r = await postForm(`${env.url}/sandbox/orders/${id}/${outcome}`, {});
    assert.equal(r.status, 200);
    assert.equal(r.body.code, 10001, JSON.stringify(r.body));
    assert.equal(r.body.data, null);
  }
  // Knowing a merchant id is not enough either.
  const noSign = await postForm(`${env.url}/sandbox/orders/${id}/complete`, { merchantId: String(m.merchantId) });
  assert.equal(noSign.body.code, 10003);
  const forged = await postForm(`${env.url}/sandbox/orders/${id}/complete`, {
    ...settleParams(m, id),
    sign: 'a'.repeat(64),
  });
  assert.equal(forged.body.code, 10004);
  assert.equal(await statusOf(id), 0, 'the order is still pending');
});

test('defect 9.10: a wrong admin token is refused with 10007 and not tried as a signature', async () => {
  const id = await pendingOrder();
  for (const authorization of ['Bearer nope', `Basic ${env.adminToken}`, 'Bearer ']) {
    const res = await fetch(`${env.url}/sandbox/orders/${id}/complete`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(signed(settleParams(m, id), m.securityKey)).toString(),
    });
    assert.equal(((await res.json()) as any).code, 10007, authorization);
  }
  assert.equal(await statusOf(id), 0);
});

test('defect 9.10: the operator settles any order with the admin token', async () => {
  const a = await pendingOrder(m);
  const b = await pendingOrder(other);
  const paid = await sandboxSettle(env, a, 'complete');
  assert.equal(paid.body.code, 0, JSON.stringify(paid.body));
  assert.equal(paid.body.data.status, '14');
  const failed = await sandboxSettle(env, b, 'fail');
  assert.equal(failed.body.data.status, '15');
  const missing = await sandboxSettle(env, 'no-such-order', 'complete');
  assert.equal(missing.body.code, 20002);
});

test("defect 9.10: a merchant settles its own order by signature, never another merchant's", async () => {
  const mine = await pendingOrder(m);
  const theirs = await pendingOrder(other);
  const stolen = await postForm(
    `${env.url}/sandbox/orders/${theirs}/complete`,
    signed(settleParams(m, theirs), m.securityKey),
  );
  assert.equal(stolen.body.code, 20002, JSON.stringify(stolen.body));
  assert.equal(await statusOf(theirs), 0);

  const ok = await postForm(`${env.url}/sandbox/orders/${mine}/complete`, signed(settleParams(m, mine), m.securityKey));
  assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
  assert.equal(ok.body.data.status, '14');
  // The same via a JSON body and via the query string.
  const viaJson = await pendingOrder(m);
  const res = await fetch(`${env.url}/sandbox/orders/${viaJson}/fail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signed(settleParams(m, viaJson), m.securityKey)),
  });
  assert.equal(((await res.json()) as any).data.status, '15');
  const viaQuery = await pendingOrder(m);
  const q = new URLSearchParams(signed(settleParams(m, viaQuery), m.securityKey));
  const res2 = await fetch(`${env.url}/sandbox/orders/${viaQuery}/complete?${q}`, { method: 'POST' });
  assert.equal(((await res2.json()) as any).data.status, '14');
});

test('defect 9.10: a signature names its order and time: it cannot be replayed on another order or later', async () => {
  const a = await pendingOrder();
  const b = await pendingOrder();
  const forA = signed(settleParams(m, a), m.securityKey);
  const replayed = await postForm(`${env.url}/sandbox/orders/${b}/complete`, forA);
  assert.equal(replayed.body.code, 10011, JSON.stringify(replayed.body));
  const noOrder = await postForm(
    `${env.url}/sandbox/orders/${b}/complete`,
    signed({ merchantId: String(m.merchantId), createTime: String(Date.now()) }, m.securityKey),
  );
  assert.equal(noOrder.body.code, 10010);
  const old = String(env.clock.now().getTime() - 2 * 86_400_000);
  const stale = await postForm(
    `${env.url}/sandbox/orders/${b}/complete`,
    signed(settleParams(m, b, { createTime: old }), m.securityKey),
  );
  assert.equal(stale.body.code, 10005);
  assert.equal(await statusOf(b), 0);
});

test('defect 9.10: in live mode the sandbox helper API does not exist', async () => {
  const live = await startTestEnv({ TENDER_MODE: 'live' });
  try {
    const res = await fetch(`${live.url}/sandbox/orders/x/complete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${live.adminToken}` },
    });
    assert.equal(res.status, 404);
  } finally {
    await live.close();
  }
});

test('defect 9.10: loopback host names and addresses are told apart from everything else', () => {
  for (const h of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])
    assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '', '10.0.0.1', '128.0.0.1', 'pay.example.com', 'localhost.example.com'])
    assert.equal(isLoopbackHost(h), false, h);
});

test('defect 9.10: without TENDER_MODE, sandbox refuses a non-loopback HOST or public URL', () => {
  const base = { TENDER_DATA_DIR: '/tmp/unused' };
  assert.equal(loadConfig(base).mode, 'sandbox', 'loopback defaults stay a sandbox');
  assert.equal(loadConfig({ ...base, HOST: '::1', TENDER_PUBLIC_URL: 'http://localhost:8080' }).mode, 'sandbox');
  for (const extra of [
    { HOST: '0.0.0.0' },
    { HOST: '::' },
    { HOST: '192.168.1.4' },
    { TENDER_PUBLIC_URL: 'https://pay.example.com' },
    { HOST: '127.0.0.1', TENDER_PUBLIC_URL: 'http://10.1.2.3:8080/' },
    { HOST: '0.0.0.0', TENDER_MODE: '' },
  ]) {
    assert.throws(
      () => loadConfig({ ...base, ...extra }),
      /TENDER_MODE is not set.*TENDER_MODE=live/s,
      JSON.stringify(extra),
    );
  }
  const publicSandbox = loadConfig({
    ...base,
    HOST: '0.0.0.0',
    TENDER_PUBLIC_URL: 'https://sb.example',
    TENDER_MODE: 'sandbox',
  });
  assert.equal(publicSandbox.mode, 'sandbox', 'asked for by name');
  assert.equal(loadConfig({ ...base, HOST: '0.0.0.0', TENDER_MODE: 'live' }).mode, 'live');
  assert.throws(() => loadConfig({ ...base, TENDER_PUBLIC_URL: 'pay.example.com' }), /TENDER_PUBLIC_URL must be/);
});
