// Issue 10, items 2, 4, 6 and 7: merchant code written against seed 001 and the CPay reference works
// unchanged. Webhook answers of either generation, answer types as each endpoint's own document shows them
// (read from the seed at test time), Postman's multipart/form-data bodies, and the networks' short names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import {
  startTestEnv,
  newMerchant,
  signed,
  postForm,
  getJson,
  webhookReceiver,
  sleep,
  type TestEnv,
} from './harness.js';
import { sandboxSettle } from './sandbox-settle.js';
import { offlineCryptoEnv } from './reference-keys.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { isAcknowledged } from '../src/domain/webhook-payload.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

let env: TestEnv;
let dispatcher: Dispatcher;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv({ ...offlineCryptoEnv(), TENDER_WEBHOOK_BACKOFF: '0,1,1' });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
  m = await newMerchant(env);
});
after(async () => {
  await dispatcher.stop();
  await env.close();
});

let seq = 0;
const orderParams = (mc: MerchantCredentials, extra: Record<string, string> = {}) => ({
  merchantId: String(mc.merchantId),
  merchantTradeNo: `CMP-${++seq}`,
  createTime: String(Date.now()),
  userId: 'u-1',
  amount: '12.5',
  cryptoCurrency: 'USDT',
  ...extra,
});
const createOrder = (p: Record<string, string>) =>
  postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));

async function okAttempts(orderId: string): Promise<boolean[]> {
  const { rows } = await env.deps.db.query(
    `SELECT a.ok FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
     WHERE d.order_id = $1 ORDER BY a.attempt_no`,
    [orderId],
  );
  return rows.map((r) => r.ok as boolean);
}

async function waitDelivered(orderId: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await env.deps.db.query(
      "SELECT count(*)::int AS n FROM webhook_deliveries WHERE order_id = $1 AND state = 'delivered'",
      [orderId],
    );
    if (rows[0].n >= 1) return;
    await sleep(50);
  }
  throw new Error(`the webhook of ${orderId} was never acknowledged: ${JSON.stringify(await okAttempts(orderId))}`);
}

// ---------- 10.2 acknowledgement ----------

test(
  'issue 10.2: a cpay-format merchant answering OK (seed ' + '001 §15) is acknowledged, not retried to give-up',
  async () => {
    // HTTP 500 with the right word and a near-miss word are retried; " ok\n" is the acknowledgement.
    const rx = await webhookReceiver([
      { status: 500, body: 'OK' },
      { status: 200, body: 'OKAY' },
      { status: 200, body: ' ok\n' },
    ]);
    try {
      const mc = await newMerchant(env, { callbackUrl: rx.url });
      const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(orderParams(mc), mc.securityKey));
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      await sandboxSettle(env, r.body.data.orderId, 'complete');
      await rx.waitFor(3);
      await waitDelivered(r.body.data.orderId);
      assert.deepEqual(await okAttempts(r.body.data.orderId), [false, false, true]);
      assert.ok(rx.calls[0]!.form.has('param'), 'the merchant is on the default cpay format');
      await sleep(300);
      assert.equal(rx.calls.length, 3, 'nothing is sent once acknowledged');
    } finally {
      await rx.close();
    }
  },
);

test('issue 10.2: a cpay-legacy merchant answering success (the newer reference) is acknowledged', async () => {
  const rx = await webhookReceiver([
    { status: 200, body: 'fail' },
    { status: 202, body: 'Success\r\n' },
  ]);
  try {
    const mc = await newMerchant(env, { callbackUrl: rx.url, webhookFormat: 'cpay-legacy' });
    const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(orderParams(mc), mc.securityKey));
    await sandboxSettle(env, r.body.data.orderId, 'fail');
    await rx.waitFor(2);
    await waitDelivered(r.body.data.orderId);
    assert.deepEqual(await okAttempts(r.body.data.orderId), [false, true]);
  } finally {
    await rx.close();
  }
});

