// Defect 12 (hosted pages) over real HTTP: page POSTs from another site are refused (Origin, Sec-Fetch-Site,
// Referer), the pages' CSP runs only the page's own nonce'd script and lets forms post only to Tender and the
// merchant's return URL, and redirects never downgrade to http or move to another port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, postJson, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { isOwnOrigin } from '../src/web/same-origin.js';

let env: TestEnv;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env, { website: 'https://shop.example', extraHosts: ['pay.partner.example'] });
});
after(async () => {
  await env?.close();
});

let seq = 0;
async function order(extra: Record<string, string> = {}) {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: `PS-${++seq}`,
    createTime: String(env.clock.now().getTime()),
    userId: 'u',
    amount: '4',
    cryptoCurrency: 'USDT',
    ...extra,
  };
  return postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
}
async function pendingPayCode(extra: Record<string, string> = {}): Promise<{ orderId: string; code: string }> {
  const { body } = await order(extra);
  assert.equal(body.code, 0, JSON.stringify(body));
  return { orderId: String(body.data.orderId), code: new URL(body.data.cashierURL).pathname.split('/')[2]! };
}
const statusOf = async (orderId: string) =>
  (await env.deps.db.query<{ status: number }>('SELECT status FROM orders WHERE id = $1', [orderId])).rows[0]!.status;

function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${env.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

const CROSS_SITE: Array<[string, Record<string, string>]> = [
  ['a foreign Origin', { origin: 'https://evil.example' }],
  ['Origin null', { origin: 'null' }],
  ['a look-alike Origin', { origin: 'http://127.0.0.1.evil.example' }],
  ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
  ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }],
  ['a foreign Referer', { referer: 'https://evil.example/page' }],
];

test('defect 9.12: a cross-site POST to the checkout buttons is a 403 page and changes nothing', async () => {
  const { orderId, code } = await pendingPayCode();
  for (const [what, headers] of CROSS_SITE) {
    const res = await post(`/pay/${code}/sandbox`, { outcome: 'pay' }, headers);
    assert.equal(res.status, 403, what);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/, what);
    assert.equal(res.headers.get('location'), null, what);
    assert.match(await res.text(), /Request refused/, what);
    const net = await post(`/pay/${code}/network`, { network: 'TRC20' }, headers);
    assert.equal(net.status, 403, what);
  }
  assert.equal(await statusOf(orderId), 0, 'still pending');
  // The page's own origin (what Chromium sends for the page's form), and a client that sends no browser headers.
  const own = await post(
    `/pay/${code}/sandbox`,
    { outcome: 'fail' },
    { origin: env.url, 'sec-fetch-site': 'same-origin' },
  );
  assert.equal(own.status, 303);
  assert.equal(await statusOf(orderId), 15);
  const other = await pendingPayCode();
  const bare = await post(`/pay/${other.code}/sandbox`, { outcome: 'pay' });
  assert.equal(bare.status, 303);
  assert.equal(await statusOf(other.orderId), 14);
  const third = await pendingPayCode();
  const sameOriginFetch = await post(
    `/pay/${third.code}/sandbox`,
    { outcome: 'pay' },
    { 'sec-fetch-site': 'same-origin' },
  );
  assert.equal(sameOriginFetch.status, 303);
  const fourth = await pendingPayCode();
  const ownReferer = await post(`/pay/${fourth.code}/sandbox`, { outcome: 'pay' }, { referer: `${env.url}/pay/x` });
  assert.equal(ownReferer.status, 303);
});

test('defect 9.12: a cross-site POST to the CinetPay page steps is a 403 page and changes nothing', async () => {
  const init = await postJson(`${env.url}/v2/payment`, {
    apikey: m.apikey,
    site_id: m.siteId,
    transaction_id: 'PS-CP-1',
    amount: 1500,
    currency: 'XOF',
    description: 'Panier',
    notify_url: 'http://127.0.0.1:9/notify',
    return_url: 'https://shop.example/merci',
    channels: 'ALL',
  });
  assert.equal(init.body.code, '201', JSON.stringify(init.body));
  const path = new URL(init.body.data.payment_url).pathname;
  for (const [what, headers] of CROSS_SITE) {
    for (const [step, form] of [
      ['card', { outcome: 'pay' }],
      ['mobile-money', { operator: 'ORANGE', phone_prefix: '225', phone: '0700000001' }],
      ['otp', { otp: '123456' }],
    ] as const) {
      const res = await post(`${path}/${step}`, { ...form, lang: 'en' }, headers);
      assert.equal(res.status, 403, `${step}: ${what}`);
      // Refused before the body is read, so in the page's default language.
      assert.match(await res.text(), /Requête refusée/);
    }
  }
  const check = await postJson(`${env.url}/v2/payment/check`, {
    apikey: m.apikey,
    site_id: m.siteId,
    transaction_id: 'PS-CP-1',
  });
  assert.equal(check.body.data.status, 'WAITING_FOR_CUSTOMER');
  const own = await post(`${path}/card`, { outcome: 'pay', lang: 'en' }, { origin: env.url });
  assert.equal(own.status, 303);
});

