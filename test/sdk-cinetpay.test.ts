// CinetPayClient and verifyCinetPayNotification against a REAL Tender serving the CinetPay dialect
// (src/api/cinetpay): init, idempotent re-init, check by transaction id and by token, CinetPay's refusal
// codes as TenderApiError, and a real notification (x-token) verified by the SDK, followed by the check
// that tells the status. Skips itself on a Tender without that dialect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestEnv, newMerchant, sleep, type TestEnv } from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { completeOrder } from '../src/core/payments.js';
import { startMobileMoneyPayment, submitMobileMoneyOtp } from '../src/core/mobile-money.js';
import { SANDBOX_OTP, TEST_NUMBERS } from '../src/rails/mobile-money/index.js';
import {
  CinetPayClient,
  TenderApiError,
  TenderWebhookError,
  verifyCinetPayNotification,
  type CheckPaymentResult,
  type CinetPayNotification,
} from '../sdk/src/index.js';

let env: TestEnv;
let dispatcher: Dispatcher;
let creds: { apikey?: string; siteId?: string; notifySecret?: string };
let available = false;
before(async () => {
  env = await startTestEnv({ TENDER_WEBHOOK_BACKOFF: '0,1,1' });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
  creds = (await newMerchant(env)) as unknown as typeof creds;
  const probe = await fetch(`${env.url}/v2/payment/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  available = typeof creds.apikey === 'string' && /"code"\s*:\s*"\d+"/.test(await probe.text());
});
after(async () => {
  await dispatcher.stop();
  await env.close();
});

const SKIP = 'this Tender has no CinetPay dialect (src/api/cinetpay) or merchants have no CinetPay credentials';
const params = (transactionId: string, notifyUrl = 'https://shop.example/notify') => ({
  transactionId,
  amount: '1500',
  currency: 'XOF' as const,
  description: 'Order 1001',
  notifyUrl,
  returnUrl: 'https://shop.example/back',
  channels: 'MOBILE_MONEY' as const,
  lang: 'fr' as const,
  metadata: 'cart-9',
});

test(
  'initPayment / checkPayment: token and URL, ' + 'idempotent by transaction_id, pending is WAITING_FOR_CUSTOMER',
  async (t) => {
    if (!available) {
      t.skip(SKIP);
      return;
    }
    const cp = new CinetPayClient({ baseUrl: env.url, apikey: creds.apikey!, siteId: creds.siteId! });
    const init = await cp.initPayment(params('SDK-CP-1'));
    assert.equal(init.code, '201');
    assert.equal(init.message, 'CREATED');
    assert.ok(init.paymentToken);
    assert.ok(init.paymentUrl.startsWith(env.url), init.paymentUrl);
    assert.ok(init.apiResponseId);
    assert.equal((await fetch(init.paymentUrl)).status, 200);
    const again = await cp.initPayment(params('SDK-CP-1'));
    assert.deepEqual(
      [again.paymentToken, again.paymentUrl],
      [init.paymentToken, init.paymentUrl],
      'the same body returns the same token and URL',
    );
    for (const by of [{ transactionId: 'SDK-CP-1' }, { token: init.paymentToken }]) {
      const c = await cp.checkPayment(by);
      assert.deepEqual(
        [c.status, c.amount, c.currency, c.description, c.metadata],
        ['WAITING_FOR_CUSTOMER', '1500', 'XOF', 'Order 1001', 'cart-9'],
      );
      assert.notEqual(c.code, '00');
    }
    const dup = await cp.initPayment({ ...params('SDK-CP-1'), amount: '2000' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(
      dup instanceof TenderApiError &&
        dup.dialect === 'cinetpay' &&
        dup.code === '624' &&
        /TRANSACTION_EXIST/.test(dup.msg),
      String(dup),
    );
    const badKey = await new CinetPayClient({ baseUrl: env.url, apikey: 'nope', siteId: creds.siteId! })
      .checkPayment({ transactionId: 'SDK-CP-1' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(
      badKey instanceof TenderApiError && badKey.code === '609' && Boolean(badKey.traceid) && badKey.httpStatus >= 400,
      String(badKey),
    );
    const badSite = await new CinetPayClient({ baseUrl: env.url, apikey: creds.apikey!, siteId: '1' })
      .initPayment(params('SDK-CP-2'))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(badSite instanceof TenderApiError && badSite.code === '613', String(badSite));
    const bad = await cp.initPayment({ ...params('SDK-CP-3'), amount: '1501' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(bad instanceof TenderApiError && bad.code === '624', String(bad));
  },
);

test(
  'a real notification verifies with the SDK (x-token), ' + 'carries no status, and checkPayment then says ACCEPTED',
  async (t) => {
    if (!available) {
      t.skip(SKIP);
      return;
    }
    const seen: Array<{ n: CinetPayNotification; check: CheckPaymentResult }> = [];
    const rejected: string[] = [];
    const bodies: Array<{ body: string; token: string }> = [];
    const cp = new CinetPayClient({ baseUrl: env.url, apikey: creds.apikey!, siteId: creds.siteId! });
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        bodies.push({ body, token: String(req.headers['x-token'] ?? '') });
        try {
          const n = verifyCinetPayNotification(body, req.headers, creds.notifySecret!);
          seen.push({ n, check: await cp.checkPayment({ transactionId: n.transactionId }) });
          res.writeHead(200).end('OK');
        } catch (e) {
          rejected.push(String(e));
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const init = await cp.initPayment(
        params('SDK-CP-N', `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`),
      );
      const { rows } = await env.deps.db.query('SELECT id FROM orders WHERE pay_code = $1', [init.paymentToken]);
      assert.equal(rows.length, 1);
      await completeOrder(env.deps, rows[0].id, { rail: 'sandbox' });
      for (let i = 0; i < 300 && !seen.some((s) => s.check.status === 'ACCEPTED'); i++) await sleep(50);
      assert.deepEqual(rejected, []);
      const last = seen[seen.length - 1]!;
      assert.deepEqual(
        [last.n.transactionId, last.n.siteId, last.check.status, last.check.code, last.check.amount],
        ['SDK-CP-N', String(creds.siteId), 'ACCEPTED', '00', '1500'],
      );
      assert.ok(!('status' in last.n), 'the notification itself carries no status');
      // The same body with a changed field, or checked with another secret, is refused.
      const { body, token } = bodies[bodies.length - 1]!;
      const tampered = new URLSearchParams(body);
      tampered.set('cpm_amount', '15000');
      assert.throws(
        () => verifyCinetPayNotification(tampered, { 'x-token': token }, creds.notifySecret!),
        TenderWebhookError,
      );
      assert.throws(() => verifyCinetPayNotification(body, { 'x-token': token }, 'another-secret'), TenderWebhookError);
      assert.equal(
        verifyCinetPayNotification(body, { 'x-token': token }, creds.notifySecret!).transactionId,
        'SDK-CP-N',
      );
    } finally {
      await new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      });
    }
  },
);

test('issue 10.3: checkPayment gives the phone fields of a mobile-money payment (null before it)', async (t) => {
  if (!available) {
    t.skip(SKIP);
    return;
  }
  const cp = new CinetPayClient({ baseUrl: env.url, apikey: creds.apikey!, siteId: creds.siteId! });
  const init = await cp.initPayment(params('SDK-CP-PHONE'));
  const before = await cp.checkPayment({ transactionId: 'SDK-CP-PHONE' });
  assert.deepEqual([before.phoneNumber, before.phonePrefix], [null, null]);
  const { rows } = await env.deps.db.query('SELECT id FROM orders WHERE pay_code = $1', [init.paymentToken]);
  await startMobileMoneyPayment(env.deps, rows[0].id, {
    operator: 'ORANGE',
    phonePrefix: '225',
    phone: TEST_NUMBERS.SUCCESS,
  });
  await submitMobileMoneyOtp(env.deps, rows[0].id, SANDBOX_OTP);
  const paid = await cp.checkPayment({ transactionId: 'SDK-CP-PHONE' });
  assert.deepEqual(
    [paid.status, paid.paymentMethod, paid.phoneNumber, paid.phonePrefix],
    ['ACCEPTED', 'OMCIV2', TEST_NUMBERS.SUCCESS, '225'],
  );
});
