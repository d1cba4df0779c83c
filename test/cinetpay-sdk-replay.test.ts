// Issue 10.3: merchant code written against CinetPay works unchanged. The seed 002 SDK
// (amaniCinetpay/SDK_api_paiement_cinetpay, cinetpay_sdk/s_d_k.py, published 0.0.1 and 0.1.1) is replayed as
// the bytes python-requests puts on the wire for its `data=` dicts: same request line, headers in the same
// order, same form keys (trailing colons included), same value order and percent-encoding. The JSON bodies
// of CinetPay's docs and published integrations (null for unset fields, amounts as strings, metadata as an
// object, PHP json_encode's escaped slashes) and its docs' form-under-a-JSON-header check are replayed too.
// Each runs a whole payment: init → hosted page (sandbox numbers) → notification → check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestEnv, newMerchant, webhookReceiver, type TestEnv } from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { NOTIFICATION_FIELDS, xToken, type NotificationFields } from '../src/domain/cinetpay.js';
import { SANDBOX_OTP, TEST_NUMBERS } from '../src/rails/mobile-money/index.js';

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

/** Python's urllib.parse.quote_plus: only letters, digits and `_.-~` stay; a space becomes `+`. */
const quotePlus = (s: string) =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** What `requests.post(url, data=pairs)` encodes: the dict's insertion order, `str()` of each value. */
const pythonForm = (pairs: Array<[string, string | number]>) =>
  pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(String(v))}`).join('&');

/**
 * The request python-requests 2.x sends (headers in its order, keep-alive); `contentType` overrides only the
 * content type, as `headers={"Content-Type": ...}` does. Resolves with the first complete answer.
 */
function pythonPost(
  path: string,
  body: string,
  contentType = 'application/x-www-form-urlencoded',
): Promise<{ status: number; json: any; head: string }> {
  const { host, port } = new URL(env.url);
  const bytes = Buffer.from(body, 'utf8');
  const head =
    `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: python-requests/2.31.0\r\n` +
    'Accept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: keep-alive\r\n' +
    `Content-Length: ${bytes.length}\r\nContent-Type: ${contentType}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1');
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer to ${path}`));
    }, 20_000);
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const split = got.indexOf('\r\n\r\n');
      if (split < 0) return;
      const h = got.subarray(0, split).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(h)?.[1] ?? Number.NaN);
      if (got.length - split - 4 < length) return;
      clearTimeout(timer);
      s.destroy();
      const text = got.subarray(split + 4, split + 4 + length).toString('utf8');
      resolve({ status: Number(h.split(' ')[1]), json: JSON.parse(text), head: h });
    });
    s.write(Buffer.concat([Buffer.from(head, 'latin1'), bytes]));
  });
}

/** The seed 002 SDK's PaymentInitialization body: 0.0.1 has no transaction_id, 0.1.1 sends it after site_id. */
function sdkInitBody(
  version: '0.0.1' | '0.1.1',
  c: MerchantCredentials,
  d: { amount: number; transaction_id?: string; notify_url: string; return_url: string },
): string {
  const pairs: Array<[string, string | number]> = [
    ['amount', d.amount],
    ['apikey', c.apikey],
    ['site_id', c.siteId],
  ];
  if (version === '0.1.1') pairs.push(['transaction_id', d.transaction_id!]);
  pairs.push(
    ['currency', 'XOF'],
    ['description', 'TRANSACTION DESCRIPTION'],
    ['return_url:', d.return_url],
    ['notify_url:', d.notify_url],
    ['customer_name:', 'example'],
    ['customer_surname:', 'example'],
  );
  return pythonForm(pairs);
}

/** Posts a form of the hosted page like a browser would (no redirect following). */
async function pageForm(token: string, action: string, fields: Record<string, string>): Promise<number> {
  const res = await fetch(`${env.url}/payment/${token}/${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  await res.text();
  return res.status;
}

