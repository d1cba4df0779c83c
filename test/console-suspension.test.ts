// Issue 12, operator console: suspending a merchant refuses its requests in every dialect with one code
// (MERCHANT_SUSPENDED: openapi 10090, minimal merchant_suspended, CinetPay 403), its open orders' hosted pages
// say so, webhooks of orders paid meanwhile still go out, the ledger is untouched, and both actions are audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startTestEnv,
  newMerchant,
  signed,
  postForm,
  postJson,
  getJson,
  webhookReceiver,
  type TestEnv,
} from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { sandboxSettle } from './sandbox-settle.js';

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

const admin = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${env.url}/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${env.adminToken}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

let seq = 0;
const createOrder = (m: MerchantCredentials, extra: Record<string, string> = {}) =>
  postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed(
      {
        merchantId: String(m.merchantId),
        merchantTradeNo: `SUS-${++seq}`,
        createTime: String(Date.now()),
        userId: 'u-1',
        amount: '5',
        cryptoCurrency: 'USDT',
        ...extra,
      },
      m.securityKey,
    ),
  );
const startPayment = (m: MerchantCredentials) =>
  postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: 10 });
const cinetpayInit = (m: MerchantCredentials) =>
  postJson(`${env.url}/v2/payment`, {
    apikey: m.apikey,
    site_id: m.siteId,
    transaction_id: `CP-${Date.now()}-${++seq}`,
    amount: 100,
    currency: 'XOF',
    description: 'Billet',
    notify_url: 'https://shop.example/notify',
    return_url: 'https://shop.example/return',
    channels: 'ALL',
  });
const legacySignature = async (m: MerchantCredentials) => {
  const res = await fetch(`${env.url}/v2/?method=getSignatureByPost`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      apikey: m.apikey,
      cpm_site_id: m.siteId,
      cpm_currency: 'XOF',
      cpm_payment_config: 'SINGLE',
      cpm_page_action: 'PAYMENT',
      cpm_version: 'V2',
      cpm_language: 'fr',
      cpm_trans_date: '20261204204100',
      cpm_trans_id: `LG-${++seq}`,
      cpm_designation: 'Billet',
      cpm_amount: '100',
    }).toString(),
  });
  return { status: res.status, body: JSON.parse(await res.text()) as any };
};

const ledgerFingerprint = async () =>
  (
    await env.deps.db.query(
      `SELECT (SELECT count(*) FROM journal_entries)::int AS entries, (SELECT count(*) FROM postings)::int AS postings,
              (SELECT coalesce(string_agg(code || '=' || balance::text, ',' ORDER BY code), '') FROM ledger_accounts)
                AS balances`,
    )
  ).rows[0];

test(
  'issue 12: a suspended merchant is refused in every dialect with MERCHANT_SUSPENDED (openapi 10090, ' +
    'minimal merchant_suspended 401, CinetPay 403, legacy 403) and accepted again once reactivated',
  async () => {
    const m = await newMerchant(env);
    const other = await newMerchant(env, { brand: 'Other Shop' });
    // Everything works before.
    assert.equal((await createOrder(m)).body.code, 0);
    assert.equal((await startPayment(m)).status, 200);
    assert.equal((await cinetpayInit(m)).body.code, '201');
    assert.equal(typeof (await legacySignature(m)).body, 'string');

    const s = await admin(`/merchants/${m.merchantId}/suspend`, 'POST', { reason: 'chargeback review' });
    assert.equal(s.status, 200);
    const sb = (await s.json()) as any;
    assert.equal(sb.suspended, true);
    assert.equal(sb.changed, true);
    assert.equal(sb.reason, 'chargeback review');

    const o = await createOrder(m);
    assert.equal(o.status, 200);
    assert.equal(o.body.code, 10090, JSON.stringify(o.body));
    assert.match(o.body.msg, /suspended/);
    // A wrong signature still says BAD_SIGN: only the merchant itself learns it is suspended.
    const forged = await postForm(`${env.url}/openapi/v1/createOrder`, {
      merchantId: String(m.merchantId),
      merchantTradeNo: 'X',
      createTime: String(Date.now()),
      amount: '1',
      cryptoCurrency: 'USDT',
      sign: 'f'.repeat(64),
    });
    assert.equal(forged.body.code, 10004);
    const detail = await getJson(
      `${env.url}/openapi/v1/getOrderDetail`,
      signed({ merchantId: String(m.merchantId), merchantTradeNo: 'SUS-1' }, m.securityKey),
    );
    assert.equal(detail.body.code, 10090, 'reads are refused too');

    const sp = await startPayment(m);
    assert.equal(sp.status, 401);
    assert.deepEqual(sp.body.code, 'merchant_suspended');

    const cp = await cinetpayInit(m);
    assert.equal(cp.status, 403);
    assert.equal(cp.body.code, '403');
    assert.equal(cp.body.message, 'MERCHANT_SUSPENDED');
    const check = await postJson(`${env.url}/v2/payment/check`, {
      apikey: m.apikey,
      site_id: m.siteId,
      transaction_id: 'nope',
    });
    assert.equal(check.body.code, '403');

    const lg = await legacySignature(m);
    assert.equal(lg.status, 200, 'the legacy API answers refusals with HTTP 200 (docs/cinetpay-legacy.md)');
    assert.equal(lg.body.status.code, '403');
    assert.equal(lg.body.status.message, 'MERCHANT_SUSPENDED');

    // Other merchants are not affected.
    assert.equal((await createOrder(other)).body.code, 0);
    assert.equal((await startPayment(other)).status, 200);

    // Suspending again changes nothing and writes no second audit row.
    const again = (await (await admin(`/merchants/${m.merchantId}/suspend`, 'POST', { reason: 'x' })).json()) as any;
    assert.equal(again.changed, false);
    assert.equal(again.reason, 'chargeback review');

    const r = (await (await admin(`/merchants/${m.merchantId}/reactivate`, 'POST')).json()) as any;
    assert.equal(r.suspended, false);
    assert.equal(r.changed, true);
    assert.equal((await createOrder(m)).body.code, 0);
    assert.equal((await startPayment(m)).status, 200);
    assert.equal((await cinetpayInit(m)).body.code, '201');
    assert.equal(typeof (await legacySignature(m)).body, 'string');

    const audit = (await (await admin(`/audit?merchantId=${m.merchantId}&action=merchant.`)).json()) as any;
    assert.deepEqual(
      audit.entries.map((e: any) => e.action),
      ['merchant.reactivate', 'merchant.suspend', 'merchant.create'],
    );
    assert.equal(audit.entries[1].actor, 'admin-token');
    assert.equal(audit.entries[1].address, '127.0.0.1');
    assert.deepEqual(audit.entries[1].after, { suspended: true, reason: 'chargeback review' });
  },
);