test('issue 10.2: the acknowledgement rule, answer by answer, in both cpay formats (CinetPay unchanged)', () => {
  for (const format of ['cpay', 'cpay-legacy'] as const) {
    for (const body of ['OK', 'ok', ' Ok \n', 'success', 'SUCCESS', '\tsuccess ']) {
      assert.equal(isAcknowledged(format, 200, body), true, `${format} ${JSON.stringify(body)}`);
      assert.equal(isAcknowledged(format, 204, body), true, `${format} 204`);
    }
    for (const body of ['', 'fail', 'OKAY', 'o k', 'success!', '{"code":"OK"}', 'successOK']) {
      assert.equal(isAcknowledged(format, 200, body), false, `${format} ${JSON.stringify(body)}`);
    }
    for (const status of [199, 301, 400, 500, 503]) assert.equal(isAcknowledged(format, status, 'OK'), false);
  }
  assert.equal(isAcknowledged('cinetpay', 200, ''), true);
  assert.equal(isAcknowledged('cinetpay', 201, 'OK'), false);
});

// ---------- 10.4 types ----------

/**
 * Seed 001, never retyped: the repository's copy (test/fixtures/seeds, kept byte for byte by the seed-demo
 * tests) when present, else the shared original beside the repository.
 */
function seed001(): string {
  for (const where of ['../../test/fixtures/seeds/', '../../../shared/seeds/']) {
    const dir = new URL(where, import.meta.url);
    if (!existsSync(dir)) continue;
    const name = readdirSync(dir).find((f) => f.startsWith('001_'));
    if (name) return readFileSync(new URL(name, dir), 'utf8');
  }
  throw new Error('seed 001 is in neither test/fixtures/seeds nor ../shared/seeds');
}

/** The JSON type of every `data` field of section `n`'s response example, as the document prints it. */
function exampleTypes(seed: string, n: number): Map<string, 'string' | 'number'> {
  const lines = seed.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${n}. `));
  const end = lines.findIndex((l, i) => i > start && l.startsWith(`${n + 1}. `));
  const section = lines.slice(start, end).join('\n');
  const example = section.slice(section.search(/response example/i));
  const out = new Map<string, 'string' | 'number'>();
  for (const [, key, first] of example.matchAll(/"(\w+)":\s*("|-?\d)/g)) {
    if (['code', 'msg', 'traceid'].includes(key!)) continue;
    out.set(key!, first === '"' ? 'string' : 'number');
  }
  assert.ok(out.size >= 3, `section ${n} has a response example`);
  return out;
}

function assertTypes(what: string, data: Record<string, unknown>, types: Map<string, string>): void {
  for (const [key, type] of types) {
    assert.ok(key in data, `${what}: the document's field ${key} is in the answer`);
    assert.equal(typeof data[key], type, `${what}: ${key} is a ${type} as the document shows it`);
  }
}

test('issue 10.4: every served openapi answer has the types its own section of seed 001 shows', async () => {
  const seed = seed001();
  const s13 = exampleTypes(seed, 13);
  assert.equal(s13.get('merchantId'), 'string', 'the seed shows createOrder merchantId as a string');
  const s9 = exampleTypes(seed, 9);
  assert.equal(s9.get('merchantId'), 'number', 'the seed shows getOrderDetail merchantId as a number');

  const created = await createOrder(orderParams(m, { network: 'TRON(TRC-20)' }));
  assert.equal(created.body.code, 0, JSON.stringify(created.body));
  assertTypes('createOrder (§13)', created.body.data, s13);
  assert.equal(created.body.data.merchantId, String(m.merchantId));
  // The fields §13's table lists without an example take the types §9 shows for the same order.
  for (const key of ['status', 'network', 'merchantUserId', 'fee', 'pledgeAmount', 'createTime'])
    assert.equal(typeof created.body.data[key], s9.get(key), `createOrder ${key}`);

  const detail = await getJson(
    `${env.url}/openapi/v1/getOrderDetail`,
    signed({ merchantId: String(m.merchantId), cpayOrderId: created.body.data.orderId }, m.securityKey),
  );
  assert.equal(detail.body.code, 0, JSON.stringify(detail.body));
  assertTypes('getOrderDetail (§9)', detail.body.data, s9);
  assert.equal(detail.body.data.merchantId, m.merchantId);

  const addresses = await getJson(
    `${env.url}/openapi/v1/getWalletAddress`,
    signed({ merchantId: String(m.merchantId), userId: 'u-types' }, m.securityKey),
  );
  assert.equal(addresses.body.code, 0, JSON.stringify(addresses.body));
  assert.ok(addresses.body.data.length > 0);
  for (const row of addresses.body.data) assertTypes('getWalletAddress (§3)', row, exampleTypes(seed, 3));

  await sandboxSettle(env, created.body.data.orderId, 'complete');
  const balances = await getJson(
    `${env.url}/openapi/v1/getMerchantBalance`,
    signed({ merchantId: String(m.merchantId) }, m.securityKey),
  );
  assert.equal(balances.body.code, 0, JSON.stringify(balances.body));
  assert.ok(balances.body.data.length > 0);
  for (const row of balances.body.data) assertTypes('getMerchantBalance (§6)', row, exampleTypes(seed, 6));
});

