// Blind SSRF (issue 9, defect 11) and the sandbox marker (defect 10, webhook part). In live mode callback
// URLs that reach loopback, private or metadata addresses are refused at registration and, after DNS
// resolution, at delivery; the operator allow-list lets internal receivers through. Sandbox deliveries say
// so in a header outside the signed fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { lookup } from 'node:dns/promises';
import {
  startTestEnv,
  newMerchant,
  postForm,
  postJson,
  signed,
  until,
  webhookReceiver,
  type TestEnv,
} from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { completeOrder } from '../src/core/payments.js';
import { updateSettings } from '../src/core/merchants.js';
import { signParams } from '../src/domain/signature.js';
import { destinationOf, parseAllowList } from '../src/domain/destination-policy.js';
import { destinationHealth } from '../src/store/webhooks-repo.js';
import { attemptsOf, openOrder } from './webhook-test-kit.js';

let env: TestEnv;
let dispatcher: Dispatcher;
before(async () => {
  env = await startTestEnv({ TENDER_WEBHOOK_BACKOFF: '0,60' });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await dispatcher.stop();
  await env.close();
});

/** Runs `f` with the instance in live mode (and an allow-list), then back to sandbox. */
async function live<T>(f: () => Promise<T>, allow = ''): Promise<T> {
  const c = env.deps.config;
  c.mode = 'live';
  c.webhookAllowPrivate = parseAllowList(allow);
  try {
    return await f();
  } finally {
    c.mode = 'sandbox';
    c.webhookAllowPrivate = parseAllowList('');
  }
}

const firstAttempt = (orderId: string) =>
  until(`the attempt of ${orderId}`, async () => (await attemptsOf(env, orderId))[0]);

const REFUSED = [
  'http://127.0.0.1:8080/hook',
  'http://127.9.9.9/hook',
  'http://localhost/hook',
  'http://hooks.localhost/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.5/hook',
  'http://172.16.3.4/hook',
  'http://192.168.1.1/hook',
  'http://100.64.0.1/hook',
  'http://0.0.0.0/hook',
  'http://224.0.0.1/hook',
  'http://255.255.255.255/hook',
  'http://[::1]/hook',
  'http://[::]/hook',
  'http://[fd00::1]/hook',
  'http://[fe80::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:169.254.169.254]/hook',
  'http://[64:ff9b::a9fe:a9fe]/hook',
  'http://0x7f.1/hook',
  'http://2130706433/hook',
];

test('defect 9.11: live mode refuses loopback, private and metadata callback URLs at registration', async () => {
  await live(async () => {
    for (const url of REFUSED) {
      await assert.rejects(newMerchant(env, { callbackUrl: url }), /not allowed/, `${url} must be refused`);
    }
    // Public addresses and names that do not resolve (yet) are accepted; delivery checks again.
    await newMerchant(env, { callbackUrl: 'https://93.184.215.14/hook' });
    await newMerchant(env, { callbackUrl: 'https://hooks.tender-test.invalid/hook' });
    await newMerchant(env, { callbackUrl: 'http://[64:ff9b::5db8:d70e]/hook' });
    // Changing the setting later is checked the same way.
    const m = await newMerchant(env, { callbackUrl: 'https://93.184.215.14/hook' });
    await assert.rejects(
      updateSettings(env.deps, String(m.merchantId), { callbackUrl: 'http://169.254.169.254/' }),
      /link-local/,
    );
  });
  // Sandbox keeps loopback receivers working.
  await newMerchant(env, { callbackUrl: 'http://127.0.0.1:8080/hook' });
});

test(
  'defect 9.11: live mode refuses, at registration, ' + 'a name that resolves only to non-public addresses',
  async (t) => {
    // This machine's own name resolves to a loopback or private address on Debian (127.0.1.1), in
    // containers (a private address) and in CI VMs; skip only where it would be public.
    const name = hostname().toLowerCase();
    const addrs = await lookup(name, { all: true }).catch(() => []);
    const local = /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|fe80:|fd)/;
    if (!addrs.length || !addrs.every((a) => local.test(a.address))) {
      t.skip(`${name} resolves to ${JSON.stringify(addrs)}`);
      return;
    }
    await live(async () => {
      await assert.rejects(
        newMerchant(env, { callbackUrl: `http://${name}:8080/hook` }),
        /resolves to no allowed address/,
      );
    });
  },
);

