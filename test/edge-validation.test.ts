// Validation at the edge (issue 9 defect 4, defect 12's edge parts): one text rule for every input, schemas,
// refusals before a route in the dialect's envelope, freshness of signed reads, identifier charsets,
// API headers, /metrics behind the admin token, masked capability codes in logs, slow-header timeouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { connect, type AddressInfo } from 'node:net';
import pino from 'pino';
import { startTestEnv, newMerchant, signed, postForm, getJson, postJson, type TestEnv } from './harness.js';
import { rawRequest } from './raw-http.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { buildApp } from '../src/app.js';
import { isBadText, findBadText } from '../src/domain/text.js';
import { signParams } from '../src/domain/signature.js';

let env: TestEnv;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env);
});
after(async () => {
  await env.close();
});

const now = () => String(env.clock.now().getTime());
const orderParams = (tradeNo: string, extra: Record<string, string> = {}) => ({
  merchantId: String(m.merchantId),
  merchantTradeNo: tradeNo,
  createTime: now(),
  userId: 'user-1',
  amount: '12.5',
  cryptoCurrency: 'USDT',
  ...extra,
});
const create = (p: Record<string, string>) => postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
const cinetpayBody = (over: Record<string, unknown> = {}) => ({
  apikey: m.apikey,
  site_id: m.siteId,
  transaction_id: `EDGE-${Math.random().toString(36).slice(2)}`,
  amount: 100,
  currency: 'XOF',
  description: 'Deux billets',
  notify_url: 'https://shop.example/notify',
  return_url: 'https://shop.example/return',
  ...over,
});
const admin = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${env.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${env.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

test('defect 9.4: the text rule refuses C0/C1 controls, DEL and lone surrogates; TAB/LF only in free text', () => {
  for (const bad of ['a\u0000b', '\u0007', '\u007f', '\u0085', '\ud800', 'x\udfffy', '\u001b[31m'])
    assert.ok(isBadText(bad), JSON.stringify(bad));
  for (const good of ['plain', 'é客户-7', '😀', 'line\nbreak\ttab\r']) assert.ok(!isBadText(good), good);
  assert.ok(isBadText('a\tb', true));
  assert.ok(isBadText('a\nb', true));
  assert.equal(findBadText({ a: [{ b: 'ok' }, { c: 'x\u0000' }] }), 'a[1].c');
  assert.equal(findBadText({ 'k\u0000': 'v' }), 'k\u0000');
  assert.equal(findBadText({ a: { b: ['fine', 1, null, true] } }), undefined);
});

test('defect 9.4: NUL and lone surrogates are refused with each dialect’s validation code, never a 5xx', async () => {
  const nul = '\u0000';
  const lone = '\ud800';
  // openapi: query, form and JSON alike → 200 with 10011.
  for (const v of [nul, lone]) {
    const p = signed(orderParams(`T-${v === nul ? 'nul' : 'sur'}`, { userId: `u${v}` }), m.securityKey);
    // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
    const json = await postJson(`${env.url}/openapi/v1/createOrder`, JSON.stringify(p));
    assert.equal(json.status, 200);
    assert.equal(json.body.code, 10011, JSON.stringify(json.body));
  }
  // Form and query (URL encoding turns a lone surrogate into U+FFFD, so NUL is what they can carry).
  const p = signed(orderParams('T-nul-form', { userId: `u${nul}` }), m.securityKey);
  const form = await postForm(`${env.url}/openapi/v1/createOrder`, p);
  assert.equal(form.body.code, 10011, JSON.stringify(form.body));
  const query = await getJson(`${env.url}/openapi/v1/getOrderDetail`, { ...p, cpayOrderId: `x${nul}` });
  assert.equal(query.body.code, 10011, JSON.stringify(query.body));
  // A JSON escape of a lone surrogate (what jsonb refuses), at depth.
  const deep = await postJson(
    `${env.url}/openapi/v1/createOrder`,
    `{"merchantId":"${m.merchantId}","userId":"u","extra":{"a":["\\ud800"]}}`,
  );
  assert.equal(deep.body.code, 10011, JSON.stringify(deep.body));
  assert.match(deep.body.msg, /extra\.a\[0\]/);
  // minimal: 400 invalid_param.
  const min = await postJson(`${env.url}/api/start_payment`, `{"merchant_secret":"${m.merchantSecret}\\u0000"}`);
  assert.equal(min.status, 400);
  assert.equal(min.body.code, 'invalid_param');
  // A C1 control in a header-borne identifier (obs-text), sent raw since fetch refuses it.
  const idem = await rawRequest(
    env.url,
    'POST /api/start_payment HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nidempotency-key: k\x85',
    JSON.stringify({ merchant_secret: m.merchantSecret, amount: 1000 }),
  );
  assert.equal(idem.status, 400, idem.body);
  assert.equal(JSON.parse(idem.body).code, 'invalid_param');
  // CinetPay: customer fields go into jsonb → 624 INVALID_PARAMETER.
  for (const v of ['\\u0000', '\\udc00']) {
    const body = JSON.stringify(cinetpayBody()).replace(/}$/, `,"customer_name":"Awa${v}"}`);
    const cp = await postJson(`${env.url}/v2/payment`, body);
    assert.equal(cp.status, 400, JSON.stringify(cp.body));
    assert.equal(cp.body.code, '624');
    assert.ok(cp.body.api_response_id);
  }
  // admin: 400 INVALID_PARAM in its envelope.
  const a = await admin('/merchants', 'POST', {
    brand: `B${nul}`,
    company: 'C',
    website: 'https://x.example',
    email: 'a@b',
  });
  assert.equal(a.status, 400);
  assert.equal(((await a.json()) as { error: string }).error, 'INVALID_PARAM');
  // Path parameters: /watch/<NUL>, /pay/<lone surrogate> (HTML), /payment/<NUL> (HTML).
  const w = await rawRequest(env.url, 'GET /watch/ab%00cd HTTP/1.1\r\nhost: x');
  assert.equal(w.status, 400);
  assert.equal(JSON.parse(w.body).code, 'invalid_param');
  for (const path of ['/pay/%ED%A0%80', '/pay/a%00b', '/payment/a%00b', '/payment/%ED%A0%80']) {
    const r = await rawRequest(env.url, `GET ${path} HTTP/1.1\r\nhost: x`);
    assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
    assert.match(r.headers['content-type']!, /text\/html/, path);
  }
});

test('defect 9.4: 61+ digit amounts are refused in every dialect, not a numeric overflow', async () => {
  const huge = '9'.repeat(61);
  const o = await create(orderParams('HUGE-1', { amount: huge }));
  assert.equal(o.body.code, 10011, JSON.stringify(o.body));
  const o2 = await create(orderParams('HUGE-2', { amount: `${'1'.repeat(31)}.5` }));
  assert.equal(o2.body.code, 10011, JSON.stringify(o2.body));
  const min = await postJson(
    `${env.url}/api/start_payment`,
    `{"merchant_secret":"${m.merchantSecret}","amount":${huge}}`,
  );
  assert.equal(min.status, 400, JSON.stringify(min.body));
  const cp = await postJson(`${env.url}/v2/payment`, cinetpayBody({ amount: huge }));
  assert.equal(cp.status, 400, JSON.stringify(cp.body));
  assert.equal(cp.body.code, '624');
  // The largest accepted shape still works (30 integer digits is a schema bound, not a business one).
  const ok = await create(orderParams('BIG-OK', { amount: '100000' }));
  assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
});

test(
  'defect 9.4: non-numeric admin ids in GET, PATCH, ' + 'rotate-key and rotate-cinetpay are a 400, not a 500',
  async () => {
    for (const [path, method, body] of [
      ['/merchants/abc', 'GET', undefined],
      ['/merchants/abc', 'PATCH', { feeBps: 1 }],
      ['/merchants/1%27%3B--', 'PATCH', { feeBps: 1 }],
      ['/merchants/abc/rotate-key', 'POST', {}],
      ['/merchants/99999999999999999999999/rotate-key', 'POST', {}],
      ['/merchants/abc/rotate-cinetpay', 'POST', {}],
      ['/orders/a%20b', 'GET', undefined],
    ] as const) {
      const r = await admin(path, method, body);
      assert.equal(r.status, 400, `${method} ${path}`);
      const j = (await r.json()) as { error: string; message: string; traceid: string };
      assert.equal(j.error, 'INVALID_PARAM');
      assert.ok(j.traceid);
    }
    assert.equal((await admin('/merchants/424242/rotate-key', 'POST', {})).status, 404);
    assert.equal((await admin(`/merchants/${m.merchantId}`)).status, 200);
  },
);

test(
  'defect 9.4: refusals before a route (414, 400 bad URL, 413, 415, 431, 404, malformed) use the ' +
    'dialect’s envelope, HTML on pages',
  async () => {
    const long = 'x'.repeat(600);
    // 414: a path parameter over the router's limit.
    const a414 = await rawRequest(env.url, `GET /admin/merchants/${long} HTTP/1.1\r\nhost: x`);
    assert.equal(a414.status, 414);
    assert.equal(JSON.parse(a414.body).error, 'INVALID_PARAM');
    const o414 = await rawRequest(env.url, `POST /sandbox/orders/${long}/complete HTTP/1.1\r\nhost: x`);
    assert.equal(o414.status, 414);
    assert.equal(JSON.parse(o414.body).code, 10011);
    const p414 = await rawRequest(env.url, `GET /pay/${long}/status HTTP/1.1\r\nhost: x`);
    assert.equal(p414.status, 414);
    assert.match(p414.headers['content-type']!, /text\/html/);
    // 400: bad percent-encoding in the path.
    const bad = await rawRequest(env.url, 'GET /watch/%E0%A4%A HTTP/1.1\r\nhost: x');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).code, 'invalid_param');
    const badPage = await rawRequest(env.url, 'GET /payment/%FF HTTP/1.1\r\nhost: x');
    assert.equal(badPage.status, 400);
    assert.match(badPage.body, /<!doctype html>/i);
    // 431: headers too large, per dialect from the raw packet's request line.
    const big = `x-pad: ${'a'.repeat(20_000)}`;
    const c431 = await rawRequest(env.url, `POST /v2/payment HTTP/1.1\r\nhost: x\r\n${big}`);
    assert.equal(c431.status, 431);
    assert.equal(JSON.parse(c431.body).code, '624');
    assert.equal(c431.headers['x-trace-id'], JSON.parse(c431.body).api_response_id);
    const m431 = await rawRequest(env.url, `POST /api/start_payment HTTP/1.1\r\nhost: x\r\n${big}`);
    assert.equal(m431.status, 431);
    assert.equal(JSON.parse(m431.body).code, 'invalid_param');
    const o431 = await rawRequest(
      env.url,
      `GET /openapi/v1/getOrderDetail?x=${'y'.repeat(20_000)} HTTP/1.1\r\nhost: x`,
    );
    assert.equal(o431.status, 431);
    assert.equal(JSON.parse(o431.body).code, 10011);
    const page431 = await rawRequest(env.url, `GET /pay/${'a'.repeat(20_000)} HTTP/1.1\r\nhost: x`);
    assert.equal(page431.status, 431);
    assert.match(page431.body, /<!doctype html>/i);
    // Malformed HTTP: the openapi shape (no path to go by).
    const junk = await rawRequest(env.url, 'HELLO THERE');
    assert.equal(junk.status, 400);
    assert.equal(JSON.parse(junk.body).code, 10012);
    // 413 and 415.
    const body413 = 'a'.repeat(1024 * 1024 + 10);
    const o413 = await rawRequest(
      env.url,
      'POST /openapi/v1/createOrder HTTP/1.1\r\nhost: x\r\ncontent-type: application/json',
      body413,
    );
    assert.equal(o413.status, 413);
    assert.equal(JSON.parse(o413.body).code, 10012);
    const c413 = await rawRequest(
      env.url,
      'POST /v2/payment HTTP/1.1\r\nhost: x\r\ncontent-type: application/json',
      body413,
    );
    assert.equal(c413.status, 413);
    assert.ok(JSON.parse(c413.body).api_response_id);
    const o415 = await rawRequest(
      env.url,
      'POST /openapi/v1/createOrder HTTP/1.1\r\nhost: x\r\ncontent-type: text/xml',
      '<a/>',
    );
    assert.equal(o415.status, 415);
    assert.equal(JSON.parse(o415.body).code, 10012);
    // 404 per dialect.
    assert.equal((await getJson(`${env.url}/v2/nope`)).body.code, '404');
    assert.equal((await getJson(`${env.url}/api/nope`)).body.code, 'not_found');
    assert.equal((await getJson(`${env.url}/openapi/v1/nope`)).body.code, 404);
    const a404 = await fetch(`${env.url}/admin/nope`, { headers: { authorization: `Bearer ${env.adminToken}` } });
    assert.equal(a404.status, 404);
    assert.equal(((await a404.json()) as { error: string }).error, 'NOT_FOUND');
    const page404 = await fetch(`${env.url}/pay/a/b/c/d`);
    assert.equal(page404.status, 404);
    assert.match(page404.headers.get('content-type')!, /text\/html/);
  },
);