/** The customer pays on the hosted page with Orange Money's sandbox success number and the sandbox OTP. */
async function payOnPage(token: string): Promise<void> {
  const start = await pageForm(token, 'mobile-money', {
    operator: 'ORANGE',
    phone_prefix: '225',
    phone: TEST_NUMBERS.SUCCESS,
    lang: 'fr',
  });
  assert.equal(start, 303);
  assert.equal(await pageForm(token, 'otp', { otp: SANDBOX_OTP, lang: 'fr' }), 303);
}

/** Waits for the notification of the final state and checks its x-token with the site's secret. */
async function finalNotification(
  rx: Awaited<ReturnType<typeof webhookReceiver>>,
  c: MerchantCredentials,
  transactionId: string,
) {
  const calls = await rx.waitFor(2);
  for (const call of calls) {
    assert.deepEqual([...call.form.keys()], [...NOTIFICATION_FIELDS]);
    const f = Object.fromEntries(call.form) as NotificationFields;
    assert.equal(call.headers['x-token'], xToken(f, c.notifySecret), 'x-token verifies with the site secret');
    assert.equal(f.cpm_trans_id, transactionId, 'the notification names the transaction the merchant will check');
    assert.equal(f.cpm_site_id, c.siteId);
  }
}

/** The fields CinetPay's docs and the seed 002 SDK's examples show in a paid check answer, with their types. */
const PAID_CHECK_FIELDS = [
  'amount',
  'currency',
  'status',
  'payment_method',
  'description',
  'metadata',
  'operator_id',
  'payment_date',
  'fund_availability_date',
  'phone_number',
  'phone_prefix',
] as const;

function assertPaidCheck(body: any, want: { amount: string; description: string; metadata: string | null }) {
  assert.equal(body.code, '00', JSON.stringify(body));
  assert.equal(body.message, 'SUCCES');
  assert.equal(typeof body.api_response_id, 'string');
  const d = body.data;
  for (const k of PAID_CHECK_FIELDS) assert.ok(k in d, `check data has ${k}: ${JSON.stringify(d)}`);
  for (const k of PAID_CHECK_FIELDS.filter((f) => f !== 'metadata'))
    assert.equal(typeof d[k], 'string', `${k} is a string in a paid answer: ${JSON.stringify(d[k])}`);
  assert.equal(d.amount, want.amount);
  assert.equal(d.currency, 'XOF');
  assert.equal(d.status, 'ACCEPTED');
  assert.equal(d.payment_method, 'OMCIV2');
  assert.equal(d.description, want.description);
  assert.equal(d.metadata, want.metadata);
  assert.match(d.operator_id, /^OM\d{12}\.\d{6}$/);
  assert.match(d.payment_date, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.match(d.fund_availability_date, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.equal(d.phone_number, TEST_NUMBERS.SUCCESS);
  assert.equal(d.phone_prefix, '225');
}

test(
  'issue 10.3: the seed 002 SDK 0.0.1, byte for byte (trailing-colon keys, no transaction_id, no ' +
    'channels), completes a payment',
  async () => {
    const c = await newMerchant(env, { brand: 'SDK 0.0.1' });
    const rx = await webhookReceiver([{ status: 200, body: '' }]);
    try {
      const returnUrl = 'https://shop.example/return?order=7&lang=fr';
      const body = sdkInitBody('0.0.1', c, { amount: 100, notify_url: rx.url, return_url: returnUrl });
      assert.match(body, /&return_url%3A=https%3A%2F%2Fshop\.example%2Freturn%3Forder%3D7%26lang%3Dfr&notify_url%3A=/);
      const init = await pythonPost('/v2/payment', body);
      assert.equal(init.status, 200, JSON.stringify(init.json));
      assert.equal(init.json.code, '201', JSON.stringify(init.json));
      const { payment_token: token, payment_url: url, transaction_id: transactionId } = init.json.data;
      assert.ok(token && url.startsWith(env.url), JSON.stringify(init.json));
      assert.match(transactionId, /^[0-9a-f]{32}$/, 'a generated transaction_id is returned beside the token');
      const { rows } = await env.deps.db.query(
        `SELECT transaction_id, channels, notify_url, return_url, customer
         FROM cinetpay_orders WHERE transaction_id = $1`,
        [transactionId],
      );
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0].channels, ['ALL'], 'no channels → ALL');
      assert.equal(rows[0].notify_url, rx.url);
      assert.equal(rows[0].return_url, returnUrl);
      assert.deepEqual(rows[0].customer, { customer_name: 'example', customer_surname: 'example' });

      // TransactionVerfication_token before paying: still waiting.
      const token1 = pythonForm([
        ['apikey', c.apikey],
        ['site_id', c.siteId],
        ['token', token],
      ]);
      assert.equal((await pythonPost('/v2/payment/check', token1)).json.data.status, 'WAITING_FOR_CUSTOMER');
      await payOnPage(token);
      await finalNotification(rx, c, transactionId);
      // The notified merchant verifies with TransactionVerfication_trx and with TransactionVerfication_token.
      const byTrx = pythonForm([
        ['apikey', c.apikey],
        ['site_id', c.siteId],
        ['transaction_id', transactionId],
      ]);
      const verify = { amount: '100', description: 'TRANSACTION DESCRIPTION', metadata: null };
      assertPaidCheck((await pythonPost('/v2/payment/check', byTrx)).json, verify);
      assertPaidCheck((await pythonPost('/v2/payment/check', token1)).json, verify);
    } finally {
      await rx.close();
    }
  },
);

