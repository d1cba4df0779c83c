// Issue 10.1 (webhooks) and 10.8: every webhook Tender sends, in both cpay formats, at fee 0 and at a fee,
// for completed, closed and expired orders, verifies under every signature recipe the CPay demos use —
// so it carries no empty field and no bare "0" — and writes amounts in the CPay reference's style.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, webhookReceiver, until, type TestEnv } from './harness.js';
import { sandboxSettle } from './sandbox-settle.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { SIGNATURE_RECIPES, canonicalString, signParams } from '../src/domain/signature.js';
import { expireDueOrders } from '../src/core/payments.js';
import { cpayAmount } from '../src/domain/cpay-fields.js';
import { verifyCpayWebhook } from '../sdk/src/webhooks.js';
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

async function order(m: MerchantCredentials, tradeNo: string, amount: string) {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: tradeNo,
    createTime: String(env.clock.now().getTime()),
    userId: 'u-1',
    amount,
    cryptoCurrency: 'USDT',
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.data as { orderId: string };
}

/** The signed fields and `sign` of a received webhook, values as text (how the demos read JSON scalars). */
function received(form: URLSearchParams): { fields: Record<string, string>; sign: string; json?: any } {
  const param = form.get('param');
  if (param !== null) {
    const json = JSON.parse(param);
    const { sign, ...rest } = json;
    return { fields: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)])), sign, json };
  }
  const fields = Object.fromEntries(form.entries());
  const { sign, ...rest } = fields;
  return { fields: rest, sign: sign! };
}

test(
  'issue 10.1: webhooks of both cpay formats, at fee 0 and at a fee, completed, closed and expired, ' +
    'verify under every recipe',
  async () => {
    const cases: Array<{ label: string; format: 'cpay' | 'cpay-legacy'; feeBps: number }> = [
      { label: 'cpay fee 0', format: 'cpay', feeBps: 0 },
      { label: 'cpay fee 1.5%', format: 'cpay', feeBps: 150 },
      { label: 'legacy fee 0', format: 'cpay-legacy', feeBps: 0 },
      { label: 'legacy fee 1.5%', format: 'cpay-legacy', feeBps: 150 },
    ];
    const rx = await webhookReceiver([{ status: 200, body: 'OK' }]);
    try {
      const merchants = new Map<string, MerchantCredentials>();
      const expiring: string[] = [];
      for (const c of cases) {
        const m = await newMerchant(env, { callbackUrl: rx.url, webhookFormat: c.format, feeBps: c.feeBps });
        merchants.set(String(m.merchantId), m);
        const done = await order(m, `DONE-${m.merchantId}`, '100');
        assert.equal((await sandboxSettle(env, done.orderId, 'complete')).body.code, 0);
        const closed = await order(m, `CLOSED-${m.merchantId}`, '22.33');
        assert.equal((await sandboxSettle(env, closed.orderId, 'fail')).body.code, 0);
        expiring.push((await order(m, `EXPIRED-${m.merchantId}`, '0.5')).orderId);
      }
      // Past every order's expiry: the expirer closes the still-pending ones with remark "expired".
      env.clock.advance(3 * 24 * 3600);
      assert.ok((await expireDueOrders(env.deps)) >= expiring.length);
      // Every order notified once at least (a receiver answer a format does not take only adds retries).
      const calls = await until('a webhook for every order', async () => {
        const orders = new Set(rx.calls.map((c) => received(c.form).fields.orderId));
        return orders.size >= cases.length * 3 ? [...rx.calls] : undefined;
      });
      let checked = 0;
      for (const call of calls) {
        const { fields, sign } = received(call.form);
        const m = merchants.get(fields.merchantId!);
        assert.ok(m, `a webhook of a merchant of this test: ${call.body}`);
        for (const [k, v] of Object.entries(fields)) {
          assert.notEqual(v, '', `${k} is empty in ${call.body}`);
          assert.notEqual(v, '0', `${k} is a bare "0" in ${call.body}`);
        }
        // Each recipe computed on its own, as the Go, Java and PHP demos would.
        for (const recipe of SIGNATURE_RECIPES)
          assert.equal(
            sign,
            signParams(fields, m.securityKey, recipe),
            `${recipe}: ${canonicalString(fields, '…', recipe)}`,
          );
        // Tender's SDK verifies it and reports the text recipe.
        assert.equal(verifyCpayWebhook(call.body, m.securityKey).recipe, 'text');
        checked++;
      }
      assert.ok(checked >= cases.length * 3);
      const statuses = calls.map((c) => received(c.form).fields.orderStatus);
      assert.ok(statuses.includes('14') && statuses.includes('15'));
      assert.ok(
        calls.some((c) => received(c.form).fields.remark === 'expired'),
        'an expired order was notified',
      );
    } finally {
      env.clock.offsetMs = 0;
      await rx.close();
    }
  },
);

test('issue 10.8: CPay amounts have at least two decimals, more when needed, never a bare "0"', () => {
  assert.equal(cpayAmount(0n, 6), '0.00');
  assert.equal(cpayAmount(100_000_000n, 6), '100.00');
  assert.equal(cpayAmount(2233n, 2), '22.33');
  assert.equal(cpayAmount(2_177_175n, 5), '21.77175');
  assert.equal(cpayAmount(1n, 8), '0.00000001');
  assert.equal(cpayAmount(5n, 1), '0.50');
  assert.equal(cpayAmount(1500n, 0), '1500.00');
});

test(
  'issue 10.8: webhooks and openapi answers write amounts "100.00", ' + '"0.00", "22.33" as the CPay reference does',
  async () => {
    const rx = await webhookReceiver([{ status: 200, body: 'success' }]);
    try {
      const m = await newMerchant(env, { callbackUrl: rx.url, webhookFormat: 'cpay', feeBps: 0 });
      const o = await order(m, 'STYLE-1', '100');
      const done = await sandboxSettle(env, o.orderId, 'complete');
      assert.equal(done.body.data.orderAmount, '100.00');
      assert.equal(done.body.data.actualAmount, '100.00');
      assert.equal(done.body.data.serviceFee, '0.00');
      assert.equal(done.body.data.pledgeAmount, '0.00');
      const [call] = await rx.waitFor(1);
      const { json } = received(call!.form);
      assert.equal(json.orderAmount, '100.00');
      assert.equal(json.receivedAmount, '100.00');
      assert.equal(json.serviceFee, '0.00');
      assert.equal(json.fee, '0.00');
      // Numbers stay numbers in the cpay JSON (the reference's types); empty fields are left out.
      assert.equal(json.orderStatus, 14);
      assert.equal(json.merchantId, m.merchantId);
      assert.equal('hash' in json, false, 'an empty hash is left out, not sent as ""');
      const m2 = await newMerchant(env, { callbackUrl: rx.url, webhookFormat: 'cpay-legacy', feeBps: 150 });
      const o2 = await order(m2, 'STYLE-2', '22.33');
      await sandboxSettle(env, o2.orderId, 'complete');
      const calls = await rx.waitFor(2);
      const legacy = calls.map((c) => c.form).find((f) => f.get('orderId') === o2.orderId)!;
      assert.equal(legacy.get('actualAmount'), '22.33');
      assert.equal(legacy.get('fee'), '0.33495');
      assert.equal(legacy.get('receivedAmount'), '21.99505');
    } finally {
      await rx.close();
    }
  },
);