test("defect 9.12: own origin is the public URL, or the request's Host on a loopback address only", () => {
  const pub = 'https://pay.example.com';
  assert.equal(isOwnOrigin('https://pay.example.com', pub, 'internal:8080'), true);
  assert.equal(isOwnOrigin('http://pay.example.com', pub, 'pay.example.com'), false, 'scheme differs');
  assert.equal(isOwnOrigin('https://pay.example.com:8443', pub, undefined), false, 'port differs');
  assert.equal(isOwnOrigin('http://127.0.0.1:4000', pub, '127.0.0.1:4000'), true);
  assert.equal(isOwnOrigin('http://localhost:4000', pub, 'localhost:4000'), true);
  assert.equal(isOwnOrigin('http://127.0.0.1:4001', pub, '127.0.0.1:4000'), false);
  assert.equal(isOwnOrigin('https://evil.example', pub, 'evil.example'), false, 'a Host that is not loopback');
  assert.equal(isOwnOrigin('null', pub, '127.0.0.1:4000'), false);
});

test(
  "defect 9.12: the pages' CSP has a fresh nonce per response, " + "no 'unsafe-inline' script, and form-action",
  async () => {
    const { code } = await pendingPayCode({
      successURL: 'https://shop.example/thanks',
      failURL: 'https://pay.partner.example/sorry',
    });
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${env.url}/pay/${code}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      const html = await res.text();
      const scriptSrc = /script-src ([^;]+)/.exec(csp)![1]!;
      assert.doesNotMatch(scriptSrc, /unsafe-inline/);
      const nonce = /^'nonce-([A-Za-z0-9+/=]{22,})'$/.exec(scriptSrc.trim())?.[1];
      assert.ok(nonce, csp);
      nonces.add(nonce);
      assert.match(csp, /form-action 'self' https:\/\/shop\.example https:\/\/pay\.partner\.example(;|$)/);
      assert.equal(res.headers.get('referrer-policy'), 'same-origin');
      const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((s) => s[1]);
      assert.ok(scripts.length > 0);
      for (const attrs of scripts) assert.equal(attrs, ` nonce="${nonce}"`);
    }
    assert.equal(nonces.size, 2, 'a new nonce per response');
    const notFound = await fetch(`${env.url}/pay/nope`);
    assert.match(notFound.headers.get('content-security-policy') ?? '', /script-src 'none'.*form-action 'self'/);

    const init = await postJson(`${env.url}/v2/payment`, {
      apikey: m.apikey,
      site_id: m.siteId,
      transaction_id: 'PS-CP-2',
      amount: 1500,
      currency: 'XOF',
      description: 'Panier',
      notify_url: 'http://127.0.0.1:9/notify',
      return_url: 'https://shop.example/merci',
      channels: 'ALL',
    });
    const page = await fetch(init.body.data.payment_url);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.match(csp, /script-src 'nonce-[^']+'/);
    assert.match(csp, /form-action 'self'/);
  },
);

test(
  'defect 9.12: successURL/failURL never downgrade to ' + 'http nor change port; operator hosts follow the rule',
  async () => {
    const refused: Array<[string, string]> = [
      ['successURL', 'http://shop.example/thanks'],
      ['failURL', 'http://www.shop.example/sorry'],
      ['successURL', 'https://shop.example:8443/thanks'],
      ['successURL', 'https://shop.example:80/thanks'],
      ['failURL', 'http://pay.partner.example/sorry'],
      ['failURL', 'https://pay.partner.example:444/sorry'],
    ];
    for (const [field, url] of refused) {
      const { body } = await order({ [field]: url });
      assert.equal(body.code, 10020, `${field}=${url}: ${JSON.stringify(body)}`);
      assert.match(body.msg, /https|port/);
    }
    for (const url of ['https://shop.example/ok', 'https://shop.example:443/ok', 'https://pay.partner.example/ok']) {
      const { body } = await order({ successURL: url });
      assert.equal(body.code, 0, `${url}: ${JSON.stringify(body)}`);
    }
    // The minimal dialect's ?redirect= on the page: a clear 400 page, no buttons.
    const started = await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: 5 });
    for (const bad of ['http://shop.example/back', 'https://shop.example:8080/back']) {
      const res = await fetch(`${env.url}/pay/${started.body.code}?redirect=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400, bad);
      const html = await res.text();
      assert.match(html, /Invalid return address/);
      assert.doesNotMatch(html, /id="pay"/);
    }
    const good = await fetch(
      `${env.url}/pay/${started.body.code}?redirect=${encodeURIComponent('https://shop.example/b')}`,
    );
    assert.equal(good.status, 200);
  },
);

test('defect 9.12: an http website (a local sandbox shop) keeps http redirects on its own port', async () => {
  const local = await newMerchant(env, { website: 'http://127.0.0.1:3000' });
  const p = (url: string) => ({
    merchantId: String(local.merchantId),
    merchantTradeNo: `LOC-${++seq}`,
    createTime: String(env.clock.now().getTime()),
    userId: 'u',
    amount: '1',
    cryptoCurrency: 'USDT',
    successURL: url,
  });
  const ok = await postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed(p('http://127.0.0.1:3000/ok'), local.securityKey),
  );
  assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
  const upgraded = await postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed(p('https://127.0.0.1:3000/ok'), local.securityKey),
  );
  assert.equal(upgraded.body.code, 0, 'https is never a downgrade');
  const moved = await postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed(p('http://127.0.0.1:3001/ok'), local.securityKey),
  );
  assert.equal(moved.body.code, 10020);
  const noPort = await postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed(p('http://127.0.0.1/ok'), local.securityKey),
  );
  assert.equal(noPort.body.code, 10020);
});