test(
  'issue 10.3: the seed 002 SDK 0.1.1, byte for byte (its transaction_id, trailing-colon keys), ' +
    'completes a payment; resent → same token',
  async () => {
    const c = await newMerchant(env, { brand: 'SDK 0.1.1' });
    const rx = await webhookReceiver([{ status: 200, body: '' }]);
    try {
      // The SDK example's own transaction id and amount type (a Python int).
      const d = {
        amount: 1500,
        transaction_id: 'GRD123456789',
        notify_url: rx.url,
        return_url: 'https://shop.example/r',
      };
      const body = sdkInitBody('0.1.1', c, d);
      const init = await pythonPost('/v2/payment', body);
      assert.equal(init.json.code, '201', JSON.stringify(init.json));
      assert.equal(init.json.data.transaction_id, undefined, "the merchant sent its id: the answer is CinetPay's");
      const again = await pythonPost('/v2/payment', body);
      assert.equal(again.json.data.payment_token, init.json.data.payment_token, 'idempotent by transaction_id');
      await payOnPage(init.json.data.payment_token);
      await finalNotification(rx, c, 'GRD123456789');
      const byTrx = pythonForm([
        ['apikey', c.apikey],
        ['site_id', c.siteId],
        ['transaction_id', 'GRD123456789'],
      ]);
      assertPaidCheck((await pythonPost('/v2/payment/check', byTrx)).json, {
        amount: '1500',
        description: 'TRANSACTION DESCRIPTION',
        metadata: null,
      });
    } finally {
      await rx.close();
    }
  },
);

test('issue 10.3: each init without transaction_id is its own payment with its own generated id', async () => {
  const c = await newMerchant(env, { brand: 'Sans id' });
  const body = sdkInitBody('0.0.1', c, {
    amount: 200,
    notify_url: 'https://shop.example/n',
    return_url: 'https://shop.example/r',
  });
  const [a, b] = await Promise.all([pythonPost('/v2/payment', body), pythonPost('/v2/payment', body)]);
  assert.equal(a.json.code, '201', JSON.stringify(a.json));
  assert.equal(b.json.code, '201', JSON.stringify(b.json));
  assert.notEqual(a.json.data.transaction_id, b.json.data.transaction_id);
  assert.notEqual(a.json.data.payment_token, b.json.data.payment_token);
  for (const r of [a, b]) {
    const check = await pythonPost(
      '/v2/payment/check',
      pythonForm([
        ['apikey', c.apikey],
        ['site_id', c.siteId],
        ['transaction_id', r.json.data.transaction_id],
      ]),
    );
    assert.equal(check.json.data.status, 'WAITING_FOR_CUSTOMER', JSON.stringify(check.json));
    assert.equal(check.json.data.amount, '200');
  }
});

