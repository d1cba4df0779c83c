// Seeded fuzz sweep over every route of every dialect (issue 9 defect 4): thousands of requests with
// hostile values (NUL, lone surrogates, controls, 61-digit amounts, odd JSON types, deep nesting, bad
// percent-encoding, over-long values) must produce zero 5xx and every refusal in its dialect's envelope.
// One test env, bounded concurrency; raw-socket cases cover what fetch cannot send.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, postJson, type TestEnv } from './harness.js';
import { rawRequest } from './raw-http.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5200);
const CONCURRENCY = 8;

/** mulberry32: a small seeded PRNG, so a failing case can be replayed with FUZZ_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let env: TestEnv;
let m: MerchantCredentials;
let victim: MerchantCredentials;
const codes = { pay: '', watch: '', payment: '', orderId: '' };
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env);
  victim = await newMerchant(env, { brand: 'Victim' });
  const o = await postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed(
      {
        merchantId: String(m.merchantId),
        merchantTradeNo: 'FUZZ-0',
        createTime: String(Date.now()),
        userId: 'u-1',
        amount: '5',
        cryptoCurrency: 'USDT',
      },
      m.securityKey,
    ),
  );
  codes.pay = new URL(o.body.data.cashierURL).pathname.split('/')[2]!;
  codes.orderId = o.body.data.orderId;
  const mini = await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: 1000 });
  codes.watch = mini.body.watch_code;
  const cp = await postJson(`${env.url}/v2/payment`, {
    apikey: m.apikey,
    site_id: m.siteId,
    transaction_id: 'FUZZ-CP-0',
    amount: 100,
    currency: 'XOF',
    description: 'Fuzz',
    notify_url: 'https://shop.example/n',
    return_url: 'https://shop.example/r',
  });
  codes.payment = cp.body.data.payment_token;
});
after(async () => {
  await env.close();
});

// Hostile text: each reaches PostgreSQL somewhere unless the edge stops it.
const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u202e',
  '\t',
  'line\nbreak',
  '😀',
  '客户-7',
  'é',
  '9'.repeat(61),
  '9'.repeat(80),
  `1.${'0'.repeat(40)}1`,
  '-1',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  '00012',
  '12.50',
  "'; DROP TABLE orders;--",
  '%00',
  '%',
  '&a=b',
  '=',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  'https://evil.example/x',
  'https://shop.example/ok',
  '{"a":1}',
  '[]',
  'null',
  'true',
  'a'.repeat(300),
  'b'.repeat(5000),
  '18446744073709551616',
  '99999999999999999999',
  'USDT',
  'XOF',
  'TRC20',
  'ALL',
  'fr',
];
/** Percent sequences used verbatim in URLs: invalid UTF-8, encoded NUL, lone surrogates, broken escapes. */
const RAW_PCT = ['%ED%A0%80', '%00', '%FF', '%C0%AF', '%E0%A4%A', '%zz', '%', '%F0%9F%98%80', '%2F', 'a%20b'];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as any client's encoder does). */
const enc = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16)}`))
    .join('');
const segment = (r: Rand, good: string) => {
  const x = r();
  if (x < 0.35) return good;
  if (x < 0.6) return pick(r, RAW_PCT);
  return enc(pick(r, NASTY)) || 'x';
};
const nastyJsonValue = (r: Rand): unknown => {
  const x = r();
  if (x < 0.55) return pick(r, NASTY);
  if (x < 0.65) return pick(r, [0, -1, 1.5, 1e300, 1.2345678901234568e29, true, false, null]);
  if (x < 0.75) return [pick(r, NASTY), { k: pick(r, NASTY) }];
  if (x < 0.8) return { [pick(r, NASTY)]: pick(r, NASTY) };
  if (x < 0.85) return JSON.parse(`${'['.repeat(60)}1${']'.repeat(60)}`);
  return { nested: { deeper: [pick(r, NASTY)] } };
};
/** A JSON body whose text may also carry raw escapes or a 61-digit number literal. */
const jsonText = (obj: Record<string, unknown>, r: Rand): string => {
  let t = JSON.stringify(obj);
  if (r() < 0.15) t = t.replace(/}$/, `,"zz":${'9'.repeat(61)}}`);
  if (r() < 0.1) t = t.replace(/}$/, ',"esc":"\\u0000\\udc00"}');
  if (r() < 0.05) t = t.slice(0, Math.floor(t.length / 2));
  return t;
};

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

function mutate(r: Rand, base: Record<string, string>, fields: string[]): Record<string, string> {
  const out = { ...base };
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const f = r() < 0.85 ? pick(r, fields) : pick(r, NASTY) || 'k';
    if (r() < 0.1) delete out[f];
    else out[f] = pick(r, NASTY);
  }
  return out;
}

const query = (p: Record<string, string>) =>
  Object.entries(p)
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');

function openapiReq(r: Rand): Req {
  const prefix = r() < 0.7 ? '/openapi/v1' : '/openapi/v1/openapi/v1';
  const route = pick(r, ['createOrder', 'getOrderDetail', 'getWalletAddress', 'getMerchantBalance']);
  const base: Record<string, string> = {
    merchantId: String(m.merchantId),
    merchantTradeNo: `FZ-${Math.floor(r() * 1e9)}`,
    createTime: String(Date.now()),
    userId: 'u-1',
    amount: '1.5',
    cryptoCurrency: 'USDT',
    network: 'TRC20',
    cpayOrderId: codes.orderId,
    hash: 'abc',
    callbackURL: 'https://shop.example/cb',
  };
  const fields = [...Object.keys(base), 'successURL', 'failURL', 'callBackURL', 'sign'];
  let p = mutate(r, base, fields);
  if (r() < 0.75) p = signed(p, m.securityKey);
  else p.sign = pick(r, NASTY);
  const method = route === 'createOrder' ? 'POST' : 'GET';
  const how = method === 'GET' ? 'query' : pick(r, ['query', 'form', 'json', 'json']);
  if (how === 'query') return { method, path: `${prefix}/${route}?${query(p)}` };
  if (how === 'form')
    return {
      method,
      path: `${prefix}/${route}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: query(p),
    };
  const obj: Record<string, unknown> = { ...p };
  if (r() < 0.3) obj[pick(r, fields)] = nastyJsonValue(r);
  return {
    method,
    path: `${prefix}/${route}`,
    headers: { 'content-type': 'application/json' },
    body: jsonText(obj, r),
  };
}

