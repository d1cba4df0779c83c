// Webhooks end to end: outbox row in the status-change transaction, signed POST in both formats,
// retries on CPay's schedule (shortened by TENDER_WEBHOOK_BACKOFF), every attempt recorded, resend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, webhookReceiver, sleep, type TestEnv } from './harness.js';
import { sandboxSettle } from './sandbox-settle.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { signParams } from '../src/domain/signature.js';
import { markProcessing, completeOrder, closeOrder } from '../src/core/payments.js';
import { resendOrderWebhook } from '../src/core/webhooks.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

let env: TestEnv;
let dispatcher: Dispatcher;
before(async () => {
  env = await startTestEnv({ TENDER_WEBHOOK_BACKOFF: '0,1,1' });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await dispatcher.stop();
  await env.close();
});

async function order(m: MerchantCredentials, tradeNo: string, extra: Record<string, string> = {}) {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: tradeNo,
    createTime: String(Date.now()),
    userId: 'u-9',
    amount: '50',
    cryptoCurrency: 'USDT',
    ...extra,
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.data as { orderId: string };
}

const attempts = async (orderId: string) =>
  (
    await env.deps.db.query(
      `SELECT d.state, d.order_status, a.attempt_no, a.http_status, a.ok, a.duration_ms, a.response_body
      FROM webhook_deliveries d
   LEFT JOIN webhook_attempts a ON a.delivery_id = d.id WHERE d.order_id = $1 ORDER BY d.id, a.attempt_no`,
      [orderId],
    )
  ).rows;

async function waitState(orderId: string, state: string, n = 1) {
  for (let i = 0; i < 200; i++) {
    const { rows } = await env.deps.db.query(
      'SELECT count(*)::int AS n FROM webhook_deliveries WHERE order_id = $1 AND state = $2',
      [orderId, state],
    );
    if (rows[0].n >= n) return;
    await sleep(50);
  }
  throw new Error(`deliveries of ${orderId} never reached ${state}: ${JSON.stringify(await attempts(orderId))}`);
}

test(
  'cpay format: one `param` field with signed JSON; ' + 'a failing receiver is retried until it answers success',
  async () => {
    const rx = await webhookReceiver([
      { status: 500, body: 'oops' },
      { status: 200, body: 'fail' },
      { status: 200, body: 'success' },
    ]);
    try {
      const m = await newMerchant(env, { callbackUrl: rx.url, feeBps: 100 });
      const o = await order(m, 'WH-1');
      await sandboxSettle(env, o.orderId, 'complete');
      const calls = await rx.waitFor(3);
      await waitState(o.orderId, 'delivered');
      for (const c of calls) assert.deepEqual([...c.form.keys()], ['param']);
      const payload = JSON.parse(calls[2]!.form.get('param')!);
      assert.equal(payload.orderId, o.orderId);
      assert.equal(payload.orderStatus, 14);
      assert.equal(payload.merchantId, m.merchantId);
      assert.equal(payload.orderAmount, '50.00', 'issue 10.8: CPay amount style');
      assert.equal(payload.fee, '0.50');
      assert.equal(payload.serviceFee, '0.50');
      assert.equal(payload.receivedAmount, '49.50');
      assert.equal(payload.actualAmount, '50.00');
      assert.equal(payload.currency, 'USDT');
      const { sign, ...rest } = payload;
      const asStrings = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)]));
      assert.equal(sign, signParams(asStrings, m.securityKey), 'the webhook is signed with the merchant key');
      // The retries honour the schedule: attempt 2 waits ~1 s after attempt 1.
      assert.ok(calls[1]!.at - calls[0]!.at >= 900, `retry came after ${calls[1]!.at - calls[0]!.at} ms`);
      const rows = await attempts(o.orderId);
      assert.deepEqual(
        rows.map((r) => [r.attempt_no, r.http_status, r.ok]),
        [
          [1, 500, false],
          [2, 200, false],
          [3, 200, true],
        ],
      );
      assert.ok(rows.every((r) => r.duration_ms >= 0));
      assert.equal(rows[0].response_body, 'oops');
      await sleep(300);
      assert.equal(rx.calls.length, 3, 'nothing more is sent once acknowledged');
    } finally {
      await rx.close();
    }
  },
);