test(
  'issue 10.3: a key sent with and without its trailing colon must agree; a colon on an unknown key is ' +
    'not an alias',
  async () => {
    const c = await newMerchant(env, { brand: 'Deux fois' });
    const base: Array<[string, string | number]> = [
      ['amount', 100],
      ['apikey', c.apikey],
      ['site_id', c.siteId],
      ['transaction_id', `DUP-${Date.now()}`],
      ['currency', 'XOF'],
      ['description', 'x'],
      ['return_url', 'https://shop.example/r'],
    ];
    const clash = await pythonPost(
      '/v2/payment',
      pythonForm([...base, ['notify_url', 'https://shop.example/a'], ['notify_url:', 'https://evil.example/b']]),
    );
    assert.equal(clash.status, 400);
    assert.deepEqual([clash.json.code, clash.json.message], ['624', 'INVALID_PARAMETER'], JSON.stringify(clash.json));
    assert.match(clash.json.description, /notify_url/);
    const same = await pythonPost(
      '/v2/payment',
      pythonForm([...base, ['notify_url', 'https://shop.example/a'], ['notify_url:', 'https://shop.example/a']]),
    );
    assert.equal(same.json.code, '201', JSON.stringify(same.json));
    const unknown = await pythonPost('/v2/payment', pythonForm([...base, ['notify_uri:', 'https://shop.example/a']]));
    assert.deepEqual([unknown.json.code, unknown.json.description], ['608', 'required field missing: notify_url']);
  },
);

test(
  "issue 10.3: CinetPay integrations' JSON — null for unset fields, amount as a string, metadata as an " +
    'object, PHP-escaped slashes — completes a payment',
  async () => {
    const c = await newMerchant(env, { brand: 'JSON nulls' });
    const rx = await webhookReceiver([{ status: 200, body: '' }]);
    try {
      // What PHP's json_encode writes for an array with unset optional fields: `null`, and `\/` in URLs.
      const php = (s: string) => s.replace(/\//g, '\\/');
      const transactionId = `PHP-${Date.now()}`;
      const body =
        `{"apikey":"${c.apikey}","site_id":"${c.siteId}","transaction_id":"${transactionId}","amount":"2500",` +
        `"currency":"XOF","alternative_currency":"","description":"Paiement commande 12","customer_id":null,` +
        `"customer_name":null,"customer_surname":null,"customer_email":null,"customer_phone_number":null,` +
        `"customer_address":null,"customer_city":null,"customer_country":null,"customer_state":null,` +
        `"customer_zip_code":null,"notify_url":"${php(rx.url)}","return_url":"${php('https://shop.example/ok')}",` +
        `"channels":null,"metadata":{"order_id":12,"user":"u-7"},"lang":null,"invoice_data":null,` +
        `"lock_phone_number":null}`;
      const init = await fetch(`${env.url}/v2/payment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const created = (await init.json()) as any;
      assert.equal(created.code, '201', JSON.stringify(created));
      const token = created.data.payment_token as string;
      await payOnPage(token);
      await finalNotification(rx, c, transactionId);
      assert.equal(rx.calls[0]!.form.get('cpm_custom'), '{"order_id":12,"user":"u-7"}', 'metadata as sent');
      // The docs' PHP check example: Guzzle `form_params` under a "Content-Type: application/json" header; the
      // docs' python example does the same with `data=` and `headers=`. Both put a urlencoded body on the wire.
      const formUnderJson = pythonForm([
        ['apikey', c.apikey],
        ['site_id', c.siteId],
        ['transaction_id', transactionId],
      ]);
      const paid = { amount: '2500', description: 'Paiement commande 12', metadata: '{"order_id":12,"user":"u-7"}' };
      assertPaidCheck((await pythonPost('/v2/payment/check', formUnderJson, 'application/json')).json, paid);
      // The docs' check field is payment_token (the SDKs send token); JSON with a null transaction_id.
      const byToken = await fetch(`${env.url}/v2/payment/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apikey: c.apikey, site_id: c.siteId, transaction_id: null, payment_token: token }),
      });
      assertPaidCheck(await byToken.json(), paid);
    } finally {
      await rx.close();
    }
  },
);