function minimalReq(r: Rand): Req {
  if (r() < 0.35) return { method: 'GET', path: `/watch/${segment(r, codes.watch)}` };
  const obj: Record<string, unknown> = {
    merchant_secret: r() < 0.8 ? m.merchantSecret : pick(r, NASTY),
    amount: r() < 0.5 ? pick(r, NASTY) : r() < 0.5 ? 1000 : nastyJsonValue(r),
    currency: r() < 0.6 ? 'XOF' : pick(r, NASTY),
  };
  const headers: Record<string, string> = { 'content-type': pick(r, ['application/json', 'text/plain', 'x/y']) };
  if (r() < 0.2) headers['idempotency-key'] = pick(r, ['k1', 'a'.repeat(100), 'key-with-dash', '=&']);
  return { method: 'POST', path: '/api/start_payment', headers, body: jsonText(obj, r) };
}

function cinetpayReq(r: Rand): Req {
  const check = r() < 0.3;
  const base: Record<string, string> = {
    apikey: m.apikey,
    site_id: m.siteId,
    transaction_id: check ? 'FUZZ-CP-0' : `FZ-${Math.floor(r() * 1e9)}`,
    amount: '100',
    currency: 'XOF',
    description: 'Fuzz',
    notify_url: 'https://shop.example/n',
    return_url: 'https://shop.example/r',
    channels: 'ALL',
    lang: 'fr',
    customer_name: 'Awa',
    customer_email: 'a@b.c',
    customer_country: 'CI',
  };
  const fields = [...Object.keys(base), 'token', 'metadata', 'invoice_data', 'lock_phone_number', 'customer_id'];
  const p = mutate(r, base, fields);
  const path = check ? '/v2/payment/check' : '/v2/payment';
  if (r() < 0.3)
    return { method: 'POST', path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query(p) };
  const obj: Record<string, unknown> = { ...p };
  if (r() < 0.4) obj[pick(r, fields)] = nastyJsonValue(r);
  return { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: jsonText(obj, r) };
}

