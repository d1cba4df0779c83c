// The minimal dialect (seed 003) over real HTTP on a real PostgreSQL: start_payment, watch, errors,
// the Idempotency-Key extension and its races, and every terminal status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, type TestEnv } from './harness.js';
import { sandboxSettle } from './sandbox-settle.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { expireDueOrders } from '../src/core/payments.js';

let env: TestEnv;
let m: MerchantCredentials;
let xof: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env, { brand: 'Minimal Shop' });
  xof = await newMerchant(env, { brand: 'Boutique Dakar', defaultCurrency: 'XOF' });
});
after(async () => {
  await env.close();
});

interface Raw {
  status: number;
  text: string;
  body: any;
  type: string | null;
}

async function send(path: string, init: RequestInit = {}): Promise<Raw> {
  const res = await fetch(`${env.url}${path}`, init);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* asserted by the caller */
  }
  return { status: res.status, text, body, type: res.headers.get('content-type') };
}

const start = (body: unknown, headers: Record<string, string> = {}) =>
  send('/api/start_payment', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const watch = (code: string) => send(`/watch/${encodeURIComponent(code)}`);
const orderIdOf = async (watchCode: string): Promise<string> => {
  const { rows } = await env.deps.db.query('SELECT id FROM orders WHERE watch_code = $1', [watchCode]);
  assert.equal(rows.length, 1, `no order for watch code ${watchCode}`);
  return rows[0].id as string;
};
const WALL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function assertError(r: Raw, status: number, what: string): void {
  assert.equal(r.status, status, `${what}: ${r.status} ${r.text}`);
  assert.match(r.type ?? '', /application\/json/, what);
  assert.equal(typeof r.body?.code, 'string', `${what}: ${r.text}`);
  assert.ok(r.body.code.length > 0, what);
  assert.equal(typeof r.body.message, 'string', `${what}: ${r.text}`);
  assert.ok(r.body.message.length > 0, what);
}

test('start_payment answers the seed shape and watch shows a created payment', async () => {
  const before = new Date(Math.floor(env.clock.now().getTime() / 1000) * 1000);
  const r = await start({ merchant_secret: m.merchantSecret, amount: 1000 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), ['code', 'message', 'watch_code']);
  assert.equal(r.body.message, 'Payment started');
  assert.equal(typeof r.body.code, 'string');
  assert.equal(typeof r.body.watch_code, 'string');
  assert.notEqual(r.body.code, r.body.watch_code);
  assert.ok(r.body.code.length >= 16 && r.body.watch_code.length >= 16, 'codes must be unguessable');

  const w = await watch(r.body.watch_code);
  assert.equal(w.status, 200, w.text);
  assert.match(w.type ?? '', /application\/json/);
  assert.deepEqual(Object.keys(w.body).sort(), ['amount', 'completed_at', 'created_at', 'merchant', 'status']);
  assert.equal(w.body.status, 'created');
  assert.equal(w.body.merchant, 'Minimal Shop');
  assert.equal(w.body.completed_at, null);
  assert.match(w.body.created_at, WALL);
  const created = new Date(`${w.body.created_at.replace(' ', 'T')}Z`);
  assert.ok(
    created >= before && created.getTime() <= env.clock.now().getTime(),
    `created_at ${w.body.created_at} is UTC and now`,
  );
  assert.match(w.text, /"amount":1000[,}]/);

  // The pay code opens the hosted page, the watch code does not (and vice versa).
  assert.equal((await fetch(`${env.url}/pay/${r.body.code}`)).status, 200);
  assert.equal((await fetch(`${env.url}/pay/${r.body.watch_code}`)).status, 404);
  assertError(await watch(r.body.code), 404, 'pay code used as watch code');
});

