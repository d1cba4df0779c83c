// The SDK's clients and webhook verifier against a REAL Tender (test/harness.ts: real PostgreSQL, the
// real app on HTTP) — no mocks. Local helper servers only where the point is a misbehaving network: a
// server that never answers (timeouts) and a proxy in front of Tender that drops connections (retries).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createServer,
  request as httpRequest,
  type Server,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { startTestEnv, newMerchant, sleep, type TestEnv } from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { completeOrder, closeOrder, markProcessing } from '../src/core/payments.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { projectPath } from '../src/paths.js';
import { referenceRoot, referenceXpub } from './reference-keys.js';
import {
  OpenApiClient,
  MinimalClient,
  OrderStatus,
  TenderApiError,
  TenderNetworkError,
  TenderWebhookError,
  verifyCpayWebhook,
  type CpayWebhookEvent,
} from '../sdk/src/index.js';

const _root = referenceRoot;
const xpub = referenceXpub;

let env: TestEnv;
let dispatcher: Dispatcher;
let m: MerchantCredentials;
let client: OpenApiClient;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  env = await startTestEnv({
    TENDER_WEBHOOK_BACKOFF: '0,1,1',
    TENDER_XPUB_EVM: xpub("m/44'/60'/0'"),
    TENDER_XPUB_TRON: xpub("m/44'/195'/0'"),
    TENDER_RPC_ETHEREUM: 'http://127.0.0.1:1',
    TENDER_RPC_TRON: 'http://127.0.0.1:1',
  });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
  m = await newMerchant(env, { feeBps: 100 });
  client = new OpenApiClient({ baseUrl: env.url, merchantId: m.merchantId, securityKey: m.securityKey, retries: 0 });
});
after(async () => {
  for (const c of closers) await c();
  await dispatcher.stop();
  await env.close();
});

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((res) => {
    let b = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (b += c));
    req.on('end', () => res(b));
  });

test('createOrder: signed, createTime added, amounts as strings, both field generations typed', async () => {
  const o = await client.createOrder({
    merchantTradeNo: 'SDK-1',
    userId: 'u-1',
    amount: '12.50',
    cryptoCurrency: 'USDT',
    successURL: 'https://shop.example/ok',
    failURL: '',
  });
  assert.equal(o.orderStatus, OrderStatus.PENDING);
  assert.equal(o.status, '0');
  assert.equal(o.orderAmount, '12.50', 'issue 10.8: CPay amount style');
  assert.equal(typeof o.orderAmount, 'string');
  assert.equal(o.merchantTradeNo, 'SDK-1');
  assert.equal(String(o.merchantId), String(m.merchantId));
  assert.equal(o.fee, o.serviceFee);
  assert.equal(o.successURL, 'https://shop.example/ok');
  assert.ok(o.cashierURL.startsWith(`${env.url}/pay/`));
  assert.equal((await fetch(o.cashierURL)).status, 200);
  const again = await client.createOrder({
    merchantTradeNo: 'SDK-1',
    userId: 'u-1',
    amount: '12.5',
    cryptoCurrency: 'USDT',
    successURL: 'https://shop.example/ok',
  });
  assert.equal(again.orderId, o.orderId, 'the same merchantTradeNo returns the same order');
  await assert.rejects(
    client.createOrder({ merchantTradeNo: 'SDK-1', userId: 'u-1', amount: '13', cryptoCurrency: 'USDT' }),
    (e: unknown) => e instanceof TenderApiError && e.code === 20001 && e.httpStatus === 200 && Boolean(e.traceid),
  );
  assert.throws(
    () =>
      client.createOrder({
        merchantTradeNo: 'SDK-X',
        userId: 'u',
        amount: 12.5 as unknown as string,
        cryptoCurrency: 'USDT',
      }),
    TypeError,
  );
  const net = await client.createOrder({
    merchantTradeNo: 'SDK-NET',
    userId: 'u-1',
    amount: '3',
    cryptoCurrency: 'USDT',
    network: 'TRON(TRC-20)',
  });
  assert.match(net.address ?? '', /^T[1-9A-HJ-NP-Za-km-z]{33}$/);
  assert.equal(net.network, 'TRON(TRC-20)');
});