test('defect 9.12: signed reads that carry createTime are held to the replay window', async () => {
  const created = await create(orderParams('FRESH-1'));
  assert.equal(created.body.code, 0);
  const read = (extra: Record<string, string>) =>
    getJson(
      `${env.url}/openapi/v1/getOrderDetail`,
      signed({ merchantId: String(m.merchantId), merchantTradeNo: 'FRESH-1', ...extra }, m.securityKey),
    );
  assert.equal((await read({ createTime: now() })).body.code, 0);
  assert.equal((await read({})).body.code, 0, 'reads without createTime stay accepted');
  const stale = String(env.clock.now().getTime() - 25 * 3600 * 1000);
  assert.equal((await read({ createTime: stale })).body.code, 10005);
  assert.equal((await read({ createTime: 'yesterday' })).body.code, 10011);
  const bal = await getJson(
    `${env.url}/openapi/v1/getMerchantBalance`,
    signed({ merchantId: String(m.merchantId), createTime: stale }, m.securityKey),
  );
  assert.equal(bal.body.code, 10005);
  const wallet = await getJson(
    `${env.url}/openapi/v1/getWalletAddress`,
    signed({ merchantId: String(m.merchantId), userId: 'u-1', createTime: stale }, m.securityKey),
  );
  assert.equal(wallet.body.code, 10005);
});