test('cpay-legacy format: top-level form fields, sent for 11, 14 and 15, answer OK', async () => {
  const rx = await webhookReceiver([{ status: 200, body: 'OK' }]);
  try {
    const m = await newMerchant(env, { callbackUrl: rx.url, webhookFormat: 'cpay-legacy' });
    const o = await order(m, 'WH-L1');
    await markProcessing(env.deps, o.orderId, { rail: 'sandbox', hash: '0xabc', network: 'TRON(TRC-20)' });
    await completeOrder(env.deps, o.orderId, { rail: 'sandbox' });
    const o2 = await order(m, 'WH-L2');
    await closeOrder(env.deps, o2.orderId, 'declined');
    const calls = await rx.waitFor(3);
    await waitState(o.orderId, 'delivered', 2);
    const statuses = calls.map((c) => c.form.get('orderStatus'));
    assert.deepEqual(statuses.slice().sort(), ['11', '14', '15']);
    const first = calls.find((c) => c.form.get('orderId') === o.orderId)!;
    assert.equal(first.form.get('orderStatus'), '11', 'PROCESSING is delivered before COMPLETED');
    for (const c of calls) {
      const fields = Object.fromEntries(c.form.entries());
      assert.equal(fields.merchantId, String(m.merchantId));
      assert.equal(fields.sign, signParams(fields, m.securityKey));
      assert.equal(fields.param, undefined);
    }
    assert.equal(first.form.get('hash'), '0xabc');
  } finally {
    await rx.close();
  }
});

test('cpay format notifies only final states; order callbackURL beats the merchant one', async () => {
  const merchantRx = await webhookReceiver([{ status: 200, body: 'success' }]);
  const orderRx = await webhookReceiver([{ status: 200, body: 'success' }]);
  try {
    const m = await newMerchant(env, { callbackUrl: merchantRx.url });
    const o = await order(m, 'WH-2', { callBackURL: orderRx.url });
    await markProcessing(env.deps, o.orderId, { rail: 'sandbox' });
    await closeOrder(env.deps, o.orderId, 'declined');
    const calls = await orderRx.waitFor(1);
    await sleep(300);
    assert.equal(calls.length, 1);
    assert.equal(JSON.parse(calls[0]!.form.get('param')!).orderStatus, 15);
    assert.equal(merchantRx.calls.length, 0);
  } finally {
    await merchantRx.close();
    await orderRx.close();
  }
});

test('a receiver that never acknowledges is given up after the schedule; resend starts again', async () => {
  const rx = await webhookReceiver([
    { status: 503, body: '' },
    { status: 503, body: '' },
    { status: 503, body: '' },
    { status: 200, body: 'success' },
  ]);
  try {
    const m = await newMerchant(env, { callbackUrl: rx.url });
    const o = await order(m, 'WH-3');
    await completeOrder(env.deps, o.orderId, { rail: 'sandbox' });
    await waitState(o.orderId, 'failed');
    assert.equal(rx.calls.length, 3, 'three attempts for a three-step schedule');
    await resendOrderWebhook(env.deps, o.orderId);
    await waitState(o.orderId, 'delivered');
    assert.equal(rx.calls.length, 4);
  } finally {
    await rx.close();
  }
});

test('a timeout or a refused connection counts as a failed attempt', async () => {
  const m = await newMerchant(env, { callbackUrl: 'http://127.0.0.1:9/nothing-listens-here' });
  const o = await order(m, 'WH-4');
  await completeOrder(env.deps, o.orderId, { rail: 'sandbox' });
  await waitState(o.orderId, 'failed');
  const rows = await attempts(o.orderId);
  assert.equal(rows.length, 3);
  assert.ok(rows.every((r) => r.ok === false && r.http_status === null));
});

test('a receiver slower than TENDER_WEBHOOK_TIMEOUT_MS times out and is retried', async () => {
  const rx = await webhookReceiver([
    { status: 200, body: 'success', delayMs: 1500 },
    { status: 200, body: 'success' },
  ]);
  const saved = env.deps.config.webhookTimeoutMs;
  env.deps.config.webhookTimeoutMs = 300;
  try {
    const m = await newMerchant(env, { callbackUrl: rx.url });
    const o = await order(m, 'WH-6');
    await completeOrder(env.deps, o.orderId, { rail: 'sandbox' });
    await waitState(o.orderId, 'delivered');
    const rows = await attempts(o.orderId);
    assert.equal(rows.length, 2);
    assert.equal(rows[0].ok, false);
    assert.equal(rows[0].http_status, null);
    assert.equal(rows[1].ok, true);
  } finally {
    env.deps.config.webhookTimeoutMs = saved;
    await rx.close();
  }
});

test('no callback URL anywhere: the delivery is recorded as no_url and nothing is sent', async () => {
  const m = await newMerchant(env);
  const o = await order(m, 'WH-5');
  await completeOrder(env.deps, o.orderId, { rail: 'sandbox' });
  const { rows } = await env.deps.db.query('SELECT state FROM webhook_deliveries WHERE order_id = $1', [o.orderId]);
  assert.deepEqual(
    rows.map((r) => r.state),
    ['no_url'],
  );
});