test(
  'getOrderDetail by merchantTradeNo, cpayOrderId and hash; ' + 'getMerchantBalance after a payment; getWalletAddress',
  async () => {
    const o = await client.createOrder({
      merchantTradeNo: 'SDK-2',
      userId: 'u-2',
      amount: '100',
      cryptoCurrency: 'USDT',
    });
    await markProcessing(env.deps, o.orderId, { rail: 'sandbox', hash: '0xfeed', network: 'TRON(TRC-20)' });
    await completeOrder(env.deps, o.orderId, { rail: 'sandbox' });
    const byNo = await client.getOrderDetail({ merchantTradeNo: 'SDK-2' });
    const byId = await client.getOrderDetail({ cpayOrderId: o.orderId });
    const byHash = await client.getOrderDetail({ hash: '0xfeed' });
    for (const d of [byNo, byId, byHash]) {
      assert.equal(d.orderId, o.orderId);
      assert.equal(d.orderStatus, OrderStatus.COMPLETED);
      assert.equal(d.status, '14');
      assert.equal(d.receivedAmount, '99.00');
      assert.equal(d.serviceFee, '1.00');
    }
    await assert.rejects(
      client.getOrderDetail({ merchantTradeNo: 'nope' }),
      (e: unknown) => e instanceof TenderApiError && e.code === 20002,
    );
    const balance = await client.getMerchantBalance();
    const usdt = balance.find((b) => b.currency === 'USDT');
    assert.ok(usdt, JSON.stringify(balance));
    assert.equal(usdt.availableBalance, '99.00');
    assert.equal(usdt.cryptoCurrency, 'USDT');
    assert.equal(usdt.freezeBalance, '0.00');
    const wallet = await client.getWalletAddress({ userId: 'alice' });
    const rows = wallet.map((r) => `${r.currency}/${r.network}`).sort();
    assert.ok(rows.includes('USDT/TRON(TRC-20)') && rows.includes('ETH/Ethereum(ERC-20)'), rows.join(' '));
    assert.deepEqual(await client.getWalletAddress({ userId: 'alice' }), wallet, 'stable per user');
  },
);

test('errors are TenderApiError with code, msg, traceid and HTTP status', async () => {
  const bad = new OpenApiClient({ baseUrl: env.url, merchantId: m.merchantId, securityKey: 'wrong-key', retries: 0 });
  const err = await bad.getMerchantBalance().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof TenderApiError, String(err));
  assert.equal(err.code, 10004);
  assert.equal(err.dialect, 'openapi');
  assert.equal(err.httpStatus, 200);
  assert.ok(err.msg.length > 0);
  assert.match(err.traceid ?? '', /^\d{12}X\d{7}$/);
  assert.ok(err.message.includes(err.traceid!));
  const unknown = new OpenApiClient({ baseUrl: env.url, merchantId: 99999999, securityKey: 'k', retries: 0 });
  await assert.rejects(unknown.getMerchantBalance(), (e: unknown) => e instanceof TenderApiError && e.code === 10002);
  await assert.rejects(
    client.createOrder({ merchantTradeNo: 'SDK-C', userId: 'u', amount: '1', cryptoCurrency: 'XYZ' }),
    (e: unknown) => e instanceof TenderApiError && e.code === 10013,
  );
});

test('timeouts: a server that never answers fails after timeoutMs with TenderNetworkError(timedOut)', async () => {
  let hits = 0;
  const silent = await listen(() => {
    hits++; /* never answers */
  });
  const c = new OpenApiClient({ baseUrl: silent.url, merchantId: 1, securityKey: 'k', timeoutMs: 300, retries: 0 });
  const t0 = Date.now();
  const err = await c.getMerchantBalance().then(
    () => undefined,
    (e: unknown) => e,
  );
  const took = Date.now() - t0;
  assert.ok(err instanceof TenderNetworkError && err.timedOut, String(err));
  assert.ok(took >= 280 && took < 3000, `took ${took} ms`);
  assert.equal(hits, 1);
  const mc = new MinimalClient({
    baseUrl: silent.url,
    merchantSecret: 'msk_x',
    timeoutMs: 200,
    retries: 3,
    retryDelayMs: 10,
  });
  await assert.rejects(
    mc.startPayment('10'),
    (e: unknown) => e instanceof TenderNetworkError && e.timedOut && e.attempts === 1,
  );
  assert.equal(hits, 2, 'a POST without an idempotency key is sent once');
});

/**
 * A proxy in front of Tender that drops (destroys) the connection for the first `drop` requests to each path — after
 * Tender has answered.
 */