test('watch echoes the amount exactly as it was given', async () => {
  const cases: Array<[string, RegExp, unknown]> = [
    ['1000', /"amount":1000[,}]/, 1000],
    ['12.50', /"amount":12\.50[,}]/, 12.5],
    ['"7"', /"amount":"7"[,}]/, '7'],
    ['0.10', /"amount":0\.10[,}]/, 0.1],
    ['"19.99"', /"amount":"19\.99"[,}]/, '19.99'],
  ];
  for (const [raw, echo, parsed] of cases) {
    const r = await start(`{"merchant_secret": ${JSON.stringify(m.merchantSecret)}, "amount": ${raw}}`);
    assert.equal(r.status, 200, `${raw}: ${r.text}`);
    const w = await watch(r.body.watch_code);
    assert.match(w.text, echo, `${raw} echoed as ${w.text}`);
    assert.deepEqual(w.body.amount, parsed);
  }
  // Stored in minor units of the merchant's default currency.
  const r = await start(`{"merchant_secret": ${JSON.stringify(m.merchantSecret)}, "amount": 12.50}`);
  const { rows } = await env.deps.db.query(
    'SELECT amount::text AS amount, currency, dialect FROM orders WHERE watch_code = $1',
    [r.body.watch_code],
  );
  assert.deepEqual(rows[0], { amount: '1250', currency: 'USD', dialect: 'minimal' });
});

test('currency: the merchant default, or the optional currency field', async () => {
  const dflt = await start({ merchant_secret: xof.merchantSecret, amount: 5000 });
  assert.equal(dflt.status, 200, dflt.text);
  const overridden = await start({ merchant_secret: xof.merchantSecret, amount: '12.5', currency: 'EUR' });
  assert.equal(overridden.status, 200, overridden.text);
  const lower = await start({ merchant_secret: xof.merchantSecret, amount: 3, currency: 'usd' });
  assert.equal(lower.status, 200, lower.text);
  const q = 'SELECT amount::text AS amount, currency FROM orders WHERE watch_code = $1';
  assert.deepEqual((await env.deps.db.query(q, [dflt.body.watch_code])).rows[0], { amount: '5000', currency: 'XOF' });
  assert.deepEqual((await env.deps.db.query(q, [overridden.body.watch_code])).rows[0], {
    amount: '1250',
    currency: 'EUR',
  });
  assert.deepEqual((await env.deps.db.query(q, [lower.body.watch_code])).rows[0], { amount: '300', currency: 'USD' });
  // XOF has no minor unit: a fraction cannot be charged.
  assertError(await start({ merchant_secret: xof.merchantSecret, amount: 10.5 }), 400, 'fraction of XOF');
  const w = await watch(dflt.body.watch_code);
  assert.equal(w.body.merchant, 'Boutique Dakar');
});

test('validation errors are 400 with a string code and a message, and create nothing', async () => {
  const {
    rows: [{ n: before }],
  } = await env.deps.db.query('SELECT count(*)::int AS n FROM orders');
  const s = JSON.stringify(m.merchantSecret);
  const cases: Array<[string, string]> = [
    ['missing amount', `{"merchant_secret": ${s}}`],
    ['null amount', `{"merchant_secret": ${s}, "amount": null}`],
    ['empty amount', `{"merchant_secret": ${s}, "amount": ""}`],
    ['negative', `{"merchant_secret": ${s}, "amount": -5}`],
    ['negative string', `{"merchant_secret": ${s}, "amount": "-5"}`],
    ['zero', `{"merchant_secret": ${s}, "amount": 0}`],
    ['zero with decimals', `{"merchant_secret": ${s}, "amount": 0.00}`],
    ['exponent', `{"merchant_secret": ${s}, "amount": 1e3}`],
    ['exponent string', `{"merchant_secret": ${s}, "amount": "1E3"}`],
    ['too many decimals', `{"merchant_secret": ${s}, "amount": 1.234}`],
    ['words', `{"merchant_secret": ${s}, "amount": "ten"}`],
    ['boolean', `{"merchant_secret": ${s}, "amount": true}`],
    ['object', `{"merchant_secret": ${s}, "amount": {"value": 1}}`],
    ['array', `{"merchant_secret": ${s}, "amount": [1]}`],
    ['spaces', `{"merchant_secret": ${s}, "amount": " 10 "}`],
    ['leading zero', `{"merchant_secret": ${s}, "amount": "010"}`],
    ['huge', `{"merchant_secret": ${s}, "amount": ${'9'.repeat(90)}}`],
    ['unsupported currency', `{"merchant_secret": ${s}, "amount": 10, "currency": "DOGE"}`],
    ['currency not a string', `{"merchant_secret": ${s}, "amount": 10, "currency": 840}`],
    ['not JSON', 'amount=10'],
    ['truncated JSON', `{"merchant_secret": ${s}, "amount": 10`],
    ['JSON array', `[${s}, 10]`],
    ['JSON string', JSON.stringify('hello')],
    ['empty body', ''],
  ];
  const codes = new Map<string, string>();
  for (const [what, body] of cases) {
    const r = await start(body);
    assertError(r, 400, what);
    codes.set(what, r.body.code);
  }
  assert.equal(codes.get('unsupported currency'), 'unsupported_currency');
  assert.equal(codes.get('missing amount'), 'missing_param');
  assert.equal(codes.get('not JSON'), 'malformed_body');
  // Bodies that are not JSON at all, whatever the content type says.
  const form = await send('/api/start_payment', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ merchant_secret: m.merchantSecret, amount: '10' }).toString(),
  });
  assertError(form, 400, 'form body');
  const plain = await send('/api/start_payment', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'hello',
  });
  assertError(plain, 400, 'text/plain body');
  const none = await send('/api/start_payment', { method: 'POST' });
  assertError(none, 400, 'no body at all');
  const {
    rows: [{ n: after }],
  } = await env.deps.db.query('SELECT count(*)::int AS n FROM orders');
  assert.equal(after, before);
});