function adminReq(r: Rand): Req {
  const auth = r() < 0.9 ? { authorization: `Bearer ${env.adminToken}` } : { authorization: pick(r, ['Bearer x', '']) };
  const json = { ...auth, 'content-type': 'application/json' };
  const id = segment(r, String(victim.merchantId));
  const oid = segment(r, codes.orderId);
  const body = () =>
    jsonText(
      Object.fromEntries(
        ['brand', 'company', 'website', 'email', 'callbackUrl', 'webhookFormat', 'feeBps', 'defaultCurrency']
          .filter(() => r() < 0.5)
          .map((k) => [k, nastyJsonValue(r)]),
      ),
      r,
    );
  switch (Math.floor(r() * 8)) {
    case 0:
      return { method: 'GET', path: `/admin/merchants/${id}`, headers: auth };
    case 1:
      return { method: 'PATCH', path: `/admin/merchants/${id}`, headers: json, body: body() };
    case 2:
      return { method: 'POST', path: `/admin/merchants/${id}/rotate-key`, headers: json, body: '{}' };
    case 3:
      return { method: 'POST', path: `/admin/merchants/${id}/rotate-cinetpay`, headers: json, body: body() };
    case 4:
      return { method: 'POST', path: '/admin/merchants', headers: json, body: body() };
    case 5:
      return { method: 'GET', path: `/admin/orders/${oid}`, headers: auth };
    case 6:
      return { method: 'POST', path: `/admin/orders/${oid}/webhooks/resend`, headers: json, body: '{}' };
    default:
      return {
        method: 'GET',
        path: `/admin/deposit-addresses?merchantId=${segment(r, '1')}&balances=1`,
        headers: auth,
      };
  }
}

function pageReq(r: Rand): Req {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const q = () => `?${query({ lang: pick(r, ['en', 'fr', ...NASTY]), redirect: pick(r, NASTY) })}`;
  if (r() < 0.5) {
    const code = segment(r, codes.pay);
    switch (Math.floor(r() * 4)) {
      case 0:
        return { method: 'GET', path: `/pay/${code}${r() < 0.5 ? q() : ''}` };
      case 1:
        return { method: 'GET', path: `/pay/${code}/status` };
      case 2:
        return {
          method: 'POST',
          path: `/pay/${code}/network`,
          headers: form,
          body: query({ network: pick(r, NASTY) }),
        };
      default:
        return {
          method: 'POST',
          path: `/pay/${code}/sandbox`,
          headers: form,
          body: query({ outcome: pick(r, NASTY) }),
        };
    }
  }
  const code = segment(r, codes.payment);
  switch (Math.floor(r() * 5)) {
    case 0:
      return { method: 'GET', path: `/payment/${code}${r() < 0.5 ? q() : ''}` };
    case 1:
      return { method: 'GET', path: `/payment/${code}/status` };
    case 2:
      return {
        method: 'POST',
        path: `/payment/${code}/mobile-money`,
        headers: form,
        body: query({ operator: pick(r, NASTY), phone_prefix: pick(r, NASTY), phone: pick(r, NASTY) }),
      };
    case 3:
      return { method: 'POST', path: `/payment/${code}/otp`, headers: form, body: query({ otp: pick(r, NASTY) }) };
    default:
      return { method: 'POST', path: `/payment/${code}/card`, headers: form, body: query({ outcome: pick(r, NASTY) }) };
  }
}