test('issue 12: bad suspend requests are refused in the admin envelope, never a 5xx', async () => {
  const m = await newMerchant(env);
  assert.equal((await admin(`/merchants/${m.merchantId}/suspend`, 'POST', {})).status, 400);
  assert.equal((await admin(`/merchants/${m.merchantId}/suspend`, 'POST', { reason: '   ' })).status, 400);
  assert.equal((await admin(`/merchants/${m.merchantId}/suspend`, 'POST', { reason: 7 })).status, 400);
  assert.equal((await admin(`/merchants/${m.merchantId}/suspend`, 'POST', { reason: 'x'.repeat(201) })).status, 400);
  assert.equal((await admin('/merchants/99999999/suspend', 'POST', { reason: 'x' })).status, 404);
  assert.equal((await admin('/merchants/99999999/reactivate', 'POST')).status, 404);
  assert.equal((await admin('/merchants/abc/reactivate', 'POST')).status, 400);
  const noToken = await fetch(`${env.url}/admin/merchants/${m.merchantId}/suspend`, { method: 'POST' });
  assert.equal(noToken.status, 401);
  const view = (await (await admin(`/merchants/${m.merchantId}`)).json()) as any;
  assert.equal(view.suspended, false, 'nothing was suspended by the refused requests');
});

test(
  "issue 12: hosted pages of a suspended merchant's open orders say so; a final order's page still shows; " +
    'webhooks of orders paid while suspended still go out; the ledger does not change',
  async () => {
    const rx = await webhookReceiver([{ status: 200, body: 'success' }]);
    try {
      const m = await newMerchant(env, { callbackUrl: rx.url });
      const open = (await createOrder(m)).body.data;
      const paid = (await createOrder(m)).body.data;
      assert.equal((await sandboxSettle(env, paid.orderId, 'complete')).status, 200);
      await rx.waitFor(1);
      const cpOpen = (await cinetpayInit(m)).body.data;

      const before = await ledgerFingerprint();
      assert.equal((await admin(`/merchants/${m.merchantId}/suspend`, 'POST', { reason: 'kyc' })).status, 200);
      assert.deepEqual(await ledgerFingerprint(), before, 'suspension writes nothing to the ledger');

      const page = await fetch(`${env.url}/pay/${open.cashierURL.split('/pay/')[1]}`);
      assert.equal(page.status, 403);
      assert.match(await page.text(), /Payments suspended/);
      const paidPage = await fetch(paid.cashierURL.replace(/^https?:\/\/[^/]+/, env.url));
      assert.equal(paidPage.status, 200, 'a completed order still shows its result');
      const cpPage = await fetch(`${env.url}/payment/${cpOpen.payment_token}?lang=en`);
      assert.equal(cpPage.status, 403);
      assert.match(await cpPage.text(), /Payments suspended/);
      const mm = await fetch(`${env.url}/payment/${cpOpen.payment_token}/mobile-money`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'operator=OM&phone_prefix=225&phone=0707070707&lang=en',
      });
      assert.equal(mm.status, 403, 'no new payment attempt on a suspended merchant');

      // Money that arrives for an open order is still accounted and notified (e.g. a chain deposit).
      assert.equal((await sandboxSettle(env, open.orderId, 'complete')).status, 200);
      const calls = await rx.waitFor(2);
      assert.equal(JSON.parse(calls[1]!.form.get('param')!).orderId, open.orderId);
      // And an operator may resend a webhook of a suspended merchant.
      const resend = await admin(`/orders/${paid.orderId}/webhooks/resend`, 'POST');
      assert.equal(resend.status, 200);
      await rx.waitFor(3);
    } finally {
      await rx.close();
    }
  },
);

test('issue 12: two operators suspending at once: one change, one audit row', async () => {
  const m = await newMerchant(env);
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      admin(`/merchants/${m.merchantId}/suspend`, 'POST', { reason: `r${i}` }).then((r) => r.json() as any),
    ),
  );
  assert.equal(answers.filter((a) => a.changed).length, 1);
  assert.ok(answers.every((a) => a.suspended));
  const { rows } = await env.deps.db.query(
    "SELECT count(*)::int AS n FROM audit_log WHERE merchant_id = $1 AND action = 'merchant.suspend'",
    [m.merchantId],
  );
  assert.equal(rows[0].n, 1);
});