test('a JSON body is read whatever content type the client sent (curl -d sends form-urlencoded)', async () => {
  const body = JSON.stringify({ merchant_secret: m.merchantSecret, amount: 25 });
  for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-8']) {
    const r = await send('/api/start_payment', { method: 'POST', headers: { 'content-type': type }, body });
    assert.equal(r.status, 200, `${type}: ${r.text}`);
    assert.equal(r.body.message, 'Payment started');
  }
});

test('merchant_secret missing or wrong is 401; checked before anything else', async () => {
  assertError(await start({ amount: 10 }), 401, 'missing secret');
  assertError(await start({ merchant_secret: '', amount: 10 }), 401, 'empty secret');
  assertError(await start({ merchant_secret: 'msk_nope', amount: 10 }), 401, 'wrong secret');
  assertError(await start({ merchant_secret: `${m.merchantSecret}x`, amount: 10 }), 401, 'secret with a suffix');
  assertError(await start({ merchant_secret: 12345, amount: 10 }), 401, 'numeric secret');
  // The security key of the openapi dialect is another credential; it is not a merchant secret.
  assertError(await start({ merchant_secret: m.securityKey, amount: 10 }), 401, 'security key as secret');
  // Wrong secret with a bad amount: auth first, so nothing leaks about validation to strangers.
  const r = await start({ merchant_secret: 'msk_nope', amount: -1 });
  assertError(r, 401, 'wrong secret and bad amount');
  assert.equal(r.body.code, 'bad_merchant_secret');
  assert.doesNotMatch(r.text, new RegExp(m.merchantSecret));
});

test('watch: unknown codes are 404 in the dialect format', async () => {
  for (const code of ['nope', 'x'.repeat(200), '%27%20OR%201%3D1--']) {
    const r = await send(`/watch/${code}`);
    assertError(r, 404, `watch ${code.slice(0, 20)}`);
  }
});

test('completed, failed and expired payments each show in watch', async () => {
  const okay = await start({ merchant_secret: m.merchantSecret, amount: '42.00' });
  const okId = await orderIdOf(okay.body.watch_code);
  const done = await sandboxSettle(env, okId, 'complete');
  assert.equal(done.body.data.status, '14', JSON.stringify(done.body));
  const w = await watch(okay.body.watch_code);
  assert.equal(w.body.status, 'completed');
  assert.match(w.body.completed_at, WALL);
  assert.ok(w.body.completed_at >= w.body.created_at);
  assert.equal(w.body.amount, '42.00');

  const bad = await start({ merchant_secret: m.merchantSecret, amount: 3 });
  const badId = await orderIdOf(bad.body.watch_code);
  assert.equal((await sandboxSettle(env, badId, 'fail')).body.data.status, '15');
  const wf = await watch(bad.body.watch_code);
  assert.equal(wf.body.status, 'failed');
  assert.equal(wf.body.completed_at, null);

  const late = await start({ merchant_secret: m.merchantSecret, amount: 4 });
  const {
    rows: [{ secs }],
  } = await env.deps.db.query(
    'SELECT extract(epoch FROM expires_at - created_at)::int AS secs FROM orders WHERE watch_code = $1',
    [late.body.watch_code],
  );
  env.clock.advance(secs + 1);
  try {
    assert.ok((await expireDueOrders(env.deps)) >= 1);
  } finally {
    env.clock.advance(-(secs + 1));
  }
  const we = await watch(late.body.watch_code);
  assert.equal(we.body.status, 'expired');
  assert.equal(we.body.completed_at, null);
  // The page of an expired minimal payment offers no buttons.
  const page = await (await fetch(`${env.url}/pay/${late.body.code}`)).text();
  assert.doesNotMatch(page, /id="pay"/);
});