function otherReq(r: Rand): Req {
  switch (Math.floor(r() * 5)) {
    case 0:
      return {
        method: 'POST',
        path: `/sandbox/orders/${segment(r, 'no-such-order')}/${pick(r, ['complete', 'fail'])}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      };
    case 1:
      return { method: 'GET', path: `/healthz?${query({ x: pick(r, NASTY) })}` };
    case 2:
      return {
        method: 'GET',
        path: '/metrics',
        headers: r() < 0.5 ? { authorization: `Bearer ${env.adminToken}` } : {},
      };
    default:
      return { method: pick(r, ['GET', 'POST', 'DELETE']), path: `/${segment(r, 'nothing')}/${segment(r, 'here')}` };
  }
}

const GENERATORS = [openapiReq, openapiReq, minimalReq, cinetpayReq, cinetpayReq, adminReq, pageReq, pageReq, otherReq];

/** What is wrong with an answer to `path`, or undefined when it is in the dialect's envelope. */
export function envelopeProblem(path: string, status: number, type: string, text: string): string | undefined {
  if (status >= 500) return `HTTP ${status}`;
  const p = path.split('?')[0]!;
  const page = p.startsWith('/pay/') || p.startsWith('/payment/');
  if (page) {
    if (status < 400) return undefined;
    if (/\/status$/.test(p) && type.includes('json')) return undefined;
    return type.includes('text/html') && /<!doctype html>/i.test(text) ? undefined : 'page refusal is not HTML';
  }
  if (p === '/metrics' && status === 200) return undefined;
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'not JSON';
  }
  if (p === '/healthz' && status < 400) return typeof j.status === 'string' ? undefined : 'healthz shape';
  if (p.startsWith('/api/') || p.startsWith('/watch')) {
    if (status < 400) return undefined;
    return typeof j.code === 'string' && typeof j.message === 'string' ? undefined : 'minimal envelope';
  }
  if (p.startsWith('/v2/'))
    return typeof j.code === 'string' && typeof j.message === 'string' && typeof j.api_response_id === 'string'
      ? undefined
      : 'cinetpay envelope';
  if (p.startsWith('/admin/') || p === '/metrics') {
    if (status < 400) return undefined;
    return typeof j.error === 'string' && typeof j.message === 'string' && typeof j.traceid === 'string'
      ? undefined
      : 'admin envelope';
  }
  if (typeof j.code !== 'number' || typeof j.msg !== 'string' || typeof j.traceid !== 'string' || !('data' in j))
    return 'openapi envelope';
  if (j.code !== 0 && j.data !== null) return 'openapi refusal with data';
  if (status !== 200 && ![400, 404, 413, 414, 415, 431].includes(status)) return `openapi HTTP ${status}`;
  return undefined;
}

test('defect 9.4: seeded fuzz sweep — zero 5xx and every refusal in its dialect’s envelope', {
  timeout: 240_000,
}, async () => {
  const r = prng(SEED);
  const reqs: Req[] = Array.from({ length: REQUESTS }, () => pick(r, GENERATORS)(r));
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < reqs.length) {
      const q = reqs[next++]!;
      let res: Response;
      try {
        res = await fetch(`${env.url}${q.path}`, {
          method: q.method,
          headers: q.headers,
          body: q.body,
          redirect: 'manual',
        });
      } catch (e) {
        problems.push(`${q.method} ${q.path.slice(0, 120)}: fetch failed ${(e as Error).message}`);
        continue;
      }
      const text = await res.text();
      const route = q.path.split('?')[0]!.split('/').slice(0, 3).join('/');
      seen.set(route, (seen.get(route) ?? 0) + 1);
      const problem =
        envelopeProblem(q.path, res.status, res.headers.get('content-type') ?? '', text) ??
        (res.headers.get('x-content-type-options') === 'nosniff' ? undefined : 'no nosniff header');
      if (problem)
        problems.push(
          `${q.method} ${q.path.slice(0, 120)} ${q.body?.slice(0, 200) ?? ''} → ${problem}: ${text.slice(0, 200)}`,
        );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  assert.ok(reqs.length >= 5000);
  for (const prefix of [
    '/openapi/v1',
    '/api/start_payment',
    '/watch/',
    '/v2/payment',
    '/admin/merchants',
    '/pay/',
    '/payment/',
    '/sandbox/orders',
    '/healthz',
    '/metrics',
  ])
    assert.ok(
      [...seen.keys()].some((k) => k.startsWith(prefix.replace(/\/$/, ''))),
      `no request reached ${prefix}`,
    );
  assert.deepEqual(problems.slice(0, 15), [], `${problems.length} bad answers of ${reqs.length} (seed ${SEED})`);
});

test(
  'defect 9.4: raw-socket cases (bad percent-encoding, NUL, lone surrogates, invalid UTF-8, 414, 431) ' +
    'stay in the envelope',
  async () => {
    const paths = [
      '/openapi/v1/getOrderDetail?merchantId=%ED%A0%80&sign=%00',
      '/openapi/v1/getOrderDetail?merchantId=1&cpayOrderId=%00',
      '/openapi/v1/openapi/v1/getMerchantBalance?merchantId=%FF%FE',
      `/openapi/v1/createOrder?merchantId=${m.merchantId}&amount=${'9'.repeat(61)}`,
      '/watch/%ED%A0%80',
      '/watch/%00',
      '/watch/%E0%A4%A',
      '/pay/%ED%A0%80',
      '/pay/%00/status',
      '/pay/%C0%AF',
      '/payment/%ED%A0%80?lang=en',
      '/payment/%00',
      '/admin/merchants/%00',
      '/admin/merchants/%ED%A0%80/rotate-key',
      `/admin/merchants/${'1'.repeat(600)}`,
      `/sandbox/orders/${'o'.repeat(600)}/complete`,
      '/v2/payment/%00',
      '/healthz?x=%00',
      '/%ED%A0%80',
    ];
    const methodOf = (p: string) => (/createOrder|rotate-key|complete|\/v2\//.test(p) ? 'POST' : 'GET');
    const auth = `authorization: Bearer ${env.adminToken}`;
    for (const path of paths) {
      const res = await rawRequest(env.url, `${methodOf(path)} ${path} HTTP/1.1\r\nhost: x\r\n${auth}`);
      assert.equal(
        envelopeProblem(path, res.status, res.headers['content-type'] ?? '', res.body),
        undefined,
        `${path}: ${res.status} ${res.body.slice(0, 200)}`,
      );
    }
    // Raw invalid UTF-8 bytes (not percent-encoded) in the target, and in a JSON body.
    const rawUtf8 = await rawRequest(env.url, 'GET /watch/\xff\xfe HTTP/1.1\r\nhost: x');
    assert.ok(rawUtf8.status < 500, rawUtf8.body);
    const badBody = await rawRequest(
      env.url,
      'POST /v2/payment HTTP/1.1\r\nhost: x\r\ncontent-type: application/json',
      '{"apikey":"\udc00","site_id":"\u0000"}',
    );
    assert.equal(
      envelopeProblem('/v2/payment', badBody.status, badBody.headers['content-type'] ?? '', badBody.body),
      undefined,
    );
    // 431 and over-long URLs per dialect.
    for (const path of [
      '/openapi/v1/createOrder',
      '/api/start_payment',
      '/v2/payment',
      '/admin/merchants',
      '/pay/x',
      '/payment/x',
    ]) {
      const res = await rawRequest(env.url, `GET ${path}?q=${'z'.repeat(20_000)} HTTP/1.1\r\nhost: x`);
      assert.equal(res.status, 431, path);
      assert.equal(
        envelopeProblem(path, res.status, res.headers['content-type'] ?? '', res.body),
        undefined,
        `${path}: ${res.body.slice(0, 200)}`,
      );
    }
  },
);