test('issue 10.4: a createOrder retry answers the same string merchantId as the first call', async () => {
  const p = orderParams(m);
  const first = await createOrder(p);
  const again = await createOrder(p);
  assert.equal(again.body.code, 0, JSON.stringify(again.body));
  assert.deepEqual(again.body.data, first.body.data);
  assert.equal(typeof again.body.data.merchantId, 'string');
});

// ---------- 10.6 multipart/form-data ----------

function multipart(fields: Record<string, string>, file?: { name: string; content: string }): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append(file.name, new Blob([file.content], { type: 'text/plain' }), 'receipt.txt');
  return form;
}
const postMultipart = async (path: string, form: FormData) => {
  const res = await fetch(`${env.url}/openapi/v1/${path}`, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as any };
};

/** `sign` with its first hex digit changed (always a different value). */
const forge = (sign: string) => (sign[0] === '0' ? '1' : '0') + sign.slice(1);

/** A raw request (fetch refuses a GET with a body; Postman sends one). */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const all = { ...headers, 'content-length': String(body.length) };
    const req = request(`${env.url}${path}`, { method, headers: all }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
async function encoded(form: FormData): Promise<{ type: string; body: Buffer }> {
  const r = new Request('http://x/', { method: 'POST', body: form });
  return { type: r.headers.get('content-type')!, body: Buffer.from(await r.arrayBuffer()) };
}

test(
  'issue 10.6: createOrder sent as multipart/form-data ' + '(Postman form-data) is accepted like a form body',
  async () => {
    const extra = { userId: 'Zoë-7', successURL: 'https://shop.example/ok?a=1&b=2' };
    const p = signed(orderParams(m, extra), m.securityKey);
    const r = await postMultipart('createOrder', multipart(p));
    assert.equal(r.status, 200);
    assert.equal(r.body.code, 0, JSON.stringify(r.body));
    assert.equal(r.body.data.merchantUserId, 'Zoë-7');
    assert.equal(r.body.data.successURL, 'https://shop.example/ok?a=1&b=2');
    // The same request as a form body is the same order (idempotent retry): the two are equivalent.
    const again = await postForm(`${env.url}/openapi/v1/createOrder`, p);
    assert.equal(again.body.data.orderId, r.body.data.orderId);
  },
);

test('issue 10.6: the signature covers the exact multipart field values', async () => {
  const p = orderParams(m);
  const sent = { ...signed(p, m.securityKey), amount: '12.50' };
  const r = await postMultipart('createOrder', multipart(sent));
  assert.equal(r.body.code, 10004, JSON.stringify(r.body));
});

test(
  'issue 10.6: a file part, a repeated field and a ' + 'broken body are refused; the text rule still applies',
  async () => {
    const p = signed(orderParams(m), m.securityKey);
    const withFile = await postMultipart('createOrder', multipart(p, { name: 'receipt', content: 'hello' }));
    assert.equal(withFile.status, 200);
    assert.equal(withFile.body.code, 10011, JSON.stringify(withFile.body));
    assert.match(withFile.body.msg, /receipt is a file/);

    const twice = multipart(p);
    twice.append('amount', '99');
    const repeated = await postMultipart('createOrder', twice);
    assert.equal(repeated.body.code, 10011, JSON.stringify(repeated.body));
    assert.match(repeated.body.msg, /amount is given more than once/);

    const broken = await rawRequest(
      'POST',
      '/openapi/v1/createOrder',
      { 'content-type': 'multipart/form-data; boundary=XYZ' },
      Buffer.from('--ABC\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--ABC--\r\n'),
    );
    assert.equal(broken.body.code, 10012, JSON.stringify(broken.body));

    // A control character is refused in a multipart body exactly as in a form body.
    const bad = signed(orderParams(m, { userId: 'u\u0007x' }), m.securityKey);
    const asForm = await postForm(`${env.url}/openapi/v1/createOrder`, bad);
    const asMultipart = await postMultipart('createOrder', multipart(bad));
    assert.notEqual(asForm.body.code, 0);
    assert.equal(asMultipart.body.code, asForm.body.code, JSON.stringify([asForm.body, asMultipart.body]));
  },
);

test('issue 10.6: multipart bodies are bounded by the body limit, on POST and on a GET that carries one', async () => {
  const big = multipart({ ...signed(orderParams(m), m.securityKey), remark: 'x'.repeat(1100 * 1024) });
  const post = await postMultipart('createOrder', big);
  assert.equal(post.status, 413, JSON.stringify(post.body));
  const { type, body } = await encoded(big);
  const get = await rawRequest('GET', '/openapi/v1/getMerchantBalance', { 'content-type': type }, body);
  assert.equal(get.status, 413);
  assert.equal(get.body.code, 10012);
});

test(
  'issue 10.6: a GET with a multipart/form-data body ' + '(Postman allows it) is read like its query string',
  async () => {
    const created = await createOrder(orderParams(m));
    const params = signed({ merchantId: String(m.merchantId), cpayOrderId: created.body.data.orderId }, m.securityKey);
    const { type, body } = await encoded(multipart(params));
    const r = await rawRequest('GET', '/openapi/v1/getOrderDetail', { 'content-type': type }, body);
    assert.equal(r.body.code, 0, JSON.stringify(r.body));
    assert.equal(r.body.data.orderId, created.body.data.orderId);
    const { type: t2, body: b2 } = await encoded(multipart({ ...params, sign: forge(params.sign!) }));
    const forged = await rawRequest('GET', '/openapi/v1/getOrderDetail', { 'content-type': t2 }, b2);
    assert.equal(forged.body.code, 10004, JSON.stringify(forged.body));
  },
);

// ---------- 10.7 network aliases ----------

test('issue 10.7: TRON, BSC, ETH, Ethereum and BTC are accepted on input; answers carry the §3 names', async () => {
  const cases: Array<[string, string, string]> = [
    ['TRON', 'USDT', 'TRON(TRC-20)'],
    ['tron', 'TRX', 'TRON(TRC-20)'],
    ['BSC', 'USDT', 'BSC(BEP-20)'],
    ['ETH', 'USDT', 'Ethereum(ERC-20)'],
    ['Ethereum', 'ETH', 'Ethereum(ERC-20)'],
    ['BTC', 'BTC', 'Bitcoin'],
    ['TRON(TRC-20)', 'USDT', 'TRON(TRC-20)'],
  ];
  for (const [network, cryptoCurrency, wire] of cases) {
    const amount = cryptoCurrency === 'BTC' ? '0.001' : '12.5';
    const r = await createOrder(orderParams(m, { network, cryptoCurrency, amount }));
    assert.equal(r.body.code, 0, `${network}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.data.network, wire, network);
    assert.ok(r.body.data.address, `${network}: the order has its deposit address`);
    const detail = await getJson(
      `${env.url}/openapi/v1/getOrderDetail`,
      signed({ merchantId: String(m.merchantId), cpayOrderId: r.body.data.orderId }, m.securityKey),
    );
    assert.equal(detail.body.data.network, wire);
  }
});

test('issue 10.7: an alias and the wire name are the same order on retry; unknown names stay refused', async () => {
  const p = orderParams(m, { network: 'TRON(TRC-20)' });
  const first = await createOrder(p);
  const again = await createOrder({ ...p, network: 'TRON' });
  assert.equal(again.body.code, 0, JSON.stringify(again.body));
  assert.equal(again.body.data.orderId, first.body.data.orderId);
  const other = await createOrder({ ...p, network: 'BSC' });
  assert.notEqual(other.body.code, 0, 'another network under the same merchantTradeNo is a conflict');
  for (const network of ['Solana', 'TRC20x', 'BNB']) {
    const r = await createOrder(orderParams(m, { network }));
    assert.equal(r.body.code, 10013, `${network}: ${JSON.stringify(r.body)}`);
  }
  // ETH is not offered on BSC: an alias names a network, it does not widen what the network offers.
  const mismatch = await createOrder(orderParams(m, { network: 'BSC', cryptoCurrency: 'ETH' }));
  assert.equal(mismatch.body.code, 10013, JSON.stringify(mismatch.body));
});