test(
  'defect 9.12: identifiers with & or = are refused, ' + 'so two parameter sets cannot share one signed text',
  async () => {
    // {merchantTradeNo: "A&userId=evil"} and {merchantTradeNo: "A", userId: "evil"} would sign alike.
    const forged = { merchantId: String(m.merchantId), merchantTradeNo: 'A&userId=evil', createTime: now() };
    const honest = {
      merchantId: String(m.merchantId),
      merchantTradeNo: 'A',
      userId: 'evil',
      createTime: forged.createTime,
    };
    assert.equal(signParams(forged, m.securityKey), signParams(honest, m.securityKey), 'the canonical text collides');
    const cases: Array<Record<string, string>> = [
      { merchantTradeNo: 'A&userId=evil' },
      { merchantTradeNo: 'A=B' },
      { userId: 'u&amount=1' },
    ];
    for (const extra of cases) {
      const r = await create(orderParams('ID-1', extra));
      assert.equal(r.body.code, 10011, `${JSON.stringify(extra)} → ${JSON.stringify(r.body)}`);
    }
    const lookup = await getJson(
      `${env.url}/openapi/v1/getOrderDetail`,
      signed({ merchantId: String(m.merchantId), merchantTradeNo: 'x=y' }, m.securityKey),
    );
    assert.equal(lookup.body.code, 10011);
    // The seeds' and SDKs' shapes stay valid; user ids may be in any script.
    for (const [no, user] of [
      ['test07', '1001'],
      ['SDK-1.a:b_c', '客户-7'],
      ['1018163312113640372232', 'xxx-1001'],
    ]) {
      const r = await create(orderParams(no!, { userId: user! }));
      assert.equal(r.body.code, 0, `${no}: ${JSON.stringify(r.body)}`);
    }
  },
);