async function flakyProxy(drop: number) {
  const seen = new Map<string, number>();
  const requests: string[] = [];
  const p = await listen(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? '').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    const upstream = httpRequest(
      `${env.url}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: new URL(env.url).host } },
      (up) => {
        let text = '';
        up.on('data', (c) => (text += c));
        up.on('end', () => {
          if (n <= drop) {
            res.socket?.destroy();
            return;
          } // Tender did the work; the answer is lost on the way back
          res
            .writeHead(up.statusCode ?? 502, { 'content-type': up.headers['content-type'] ?? 'application/json' })
            .end(text);
        });
      },
    );
    upstream.end(body);
  });
  return {
    url: p.url,
    requests,
    count: (method: string, path: string) => requests.filter((r) => r === `${method} ${path}`).length,
  };
}

test(
  'retries with backoff on idempotent calls only: ' + 'GETs and createOrder (same merchantTradeNo); never a plain POST',
  async () => {
    const proxy = await flakyProxy(2);
    const c = new OpenApiClient({
      baseUrl: proxy.url,
      merchantId: m.merchantId,
      securityKey: m.securityKey,
      retries: 2,
      retryDelayMs: 20,
    });
    const balance = await c.getMerchantBalance();
    assert.ok(Array.isArray(balance));
    assert.equal(proxy.count('GET', '/openapi/v1/getMerchantBalance'), 3, 'two lost answers, then success');
    // createOrder: the first two attempts DID create the order on Tender, their answers were lost; the
    // retry with the same merchantTradeNo returns that order instead of making another.
    const o = await c.createOrder({ merchantTradeNo: 'SDK-RETRY', userId: 'u', amount: '5', cryptoCurrency: 'USDT' });
    assert.equal(proxy.count('POST', '/openapi/v1/createOrder'), 3);
    const { rows } = await env.deps.db.query(
      `SELECT count(*)::int AS n FROM orders WHERE merchant_trade_no = 'SDK-RETRY'`,
    );
    assert.equal(rows[0].n, 1, 'exactly one order');
    assert.equal((await client.getOrderDetail({ merchantTradeNo: 'SDK-RETRY' })).orderId, o.orderId);
    // Out of retries: the failure surfaces as TenderNetworkError with the attempt count.
    const p2 = await flakyProxy(5);
    const c2 = new OpenApiClient({
      baseUrl: p2.url,
      merchantId: m.merchantId,
      securityKey: m.securityKey,
      retries: 1,
      retryDelayMs: 10,
    });
    await assert.rejects(
      c2.getMerchantBalance(),
      (e: unknown) => e instanceof TenderNetworkError && !e.timedOut && e.attempts === 2,
    );
    assert.equal(p2.count('GET', '/openapi/v1/getMerchantBalance'), 2);
    // Minimal dialect: start_payment without an Idempotency-Key is not idempotent, so it is sent once.
    const p3 = await flakyProxy(1);
    const mc = new MinimalClient({ baseUrl: p3.url, merchantSecret: m.merchantSecret, retries: 3, retryDelayMs: 10 });
    await assert.rejects(mc.startPayment('10'), TenderNetworkError);
    assert.equal(p3.count('POST', '/api/start_payment'), 1);
    // With an Idempotency-Key it is: the retry returns the payment the lost attempt started.
    const started = await mc.startPayment('10', { idempotencyKey: 'cart-77' });
    assert.equal(p3.count('POST', '/api/start_payment'), 2);
    const { rows: r2 } = await env.deps.db.query(
      `SELECT count(*)::int AS n FROM orders WHERE merchant_trade_no = 'idem:cart-77'`,
    );
    assert.equal(r2[0].n, 1);
    // watch is a GET: retried.
    const p4 = await flakyProxy(1);
    const w = await new MinimalClient({ baseUrl: p4.url, merchantSecret: m.merchantSecret, retryDelayMs: 10 }).watch(
      started.watchCode,
    );
    assert.equal(w.status, 'created');
    assert.equal(p4.count('GET', `/watch/${started.watchCode}`), 2);
  },
);

test('MinimalClient: startPayment, payUrl, watch (amount kept as text), typed errors', async () => {
  const mc = new MinimalClient({ baseUrl: env.url, merchantSecret: m.merchantSecret });
  const s = await mc.startPayment('12.50', { currency: 'USD' });
  assert.equal(s.message, 'Payment started');
  const url = mc.payUrl(s.code, 'https://shop.example/back?x=1');
  assert.equal(url, `${env.url}/pay/${s.code}?redirect=${encodeURIComponent('https://shop.example/back?x=1')}`);
  assert.equal((await fetch(url)).status, 200);
  const w = await mc.watch(s.watchCode);
  assert.deepEqual([w.status, w.amount, w.merchant, w.completedAt], ['created', '12.50', 'Test Shop', null]);
  assert.match(w.createdAt, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  await assert.rejects(
    new MinimalClient({ baseUrl: env.url, merchantSecret: 'msk_wrong' }).startPayment('1'),
    (e: unknown) =>
      e instanceof TenderApiError &&
      e.code === 'bad_merchant_secret' &&
      e.httpStatus === 401 &&
      e.dialect === 'minimal',
  );
  await assert.rejects(
    mc.watch('no-such-code'),
    (e: unknown) => e instanceof TenderApiError && e.code === 'order_not_found' && e.httpStatus === 404,
  );
});

/** A merchant endpoint that answers exactly what the SDK says (event.answer) — or 400 when verification fails. */
async function sdkReceiver(securityKey: string) {
  const events: CpayWebhookEvent[] = [];
  const bodies: string[] = [];
  const rejected: string[] = [];
  const r = await listen(async (req, res) => {
    const body = await readBody(req);
    bodies.push(body);
    try {
      const e = verifyCpayWebhook(body, securityKey);
      events.push(e);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(e.answer);
    } catch (e) {
      rejected.push(String(e));
      res.writeHead(400, { 'content-type': 'text/plain' }).end('fail');
    }
  });
  return { url: `${r.url}/hook`, events, bodies, rejected };
}

async function waitFor<T>(what: string, f: () => T | undefined, ms = 15000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const deliveryStates = async (orderId: string) =>
  (await env.deps.db.query('SELECT state FROM webhook_deliveries WHERE order_id = $1 ORDER BY id', [orderId])).rows.map(
    (r) => r.state as string,
  );

test(
  'real webhook deliveries (cpay and cpay-legacy) verify with the SDK, are acknowledged by its answer, ' +
    'and tampering is rejected',
  async () => {
    // cpay: `param` JSON, answered `success`.
    const m1 = await newMerchant(env, { feeBps: 250 });
    const rx1 = await sdkReceiver(m1.securityKey);
    const c1 = new OpenApiClient({ baseUrl: env.url, merchantId: m1.merchantId, securityKey: m1.securityKey });
    const o1 = await c1.createOrder({
      merchantTradeNo: 'WH-SDK-1',
      userId: 'u-5',
      amount: '40',
      cryptoCurrency: 'USDT',
      callbackURL: rx1.url,
    });
    await completeOrder(env.deps, o1.orderId, { rail: 'sandbox' });
    const e1 = await waitFor('cpay event', () => rx1.events[0]);
    assert.deepEqual(
      [
        e1.format,
        e1.answer,
        e1.orderId,
        e1.merchantTradeNo,
        e1.merchantId,
        e1.orderStatus,
        e1.orderAmount,
        e1.actualAmount,
        e1.receivedAmount,
        e1.fee,
        e1.currency,
        e1.merchantUserId,
      ],
      [
        'cpay',
        'success',
        o1.orderId,
        'WH-SDK-1',
        String(m1.merchantId),
        14,
        '40.00',
        '40.00',
        '39.00',
        '1.00',
        'USDT',
        'u-5',
      ],
    );
    assert.match(e1.createTime, /^\d{13}$/);
    for (let i = 0; i < 100 && !(await deliveryStates(o1.orderId)).includes('delivered'); i++) await sleep(50);
    assert.deepEqual(
      await deliveryStates(o1.orderId),
      ['delivered'],
      "Tender accepted the SDK's answer on the first attempt",
    );

    // cpay-legacy: top-level fields, sent for 11 and 14/15, answered `OK`.
    const m2 = await newMerchant(env, { webhookFormat: 'cpay-legacy' });
    const rx2 = await sdkReceiver(m2.securityKey);
    const c2 = new OpenApiClient({ baseUrl: env.url, merchantId: m2.merchantId, securityKey: m2.securityKey });
    const o2 = await c2.createOrder({
      merchantTradeNo: 'WH-SDK-2',
      userId: 'u-6',
      amount: '7.25',
      cryptoCurrency: 'USDT',
      callbackURL: rx2.url,
    });
    await markProcessing(env.deps, o2.orderId, { rail: 'sandbox', hash: '0xbeef', network: 'TRON(TRC-20)' });
    await closeOrder(env.deps, o2.orderId, 'declined');
    await waitFor('two legacy events', () => (rx2.events.length >= 2 ? true : undefined));
    assert.deepEqual(
      rx2.events.map((e) => [e.format, e.answer, e.orderStatus]),
      [
        ['cpay-legacy', 'OK', 11],
        ['cpay-legacy', 'OK', 15],
      ],
    );
    assert.equal(rx2.events[0]!.hash, '0xbeef');
    assert.equal(rx2.events[0]!.network, 'TRON(TRC-20)');
    for (let i = 0; i < 100 && (await deliveryStates(o2.orderId)).some((s) => s !== 'delivered'); i++) await sleep(50);
    assert.deepEqual(await deliveryStates(o2.orderId), ['delivered', 'delivered']);
    assert.equal(rx1.rejected.length + rx2.rejected.length, 0);

    // Tampered copies of the real bodies, and the right body with another key, are refused.
    const cpayBody = new URLSearchParams(rx1.bodies[0]!);
    const payload = JSON.parse(cpayBody.get('param')!);
    const tamperedCpay = new URLSearchParams({ param: JSON.stringify({ ...payload, receivedAmount: '390' }) });
    assert.throws(() => verifyCpayWebhook(tamperedCpay, m1.securityKey), TenderWebhookError);
    assert.throws(() => verifyCpayWebhook(rx1.bodies[0]!, m2.securityKey), TenderWebhookError);
    assert.throws(
      () =>
        verifyCpayWebhook(
          new URLSearchParams({ param: JSON.stringify({ ...payload, sign: undefined }) }),
          m1.securityKey,
        ),
      /no sign/,
    );
    assert.equal(verifyCpayWebhook(cpayBody, m1.securityKey).orderId, o1.orderId, 'URLSearchParams input works too');
    const legacy = new URLSearchParams(rx2.bodies[1]!);
    legacy.set('orderStatus', '14');
    assert.throws(() => verifyCpayWebhook(legacy.toString(), m2.securityKey), TenderWebhookError);
    assert.throws(() => verifyCpayWebhook('param=%7Bnot-json', m1.securityKey), TenderWebhookError);

    // A forged delivery through the network is answered 400 by the receiver (so a real sender would retry).
    const forged = await fetch(rx1.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: tamperedCpay.toString(),
    });
    assert.equal(forged.status, 400);
  },
);

test('the Express example handler (structural types) verifies a real delivery', async () => {
  const mod = (await import(pathToFileURL(projectPath('sdk/examples/dist/express-webhook.js')).href)) as {
    cpayWebhookHandler: (
      key: string,
      onEvent: (e: CpayWebhookEvent) => void,
    ) => (req: { body: unknown }, res: unknown) => Promise<void>;
  };
  const m3 = await newMerchant(env);
  const got: CpayWebhookEvent[] = [];
  const handler = mod.cpayWebhookHandler(m3.securityKey, (e) => {
    got.push(e);
  });
  // What express.text() + Express' res would provide, over node:http.
  const r = await listen(async (req, res) => {
    const body = await readBody(req);
    let status = 200;
    const resLike = {
      status(c: number) {
        status = c;
        return resLike;
      },
      type(t: string) {
        res.setHeader('content-type', t);
        return resLike;
      },
      send(b: string) {
        res.writeHead(status).end(b);
      },
    };
    await handler({ body }, resLike);
  });
  const c3 = new OpenApiClient({ baseUrl: env.url, merchantId: m3.merchantId, securityKey: m3.securityKey });
  const o3 = await c3.createOrder({
    merchantTradeNo: 'WH-EXP',
    userId: 'u',
    amount: '2',
    cryptoCurrency: 'USDT',
    callbackURL: `${r.url}/webhooks/tender`,
  });
  await completeOrder(env.deps, o3.orderId, { rail: 'sandbox' });
  const e = await waitFor('express event', () => got[0]);
  assert.equal(e.orderId, o3.orderId);
  for (let i = 0; i < 100 && !(await deliveryStates(o3.orderId)).includes('delivered'); i++) await sleep(50);
  assert.deepEqual(await deliveryStates(o3.orderId), ['delivered']);
});