test('Idempotency-Key: a retry returns the same payment; another request with the key is 409', async () => {
  const key = 'retry-key-1';
  const a = await start({ merchant_secret: m.merchantSecret, amount: 15 }, { 'idempotency-key': key });
  const b = await start({ merchant_secret: m.merchantSecret, amount: 15 }, { 'idempotency-key': key });
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(b.body, a.body);
  const c = await start({ merchant_secret: m.merchantSecret, amount: 16 }, { 'idempotency-key': key });
  assertError(c, 409, 'same key, other amount');
  assert.doesNotMatch(c.body.message, /merchantTradeNo/, 'the message speaks the dialect');
  const d = await start({ merchant_secret: m.merchantSecret, amount: 15, currency: 'EUR' }, { 'idempotency-key': key });
  assertError(d, 409, 'same key, other currency');
  // The key belongs to one merchant: another merchant's same key is another payment.
  const e = await start({ merchant_secret: xof.merchantSecret, amount: 15 }, { 'idempotency-key': key });
  assert.equal(e.status, 200, e.text);
  assert.notEqual(e.body.code, a.body.code);
  // Without a key, two identical requests are two payments.
  const f = await start({ merchant_secret: m.merchantSecret, amount: 15 });
  const g = await start({ merchant_secret: m.merchantSecret, amount: 15 });
  assert.notEqual(f.body.code, g.body.code);
  // Keys longer than 64 characters are refused rather than silently truncated into a collision.
  const long = await start({ merchant_secret: m.merchantSecret, amount: 15 }, { 'idempotency-key': 'k'.repeat(65) });
  assertError(long, 400, 'long idempotency key');
  // A failed validation does not burn the key.
  const bad = await start({ merchant_secret: m.merchantSecret, amount: -1 }, { 'idempotency-key': 'retry-key-2' });
  assertError(bad, 400, 'bad amount with key');
  const good = await start({ merchant_secret: m.merchantSecret, amount: 1 }, { 'idempotency-key': 'retry-key-2' });
  assert.equal(good.status, 200, good.text);
});

test('20 concurrent requests with one Idempotency-Key make exactly one payment', async () => {
  const key = 'race-key-1';
  const results = await Promise.all(
    Array.from({ length: 20 }, () =>
      start({ merchant_secret: m.merchantSecret, amount: 99 }, { 'idempotency-key': key }),
    ),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    Array(20).fill(200),
    results.map((r) => r.text).join('\n'),
  );
  assert.equal(new Set(results.map((r) => r.body.code)).size, 1);
  assert.equal(new Set(results.map((r) => r.body.watch_code)).size, 1);
  const { rows } = await env.deps.db.query('SELECT id FROM orders WHERE merchant_trade_no = $1', [`idem:${key}`]);
  assert.equal(rows.length, 1);
  const ev = await env.deps.db.query('SELECT count(*)::int AS n FROM order_events WHERE order_id = $1', [rows[0].id]);
  assert.equal(ev.rows[0].n, 1);
});

test('concurrent payments without a key are all distinct and all watchable', async () => {
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => start({ merchant_secret: m.merchantSecret, amount: i + 1 })),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    Array(20).fill(200),
  );
  assert.equal(new Set(results.map((r) => r.body.code)).size, 20);
  const watched = await Promise.all(results.map((r) => watch(r.body.watch_code)));
  assert.deepEqual(
    watched.map((w) => w.body.amount),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
});

test('watch always answers valid JSON, whatever amount text another dialect stored', async () => {
  const r = await start({ merchant_secret: m.merchantSecret, amount: 8 });
  await env.deps.db.query('UPDATE orders SET amount_text = \'8,00 "USD"\' WHERE watch_code = $1', [r.body.watch_code]);
  const w = await watch(r.body.watch_code);
  assert.equal(w.status, 200);
  assert.equal(w.body.amount, '8,00 "USD"');
});
