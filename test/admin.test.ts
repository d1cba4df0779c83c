// The operator API: bearer token, merchant onboarding and settings, order inspection, webhook resend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, signed, postForm, getJson, type TestEnv } from './harness.js';
import { sandboxSettle } from './sandbox-settle.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.close();
});

const admin = (path: string, method = 'GET', body?: unknown, token = env.adminToken) =>
  fetch(`${env.url}/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

test('the admin token is required', async () => {
  assert.equal((await admin('/merchants', 'POST', {}, 'wrong')).status, 401);
  assert.equal((await fetch(`${env.url}/admin/merchants/1`)).status, 401);
});

test('onboard a merchant, change settings, rotate its key, inspect and resend', async () => {
  const res = await admin('/merchants', 'POST', {
    brand: 'Ops Shop',
    company: 'Ops Ltd',
    website: 'https://ops.example',
    email: 'a@ops.example',
    feeBps: 100,
  });
  assert.equal(res.status, 200);
  const creds = (await res.json()) as any;
  for (const k of ['merchantId', 'username', 'password', 'securityKey', 'merchantSecret']) assert.ok(creds[k], k);
  assert.equal(typeof creds.merchantId, 'number');

  const view = (await (await admin(`/merchants/${creds.merchantId}`)).json()) as any;
  assert.equal(view.feeBps, 100);
  assert.deepEqual(view.allowedHosts, ['ops.example', 'www.ops.example']);
  const text = JSON.stringify(view);
  for (const secret of [creds.password, creds.securityKey, creds.merchantSecret])
    assert.ok(!text.includes(secret), 'no secret in the view');
  assert.ok(!text.includes('scrypt'), 'no password hash in the view');

  const patched = (await (
    await admin(`/merchants/${creds.merchantId}`, 'PATCH', {
      webhookFormat: 'cpay-legacy',
      allowedHosts: ['pay.ops.example'],
    })
  ).json()) as any;
  assert.equal(patched.webhookFormat, 'cpay-legacy');
  assert.deepEqual(patched.allowedHosts, ['pay.ops.example']);
  assert.equal((await admin(`/merchants/${creds.merchantId}`, 'PATCH', { webhookFormat: 'xml' })).status, 400);
  assert.equal((await admin(`/merchants/${creds.merchantId}`, 'PATCH', '{oops')).status, 400);
  assert.equal((await admin('/merchants/424242', 'PATCH', { feeBps: 1 })).status, 404);

  const p = {
    merchantId: String(creds.merchantId),
    merchantTradeNo: 'ADM-1',
    createTime: String(Date.now()),
    userId: 'u',
    amount: '1',
    cryptoCurrency: 'ETH',
  };
  const created = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, creds.securityKey));
  const orderId = created.body.data.orderId;
  await sandboxSettle(env, orderId, 'complete');
  const detail = (await (await admin(`/orders/${orderId}`)).json()) as any;
  assert.equal(detail.order.orderStatus, 14);
  assert.deepEqual(
    detail.events.map((e: any) => e.to_status),
    [0, 14],
  );
  assert.equal(detail.webhooks.length, 1);
  const resend = (await (await admin(`/orders/${orderId}/webhooks/resend`, 'POST', {})).json()) as any;
  assert.ok(resend.deliveryId);
  assert.equal((await admin('/orders/nope/webhooks/resend', 'POST', {})).status, 404);

  const rotated = (await (await admin(`/merchants/${creds.merchantId}/rotate-key`, 'POST', {})).json()) as any;
  const bal = (key: string) =>
    getJson(`${env.url}/openapi/v1/getMerchantBalance`, signed({ merchantId: String(creds.merchantId) }, key));
  assert.equal((await bal(creds.securityKey)).body.code, 10004);
  assert.equal((await bal(rotated.securityKey)).body.code, 0);
});

test('bad onboarding input is refused with a clear error', async () => {
  const r = await admin('/merchants', 'POST', { brand: 'X', company: 'Y', website: 'ftp://nope', email: 'a@b.c' });
  assert.equal(r.status, 400);
  assert.match(((await r.json()) as any).message, /website/);
  const r2 = await admin('/merchants', 'POST', {
    brand: 'X',
    company: 'Y',
    website: 'https://x.example',
    email: 'not-an-email',
  });
  assert.equal(r2.status, 400);
  const r3 = await admin('/merchants', 'POST', { company: 'Y', website: 'https://x.example', email: 'a@b.c' });
  assert.equal(r3.status, 400);
});

test('deposit address listing: empty without crypto configuration, bad filters refused', async () => {
  const r = await admin('/deposit-addresses?balances=1');
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), []);
  assert.equal((await admin('/deposit-addresses?merchantId=abc')).status, 400);
});

test('operator fields of the wrong type are refused, never ignored or cast', async () => {
  const m = (await (
    await admin('/merchants', 'POST', {
      brand: 'Typed',
      company: 'T',
      website: 'https://typed.example',
      email: 'a@typed.example',
    })
  ).json()) as any;
  for (const patch of [
    { allowedHosts: 'typed.example' },
    { allowedHosts: [1, 2] },
    { feeBps: '100' },
    { feeBps: 1.5 },
    { callbackUrl: 5 },
    { webhookFormat: [] },
    { defaultCurrency: 5 },
  ]) {
    const r = await admin(`/merchants/${m.merchantId}`, 'PATCH', patch);
    assert.equal(r.status, 400, JSON.stringify(patch));
    assert.equal(((await r.json()) as any).error, 'INVALID_PARAM', JSON.stringify(patch));
  }
  const base = { brand: 'B', company: 'C', website: 'https://b.example', email: 'a@b.example' };
  for (const extra of [{ feeBps: '100' }, { allowedHosts: [{}] }, { allowedHosts: 'b.example' }, { brand: 7 }]) {
    const r = await admin('/merchants', 'POST', { ...base, ...extra });
    assert.equal(r.status, 400, JSON.stringify(extra));
  }
  const patched = (await (
    await admin(`/merchants/${m.merchantId}`, 'PATCH', { allowedHosts: ['Pay.Typed.Example'], callbackUrl: null })
  ).json()) as any;
  assert.deepEqual(patched.allowedHosts, ['pay.typed.example']);
  assert.equal(patched.callbackUrl, null);
});
