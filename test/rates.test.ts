// Issue 11 rates over real HTTP and PostgreSQL: getExchangeRate (§7) and getExchangeRateForCreditCard (§8)
// in the seed's shapes, the sandbox's fixed rates, the ordered fallback between sources (HTTP provider
// stand-in, file, operator table), staleness, per-merchant spread, and one code per invalid pair or amount.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestEnv, newMerchant, signed, postForm, getJson, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { projectPath } from '../src/paths.js';
import { runCli } from './child-process.js';

const RECORDED = readFileSync(projectPath('test/fixtures/binance-ticker-price.json'), 'utf8');

/** The provider stand-in: serves the recorded answer, or misbehaves as the test says. */
type Mode = 'ok' | 'hang' | 'malformed' | 'oversized' | 'error' | 'zero';
let mode: Mode = 'ok';
let providerHits = 0;
let provider: Server;
const startProvider = async () => {
  provider = createServer((_req, res) => {
    providerHits++;
    if (mode === 'hang') return; // never answers: the adapter's timeout must cut it
    if (mode === 'error') return void res.writeHead(500).end('oops');
    res.setHeader('content-type', 'application/json');
    if (mode === 'malformed') return void res.end('{"code":-1121,"msg":"Invalid symbol."}');
    if (mode === 'zero') return void res.end('[{"symbol":"BTCUSDT","price":"0.00000000"}]');
    // Chunked, so only the bounded read (not a content-length check) can refuse it.
    if (mode === 'oversized') {
      for (let i = 0; i < 64; i++) res.write(RECORDED.replace(/]\s*$/, ','));
      return void res.end('{"symbol":"BTCUSDT","price":"1"}]');
    }
    res.end(RECORDED);
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(provider.address() as AddressInfo).port}/api/v3/ticker/price`;
};

let sandbox: TestEnv;
let live: TestEnv;
let sm: MerchantCredentials;
let lm: MerchantCredentials;
let dir: string;
let ratesFile: string;

before(async () => {
  const url = await startProvider();
  dir = mkdtempSync(join(tmpdir(), 'tender-rates-'));
  ratesFile = join(dir, 'rates.json');
  sandbox = await startTestEnv();
  live = await startTestEnv({
    TENDER_RATE_SOURCES: 'http,file,operator',
    TENDER_RATE_HTTP_URL: url,
    TENDER_RATE_HTTP_TIMEOUT_MS: '1500',
    TENDER_RATE_HTTP_MAX_BYTES: '16384',
    TENDER_RATE_HTTP_REFRESH_MS: '0',
    TENDER_RATES_FILE: ratesFile,
    TENDER_RATE_MAX_AGE_SECONDS: '600',
    TENDER_CARD_RATE_MARGIN_BPS: '200',
  });
  sm = await newMerchant(sandbox);
  lm = await newMerchant(live);
});
after(async () => {
  await sandbox.close();
  await live.close();
  provider.closeAllConnections();
  await new Promise((r) => provider.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const params = (mc: MerchantCredentials, extra: Record<string, string>) =>
  signed(
    {
      merchantId: String(mc.merchantId),
      sourceCurrency: 'USDT',
      targetCurrency: 'BTC',
      purchaseType: '0',
      amount: '100',
      ...extra,
    },
    mc.securityKey,
  );
const rate = (env: TestEnv, mc: MerchantCredentials, extra: Record<string, string> = {}, path = 'getExchangeRate') =>
  getJson(`${env.url}/openapi/v1/${path}`, params(mc, extra));
const card = (env: TestEnv, mc: MerchantCredentials, extra: Record<string, string> = {}) =>
  rate(env, mc, extra, 'getExchangeRateForCreditCard');

const admin = (env: TestEnv, method: string, path: string, body?: unknown) =>
  fetch(`${env.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${env.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

test('issue 11: getExchangeRate answers the seed §7 shape with a string rate (sandbox: fixed 40000)', async () => {
  const { status, body } = await rate(sandbox, sm);
  assert.equal(status, 200);
  assert.equal(body.code, 0, JSON.stringify(body));
  assert.equal(body.msg, 'success');
  assert.deepEqual(body.data, { exchangeRate: '40000.000000' });
  assert.equal(typeof body.traceid, 'string');
  // POST with a form works alike, and the doubled prefix too.
  const post = await postForm(`${sandbox.url}/openapi/v1/getExchangeRate`, params(sm, {}));
  assert.deepEqual(post.body.data, { exchangeRate: '40000.000000' });
  const doubled = await getJson(`${sandbox.url}/openapi/v1/openapi/v1/getExchangeRate`, params(sm, {}));
  assert.equal(doubled.body.code, 0);
});

test('issue 11: getExchangeRateForCreditCard, purchaseType 0 and 1 (seed §8 shape, msg ok)', async () => {
  const by0 = await card(sandbox, sm, { sourceCurrency: 'USD', targetCurrency: 'ETH', amount: '100' });
  assert.equal(by0.body.code, 0, JSON.stringify(by0.body));
  assert.equal(by0.body.msg, 'ok');
  // 1 ETH = 3000 USD in the sandbox: 100 USD buy 0.0333… ETH, rounded down at 18 decimals.
  assert.deepEqual(by0.body.data, { exchangeRate: '3000.000000', amountExchanged: '0.033333333333333333' });
  const by1 = await card(sandbox, sm, {
    sourceCurrency: 'USD',
    targetCurrency: 'ETH',
    purchaseType: '1',
    amount: '0.5',
  });
  assert.deepEqual(by1.body.data, { exchangeRate: '3000.000000', amountExchanged: '1500.00' });
  // Rounded up to the cent: 0.0000001 ETH costs 0.0003 USD → 0.01 USD.
  const tiny = await card(sandbox, sm, {
    sourceCurrency: 'USD',
    targetCurrency: 'ETH',
    purchaseType: '1',
    amount: '0.0000001',
  });
  assert.equal(tiny.body.data.amountExchanged, '0.01');
  // Crypto→crypto through the sandbox's USD prices: 1 BTC = 40000/3000 ETH.
  const cross = await card(sandbox, sm, { sourceCurrency: 'ETH', targetCurrency: 'BTC', amount: '1' });
  assert.equal(cross.body.data.exchangeRate, '13.333334');
});

test('issue 11: every invalid amount and currency pair gets its own code', async () => {
  const cases: [Record<string, string>, number][] = [
    [{ sourceCurrency: 'DOGE' }, 10013],
    [{ targetCurrency: 'XYZ' }, 10013],
    [{ sourceCurrency: 'BTC' }, 10043],
    [{ targetCurrency: 'USD' }, 10042],
    [{ sourceCurrency: 'BTC', targetCurrency: 'EUR' }, 10042],
    [{ amount: '0' }, 10044],
    [{ amount: '0.000' }, 10044],
    [{ amount: '-1' }, 10011],
    [{ amount: '1e5' }, 10011],
    [{ sourceCurrency: 'USD', targetCurrency: 'BTC', amount: '1.001' }, 10014],
    [{ purchaseType: '2' }, 10046],
    [{ purchaseType: 'x' }, 10046],
    [{ purchaseType: '' }, 10010],
    [{ amount: '' }, 10010],
    [{ sourceCurrency: 'USD', targetCurrency: 'BTC', amount: '0.01', card: '' }, 0],
    [{ amount: '0.000000000000000001' }, 10045],
    [{ sourceCurrency: 'XOF', targetCurrency: 'BTC', amount: '1' }, 0],
  ];
  for (const [extra, code] of cases) {
    const { card: _c, ...p } = extra;
    for (const path of ['getExchangeRate', 'getExchangeRateForCreditCard']) {
      const { body } = await rate(sandbox, sm, p, path);
      assert.equal(body.code, code, `${path} ${JSON.stringify(p)}: ${JSON.stringify(body)}`);
      if (code !== 0) assert.equal(body.data, null);
    }
  }
  // Authentication comes first, as for every signed route.
  const bad = await getJson(`${sandbox.url}/openapi/v1/getExchangeRate`, { ...params(sm, {}), amount: '101' });
  assert.equal(bad.body.code, 10004);
});

test('issue 11: the HTTP provider answers first (recorded Binance answer through a local stand-in)', async () => {
  mode = 'ok';
  const before = providerHits;
  const { body } = await rate(live, lm);
  assert.equal(body.code, 0, JSON.stringify(body));
  assert.deepEqual(body.data, { exchangeRate: '97185.120000' });
  assert.equal(providerHits, before + 1);
  // The direct BTCBRL price, plus the card margin (2 % here): 590912 × 1.02; the BTC bought rounds down.
  const brl = await card(live, lm, { sourceCurrency: 'BRL', targetCurrency: 'BTC', amount: '590912' });
  assert.deepEqual(brl.body.data, { exchangeRate: '602730.240000', amountExchanged: '0.98039215' });
});

test('issue 11: fallback order: a failing, hanging, malformed or oversized provider gives way to the file, then the operator table', async () => {
  writeFileSync(
    ratesFile,
    JSON.stringify({
      updatedAt: live.clock.now().toISOString(),
      rates: [{ base: 'BTC', quote: 'USDT', price: '50000' }],
    }),
  );
  const set = await admin(live, 'POST', '/rates', { base: 'BTC', quote: 'USDT', price: '60000' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.fresh, true);
  for (const m of ['error', 'hang', 'malformed', 'oversized', 'zero'] as const) {
    mode = m;
    const { body } = await rate(live, lm);
    assert.deepEqual(body.data, { exchangeRate: '50000.000000' }, `provider ${m}: ${JSON.stringify(body)}`);
  }
  // The file unreadable (gone): the operator's table answers.
  rmSync(ratesFile);
  mode = 'hang';
  assert.deepEqual((await rate(live, lm)).body.data, { exchangeRate: '60000.000000' });
  // A file with only stale prices gives way as well.
  writeFileSync(
    ratesFile,
    JSON.stringify({
      updatedAt: new Date(live.clock.now().getTime() - 3600_000).toISOString(),
      rates: [{ base: 'BTC', quote: 'USDT', price: '1' }],
    }),
  );
  mode = 'error';
  assert.deepEqual((await rate(live, lm)).body.data, { exchangeRate: '60000.000000' });
  mode = 'ok';
  assert.deepEqual((await rate(live, lm)).body.data, { exchangeRate: '97185.120000' });
});

test('issue 11: no fresh rate anywhere → RATE_STALE or RATE_UNAVAILABLE, never a zero or an old rate', async () => {
  mode = 'error';
  // XOF is in no source: unavailable.
  const none = await rate(live, lm, { sourceCurrency: 'XOF', amount: '1000' });
  assert.equal(none.body.code, 10040, JSON.stringify(none.body));
  assert.equal(none.body.data, null);
  // The operator's rate ages past the limit; the file is stale: stale, on both routes.
  live.clock.advance(601);
  try {
    for (const path of ['getExchangeRate', 'getExchangeRateForCreditCard']) {
      const { body } = await rate(live, lm, { createTime: String(live.clock.now().getTime()) }, path);
      assert.equal(body.code, 10041, JSON.stringify(body));
      assert.equal(body.data, null);
    }
    const listed = await admin(live, 'GET', '/rates');
    assert.equal(listed.body[0].fresh, false);
    // Setting the rate again makes it fresh.
    await admin(live, 'POST', '/rates', { base: 'BTC', quote: 'USDT', price: '61000' });
    assert.deepEqual((await rate(live, lm)).body.data, { exchangeRate: '61000.000000' });
  } finally {
    live.clock.advance(-601);
  }
});

test('issue 11: spread per merchant (admin API), card margin on top; other merchants keep the default', async () => {
  mode = 'ok';
  const other = await newMerchant(live, { brand: 'Other' });
  const patched = await admin(live, 'PATCH', `/merchants/${lm.merchantId}/rates`, { spreadBps: 100 });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual(patched.body, {
    merchantId: String(lm.merchantId),
    spreadBps: 100,
    exchangeFeeBps: 0,
    ownSpread: true,
    ownExchangeFee: false,
  });
  // 97185.12 × 1.01 = 98156.9712; the card adds 2 %: 97185.12 × 1.03 = 100100.6736.
  assert.deepEqual((await rate(live, lm)).body.data, { exchangeRate: '98156.971200' });
  assert.equal((await card(live, lm)).body.data.exchangeRate, '100100.673600');
  assert.deepEqual((await rate(live, other)).body.data, { exchangeRate: '97185.120000' });
  const bad = await admin(live, 'PATCH', `/merchants/${lm.merchantId}/rates`, { spreadBps: 10001 });
  assert.equal(bad.status, 400);
  const missing = await admin(live, 'PATCH', '/merchants/1/rates', { spreadBps: 5 });
  assert.equal(missing.status, 404);
  assert.equal((await admin(live, 'GET', '/merchants/1/rates')).status, 404);
  assert.equal((await admin(live, 'GET', `/merchants/${lm.merchantId}/rates`)).body.spreadBps, 100);
  const reset = await admin(live, 'PATCH', `/merchants/${lm.merchantId}/rates`, { spreadBps: null });
  assert.equal(reset.body.ownSpread, false);
  assert.deepEqual((await rate(live, lm)).body.data, { exchangeRate: '97185.120000' });
});

test('issue 11: operator rates are validated (admin API)', async () => {
  for (const [body, status] of [
    [{ base: 'BTC', quote: 'USDT', price: '0' }, 400],
    [{ base: 'BTC', quote: 'USDT', price: '-1' }, 400],
    [{ base: 'BTC', quote: 'BTC', price: '1' }, 400],
    [{ base: 'DOGE', quote: 'USDT', price: '1' }, 400],
    [{ base: 'BTC', quote: 'USDT', price: 40000 }, 400],
  ] as const) {
    const r = await admin(live, 'POST', '/rates', body);
    assert.equal(r.status, status, JSON.stringify([body, r.body]));
  }
  const noToken = await fetch(`${live.url}/admin/rates`);
  assert.equal(noToken.status, 401);
});

test('issue 11: operator rates and merchant spread through the CLI (tender rate ...)', {
  timeout: 120_000,
}, async () => {
  const dbUrl = (live.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  const cliEnv = { DATABASE_URL: dbUrl, TENDER_DATA_DIR: join(dir, 'cli-data'), TENDER_MODE: 'sandbox' };
  const set = JSON.parse(await runCli(['rate', 'set', 'btc', 'eur', '45000.5', '--json'], cliEnv));
  assert.equal(set.base, 'BTC');
  assert.equal(set.price, '45000.5');
  const listed = JSON.parse(await runCli(['rate', 'list', '--json'], cliEnv));
  assert.ok(listed.some((r: any) => r.base === 'BTC' && r.quote === 'EUR' && r.fresh));
  const spread = JSON.parse(await runCli(['rate', 'merchant', String(lm.merchantId), 'spread=10', '--json'], cliEnv));
  assert.equal(spread.spreadBps, 10);
  mode = 'error';
  // 45000.5 × 1.001 = 45045.5005, quoted with 6 decimals.
  const r = await rate(live, lm, { sourceCurrency: 'EUR' });
  assert.deepEqual(r.body.data, { exchangeRate: '45045.500500' }, JSON.stringify(r.body));
  await runCli(['rate', 'merchant', String(lm.merchantId), 'spread=default'], cliEnv);
  await assert.rejects(runCli(['rate', 'set', 'BTC', 'EUR', '0'], cliEnv));
});