test('defect 9.12: API JSON answers carry cache-control: no-store and x-content-type-options: nosniff', async () => {
  const answers = [
    await fetch(`${env.url}/openapi/v1/getMerchantBalance?merchantId=${m.merchantId}`),
    await fetch(`${env.url}/api/start_payment`, { method: 'POST', body: '{}' }),
    await fetch(`${env.url}/v2/payment/check`, { method: 'POST', body: '{}' }),
    await fetch(`${env.url}/admin/merchants/1`),
    await fetch(`${env.url}/healthz`),
    await fetch(`${env.url}/nowhere`),
  ];
  for (const r of answers) {
    assert.equal(r.headers.get('cache-control'), 'no-store', r.url);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', r.url);
  }
});

test('defect 9.12: /metrics answers only with the admin bearer token', async () => {
  const anon = await fetch(`${env.url}/metrics`);
  assert.equal(anon.status, 401);
  assert.equal(((await anon.json()) as { error: string }).error, 'BAD_ADMIN_TOKEN');
  const wrong = await fetch(`${env.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  const ok = await fetch(`${env.url}/metrics`, { headers: { authorization: `Bearer ${env.adminToken}` } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /tender_http_requests_total/);
});

test('defect 9.12: capability codes in /pay/, /watch/ and /payment/ paths are masked in request logs', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const app = await buildApp({ ...env.deps, log: pino({ level: 'info' }, sink) }, { adminToken: env.adminToken });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const codes = ['PAYCODESECRET123', 'WATCHCODESECRET4', 'PAYMENTSECRET567'];
    await fetch(`${base}/pay/${codes[0]}?lang=en`);
    await fetch(`${base}/pay/${codes[0]}/status`);
    await fetch(`${base}/watch/${codes[1]}`);
    await fetch(`${base}/payment/${codes[2]}`);
    const log = lines.join('');
    assert.match(log, /"url":"\/pay\/PAYC…\?lang=en"/, 'the request line is still logged, masked');
    assert.match(log, /"url":"\/watch\/WATC…"/);
    for (const c of codes) assert.ok(!log.includes(c), `code ${c} appears in the log`);
  } finally {
    await app.close();
  }
});

test('defect 9.12: a client trickling its headers one byte a second is cut off by the server', {
  timeout: 60_000,
}, async () => {
  const { port } = new URL(env.url);
  const s = connect(Number(port), '127.0.0.1');
  const started = Date.now();
  let answer = '';
  s.on('data', (d: Buffer) => {
    answer += d.toString();
  });
  s.on('error', () => {});
  const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
  const header = `GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ${'a'.repeat(200)}`;
  let i = 0;
  const timer = setInterval(() => {
    if (!s.destroyed && i < header.length) s.write(header[i++]!);
  }, 1000);
  try {
    // The server's headersTimeout is 10 s, checked every second: a generous functional bound.
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still open'), 40_000)),
    ]);
    assert.equal(outcome, 'closed', `the connection was still open after ${Date.now() - started} ms`);
    assert.ok(i < header.length, 'the server waited for the whole trickled header');
    assert.match(answer, /^HTTP\/1\.1 408/, 'the client is told why');
  } finally {
    clearInterval(timer);
    s.destroy();
  }
});