test(
  "issue 10.3: a multipart/form-data init (Postman's " + "form-data tab) with the SDK's keys is accepted like a form",
  async () => {
    const c = await newMerchant(env, { brand: 'Postman' });
    const form = new FormData();
    for (const [k, v] of [
      ['apikey', c.apikey],
      ['site_id', c.siteId],
      ['amount', '500'],
      ['currency', 'XOF'],
      ['description', 'Postman'],
      ['notify_url:', 'https://shop.example/n'],
      ['return_url:', 'https://shop.example/r'],
    ] as const)
      form.append(k, v);
    const res = await fetch(`${env.url}/v2/payment`, { method: 'POST', body: form });
    const body = (await res.json()) as any;
    assert.equal(body.code, '201', JSON.stringify(body));
    const r = await fetch(`${env.url}/v2/payment/check`, {
      method: 'POST',
      body: new URLSearchParams({ apikey: c.apikey, site_id: c.siteId, transaction_id: body.data.transaction_id }),
    });
    const check = (await r.json()) as any;
    assert.equal(check.data.amount, '500');
    assert.equal(check.data.description, 'Postman');
    // Still refused: a multipart body that does not parse, and text that is neither JSON nor a form.
    const torn = await fetch(`${env.url}/v2/payment`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zz' },
      body: '--zz\r\nContent-Disposition: form-data; name="amount"\r\n\r\n500',
    });
    assert.deepEqual([torn.status, ((await torn.json()) as any).code], [400, '608']);
    const prose = await pythonPost('/v2/payment', 'pay me 500 XOF please', 'text/plain');
    assert.deepEqual([prose.status, prose.json.code], [400, '608']);
  },
);

test(
  "issue 10.3: the check answer of a paid transaction carries every field of CinetPay's docs and SDK " +
    'examples, typed',
  async () => {
    const c = await newMerchant(env, { brand: 'Champs' });
    const rx = await webhookReceiver([{ status: 200, body: '' }]);
    try {
      const transactionId = `FIELDS-${Date.now()}`;
      const init = await fetch(`${env.url}/v2/payment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          apikey: c.apikey,
          site_id: c.siteId,
          transaction_id: transactionId,
          amount: 100,
          currency: 'XOF',
          description: 'Champs du check',
          notify_url: rx.url,
          return_url: 'https://shop.example/r',
          channels: 'MOBILE_MONEY',
          metadata: 'm-1',
        }),
      });
      const token = ((await init.json()) as any).data.payment_token as string;
      await payOnPage(token);
      await finalNotification(rx, c, transactionId);
      const res = await fetch(`${env.url}/v2/payment/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apikey: c.apikey, site_id: c.siteId, transaction_id: transactionId }),
      });
      const body = (await res.json()) as any;
      assertPaidCheck(body, { amount: '100', description: 'Champs du check', metadata: 'm-1' });
      assert.deepEqual(Object.keys(body.data).sort(), [...PAID_CHECK_FIELDS].sort(), 'nothing else, nothing less');
    } finally {
      await rx.close();
    }
  },
);
