// Issue 12, operator console: webhook delivery health across merchants in one query, per destination: failing
// counts, backlog and its oldest age, last error; a failing receiver next to a healthy one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, webhookReceiver, until, type TestEnv } from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { completeOrder } from '../src/core/payments.js';
import { webhookHealth } from '../src/core/console-webhook-health.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

let env: TestEnv;
let dispatcher: Dispatcher;
before(async () => {
  // A long second step: failed deliveries stay pending (the backlog) for the length of the test.
  env = await startTestEnv({ TENDER_WEBHOOK_BACKOFF: '0,600' });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await dispatcher.stop();
  await env.close();
});

let seq = 0;
async function paidOrder(m: MerchantCredentials) {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: `WH-${++seq}`,
    createTime: String(Date.now()),
    userId: 'u',
    amount: '3',
    cryptoCurrency: 'USDT',
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0);
  await completeOrder(env.deps, r.body.data.orderId, { rail: 'sandbox' });
}

test(
  'issue 12: webhook health tells a failing destination from a ' + 'healthy one, with backlog, age and last error',
  async () => {
    const bad = await webhookReceiver([{ status: 503, body: 'down for maintenance' }]);
    const good = await webhookReceiver([{ status: 200, body: 'success' }]);
    try {
      const m1 = await newMerchant(env, { callbackUrl: bad.url });
      const m2 = await newMerchant(env, { callbackUrl: bad.url, brand: 'Second' });
      const m3 = await newMerchant(env, { callbackUrl: good.url, brand: 'Healthy' });
      for (const m of [m1, m2, m2]) await paidOrder(m);
      for (const m of [m3, m3]) await paidOrder(m);
      await bad.waitFor(1);
      await good.waitFor(2);
      const origin = (u: string) => new URL(u).origin;
      const health = await until('both destinations reported', async () => {
        const h = await webhookHealth(env.deps);
        const b = h.destinations.find((d) => d.destination === origin(bad.url));
        const g = h.destinations.find((d) => d.destination === origin(good.url));
        return b && g && g.deliveredDeliveries === 2 && b.failedAttempts >= 1 ? { b, g, h } : undefined;
      });
      env.clock.advance(90);
      const later = await webhookHealth(env.deps);
      const b = later.destinations.find((d) => d.destination === origin(bad.url))!;
      const g = health.g;
      assert.ok(b.state === 'failing' || b.state === 'deferred', b.state);
      assert.equal(b.merchants, 2);
      assert.equal(b.backlog, 3);
      assert.ok(b.oldestPendingSeconds! >= 90, 'the age follows the clock');
      assert.ok(b.consecutiveFailures >= 1);
      assert.match(b.lastError ?? '', /503/);
      assert.equal(b.deliveredDeliveries, 0);
      assert.equal(g.state, 'healthy');
      assert.equal(g.backlog, 0);
      assert.equal(g.oldestPendingSeconds, null);
      assert.equal(g.failedAttempts, 0);
      assert.equal(g.merchants, 1);
      assert.ok(g.lastDeliveredAt);
      assert.equal(later.destinations[0]!.destination, origin(bad.url), 'failing destinations first');

      const res = await fetch(`${env.url}/admin/webhook-health?hours=1`, {
        headers: { authorization: `Bearer ${env.adminToken}` },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as any;
      assert.ok(body.destinations.some((d: any) => d.destination === origin(good.url)));
      const badHours = await fetch(`${env.url}/admin/webhook-health?hours=-1`, {
        headers: { authorization: `Bearer ${env.adminToken}` },
      });
      assert.equal(badHours.status, 400);
    } finally {
      await bad.close();
      await good.close();
    }
  },
);