test('defect 9.11: per-order callbackURL and CinetPay notify_url are refused in live mode', async () => {
  const m = await newMerchant(env);
  await live(async () => {
    const p = {
      merchantId: String(m.merchantId),
      merchantTradeNo: 'SSRF-ORDER-1',
      createTime: String(Date.now()),
      userId: 'u-1',
      amount: '10',
      cryptoCurrency: 'USDT',
      callBackURL: 'http://169.254.169.254/latest/meta-data/',
    };
    const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
    assert.notEqual(r.body.code, 0, JSON.stringify(r.body));
    assert.match(r.body.msg, /callbackURL is not allowed/);

    const init = await postJson(`${env.url}/v2/payment`, {
      apikey: m.apikey,
      site_id: m.siteId,
      transaction_id: 'SSRF-CP-1',
      amount: 100,
      currency: 'XOF',
      description: 'Billet',
      notify_url: 'http://127.0.0.1:9000/notify',
      return_url: 'https://shop.example/return',
    });
    assert.equal(init.body.code, '624', JSON.stringify(init.body));
    assert.match(init.body.description, /notify_url is not allowed/);
  });
});

test(
  'defect 9.11: at delivery time live mode resolves ' + 'the name and refuses loopback (localhost, 127.0.0.1)',
  async () => {
    const rx = await webhookReceiver([{ status: 200, body: 'success' }]);
    try {
      const port = new URL(rx.url).port;
      // Registered while in sandbox, delivered after the switch to live: only the delivery check stands.
      const byName = await newMerchant(env, { callbackUrl: `http://localhost:${port}/hook` });
      const byIp = await newMerchant(env, { callbackUrl: rx.url });
      const o1 = await openOrder(env, byName, 'SSRF-D-1');
      const o2 = await openOrder(env, byIp, 'SSRF-D-2');
      await live(async () => {
        await completeOrder(env.deps, o1, { rail: 'sandbox' });
        await completeOrder(env.deps, o2, { rail: 'sandbox' });
        const a1 = await firstAttempt(o1);
        const a2 = await firstAttempt(o2);
        assert.equal(a1.ok, false);
        assert.equal(a1.http_status, null);
        assert.match(a1.error!, /^RefusedDestination: localhost resolves to no allowed address: .*loopback/);
        assert.match(a2.error!, /^RefusedDestination: 127\.0\.0\.1 is a loopback address/);
      });
      assert.equal(rx.calls.length, 0, 'nothing reached the receiver');
      assert.equal(await destinationHealth(env.deps.db, destinationOf(rx.url)), undefined, 'not a host failure');
    } finally {
      await rx.close();
    }
  },
);

test('defect 9.11: TENDER_WEBHOOK_ALLOW_PRIVATE lets listed internal receivers through in live mode', async () => {
  const rx = await webhookReceiver([{ status: 200, body: 'success' }]);
  try {
    const port = new URL(rx.url).port;
    const byNet = await live(() => newMerchant(env, { callbackUrl: rx.url }), '127.0.0.0/8');
    const byName = await live(
      () => newMerchant(env, { callbackUrl: `http://localhost:${port}/hook` }),
      'hooks.internal, localhost',
    );
    const o1 = await openOrder(env, byNet, 'ALLOW-1');
    const o2 = await openOrder(env, byName, 'ALLOW-2');
    await live(async () => {
      await completeOrder(env.deps, o1, { rail: 'sandbox' });
      assert.equal((await firstAttempt(o1)).ok, true, 'allowed by network');
    }, '127.0.0.0/8');
    await live(async () => {
      await completeOrder(env.deps, o2, { rail: 'sandbox' });
      assert.equal((await firstAttempt(o2)).ok, true, 'allowed by host name');
    }, 'localhost');
    assert.equal(rx.calls.length, 2);
    assert.ok(
      rx.calls.every((c) => c.headers['x-tender-mode'] === undefined),
      'live deliveries carry no sandbox marker',
    );
  } finally {
    await rx.close();
  }
});

test('defect 9.10: sandbox webhooks carry x-tender-mode: sandbox and their signature still verifies', async () => {
  const rx = await webhookReceiver([{ status: 200, body: 'OK' }]);
  try {
    const m = await newMerchant(env, { callbackUrl: rx.url, webhookFormat: 'cpay-legacy' });
    const id = await openOrder(env, m, 'SBX-1');
    await completeOrder(env.deps, id, { rail: 'sandbox' });
    const [call] = await rx.waitFor(1);
    assert.equal(call!.headers['x-tender-mode'], 'sandbox');
    const fields = Object.fromEntries(call!.form.entries());
    assert.equal(fields.sign, signParams(fields, m.securityKey), 'signed fields unchanged');
    assert.equal(fields.mode, undefined, 'no new signed field');
  } finally {
    await rx.close();
  }
});
