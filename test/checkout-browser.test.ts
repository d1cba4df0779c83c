// The hosted checkout page in a real headless Chromium against the real app on a real PostgreSQL:
// what the customer sees, the sandbox Pay/Fail buttons, the redirects back to the merchant with txnRef,
// final and expired orders, live updates, the minimal dialect's ?redirect= and a phone-sized screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { startTestEnv, newMerchant, signed, postForm, getJson, postJson, type TestEnv } from './harness.js';
import { sandboxSettle } from './sandbox-settle.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { completeOrder, expireDueOrders, markProcessing } from '../src/core/payments.js';

const skip = browserSkipReason();

let env: TestEnv;
let browser: TestBrowser;
let m: MerchantCredentials;
/** The merchant's own website: a local server, so the redirect targets really exist. */
let shop: { url: string; hits: URL[]; close(): Promise<void> };

async function startShop(): Promise<typeof shop> {
  const hits: URL[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname !== '/favicon.ico') hits.push(u);
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' })
      .end(`<!doctype html><title>Shop</title><h1 id="landed">Back at the shop</h1><p id="path">${u.pathname}</p>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

before(async () => {
  if (skip) return;
  shop = await startShop();
  // The phone-screen test shows a nine-digit amount: above the default USDT maximum, so the maximum is raised.
  env = await startTestEnv({ TENDER_MAX_AMOUNTS: 'USDT=1000000000' });
  m = await newMerchant(env, { brand: 'Corner Bakery', website: shop.url });
  browser = await launchBrowser();
});
after(async () => {
  if (skip) return;
  await browser?.close();
  await env?.close();
  await shop?.close();
});

let seq = 0;
async function openapiOrder(
  extra: Record<string, string> = {},
  mc: MerchantCredentials = m,
): Promise<{ orderId: string; cashierURL: string; payCode: string }> {
  const p = {
    merchantId: String(mc.merchantId),
    merchantTradeNo: `BR-${Date.now()}-${++seq}`,
    createTime: String(env.clock.now().getTime()),
    userId: 'u-1',
    amount: '12.5',
    cryptoCurrency: 'USDT',
    ...extra,
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, mc.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const { orderId, cashierURL } = r.body.data;
  return { orderId, cashierURL, payCode: new URL(cashierURL).pathname.split('/').pop()! };
}

async function orderStatus(orderId: string, mc: MerchantCredentials = m): Promise<number> {
  const r = await getJson(
    `${env.url}/openapi/v1/getOrderDetail`,
    signed({ merchantId: String(mc.merchantId), cpayOrderId: orderId }, mc.securityKey),
  );
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.data.orderStatus;
}

/** Every alert/confirm any page opened: the pages never open one. */
const dialogs: string[] = [];
async function newPage(): Promise<Page> {
  const ctx = await browser.context();
  const page = await ctx.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return page;
}

const text = async (page: Page, sel: string) => (await page.locator(sel).innerText()).trim();
const buttons = (page: Page) => page.locator('button, input[type=submit]').count();

test('openapi order: the page shows brand, amount, currency, status and time left; Pay lands on successURL ' +
  'with txnRef', {
  skip,
}, async () => {
  const ok = `${shop.url}/thanks?order=A-1`;
  const o = await openapiOrder({ amount: '12.5', successURL: ok, failURL: `${shop.url}/sorry` });
  const page = await newPage();
  const res = await page.goto(o.cashierURL);
  assert.equal(res?.status(), 200);
  assert.equal(await text(page, '#brand'), 'Corner Bakery');
  assert.match(await text(page, '#amount'), /^12\.5\s+USDT$/);
  assert.equal(await text(page, '#currency'), 'USDT');
  assert.equal(await text(page, '#status'), 'Awaiting payment');
  const left = await text(page, '#timeleft');
  assert.match(left, /^(\d+:)?\d+:\d{2}$/);
  const secs = left
    .split(':')
    .map(Number)
    .reduce((a, n) => a * 60 + n, 0);
  assert.ok(secs > 0 && secs <= env.deps.config.orderTtlSeconds, `time left ${left}`);
  assert.match(await page.title(), /Corner Bakery/);
  assert.equal(await buttons(page), 2);

  await Promise.all([page.waitForURL((u) => u.pathname === '/thanks'), page.click('#pay')]);
  const landed = new URL(page.url());
  assert.equal(landed.origin, shop.url);
  assert.equal(landed.searchParams.get('txnRef'), o.orderId);
  assert.equal(landed.searchParams.get('order'), 'A-1', "the merchant's own query parameters survive");
  assert.equal(await text(page, '#landed'), 'Back at the shop');
  assert.ok(shop.hits.some((h) => h.pathname === '/thanks' && h.searchParams.get('txnRef') === o.orderId));
  assert.equal(await orderStatus(o.orderId), 14);
  await page.context().close();
});

test('openapi order: Fail lands on failURL with txnRef and closes the order', { skip }, async () => {
  const o = await openapiOrder({ successURL: `${shop.url}/thanks`, failURL: `${shop.url}/sorry` });
  const page = await newPage();
  await page.goto(o.cashierURL);
  await Promise.all([page.waitForURL((u) => u.pathname === '/sorry'), page.click('#fail')]);
  assert.equal(new URL(page.url()).searchParams.get('txnRef'), o.orderId);
  assert.equal(await orderStatus(o.orderId), 15);
  // Back on the payment page the order is final: no buttons, a way back to the shop.
  await page.goto(o.cashierURL);
  assert.equal(await buttons(page), 0);
  assert.match(await text(page, '#result'), /did not go through/i);
  const back = new URL((await page.locator('#back').getAttribute('href'))!);
  assert.equal(back.pathname, '/sorry');
  assert.equal(back.searchParams.get('txnRef'), o.orderId);
  await page.context().close();
});

test('a paid order says so and offers no buttons; an expired order says expired and offers no buttons', {
  skip,
}, async () => {
  const paid = await openapiOrder({ successURL: `${shop.url}/thanks` });
  assert.equal((await sandboxSettle(env, paid.orderId, 'complete')).body.code, 0);
  const page = await newPage();
  await page.goto(paid.cashierURL);
  assert.equal(await text(page, '#status'), 'Paid');
  assert.match(await text(page, '#result'), /paid/i);
  assert.equal(await buttons(page), 0);
  assert.equal(await page.locator('#timeleft').count(), 0);
  await Promise.all([page.waitForURL((u) => u.pathname === '/thanks'), page.click('#back')]);
  assert.equal(new URL(page.url()).searchParams.get('txnRef'), paid.orderId);

  // Time runs out: before the expiry sweep (still pending in the database) and after it.
  const late = await openapiOrder();
  const ttl = env.deps.config.orderTtlSeconds;
  env.clock.advance(ttl + 5);
  try {
    await page.goto(late.cashierURL);
    assert.equal(await text(page, '#status'), 'Expired');
    assert.match(await text(page, '#result'), /expired/i);
    assert.equal(await buttons(page), 0);
    // A stale page's button cannot pay an expired order either: it shows the page again.
    const stale = await fetch(`${env.url}/pay/${late.payCode}/sandbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=pay',
      redirect: 'manual',
    });
    assert.equal(stale.status, 303);
    assert.equal(stale.headers.get('location'), `/pay/${late.payCode}`);
    assert.equal(await orderStatus(late.orderId), 0);

    assert.ok((await expireDueOrders(env.deps)) >= 1);
    await page.goto(late.cashierURL);
    assert.equal(await text(page, '#status'), 'Expired');
    assert.match(await text(page, '#result'), /expired/i);
    assert.equal(await buttons(page), 0);
    assert.equal(await orderStatus(late.orderId), 15);
  } finally {
    env.clock.advance(-(ttl + 5));
  }
  await page.context().close();
});

test('live update: the open page shows "Paid" after the payment completes elsewhere, without a manual reload', {
  skip,
}, async () => {
  const o = await openapiOrder({ successURL: `${shop.url}/thanks` });
  const page = await newPage();
  await page.goto(o.cashierURL);
  assert.equal(await text(page, '#status'), 'Awaiting payment');
  assert.equal((await sandboxSettle(env, o.orderId, 'complete')).body.code, 0);
  await page.locator('#status', { hasText: 'Paid' }).waitFor({ timeout: 15_000 });
  assert.equal(await buttons(page), 0);
  assert.match(await text(page, '#result'), /paid/i);
  await page.context().close();
});

test('a payment under way shows as processing without buttons, then updates to paid', { skip }, async () => {
  const o = await openapiOrder({ successURL: `${shop.url}/thanks` });
  await markProcessing(env.deps, o.orderId, { rail: 'sandbox' });
  const page = await newPage();
  await page.goto(o.cashierURL);
  assert.equal(await text(page, '#status'), 'Payment processing');
  assert.match(await text(page, '#result'), /waiting for confirmation/i);
  assert.equal(await buttons(page), 0);
  await completeOrder(env.deps, o.orderId, { rail: 'sandbox' });
  await page.locator('#status', { hasText: 'Paid' }).waitFor({ timeout: 15_000 });
  assert.equal(new URL((await page.locator('#back').getAttribute('href'))!).searchParams.get('txnRef'), o.orderId);
  await page.context().close();
});

test('minimal flow: /pay/{code}?redirect= on the merchant host, Pay lands on the redirect with txnRef', {
  skip,
}, async () => {
  const started = await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: 1000 });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const { code, watch_code } = started.body;
  const {
    rows: [row],
  } = await env.deps.db.query('SELECT id FROM orders WHERE pay_code = $1', [code]);
  const redirect = `${shop.url}/return?cart=9`;
  const page = await newPage();
  const res = await page.goto(`${env.url}/pay/${code}?redirect=${encodeURIComponent(redirect)}`);
  assert.equal(res?.status(), 200);
  assert.equal(await text(page, '#brand'), 'Corner Bakery');
  assert.match(await text(page, '#amount'), /^1000\s+USD$/);
  await Promise.all([page.waitForURL((u) => u.pathname === '/return'), page.click('#pay')]);
  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get('txnRef'), row.id);
  assert.equal(landed.searchParams.get('cart'), '9');
  const w = await getJson(`${env.url}/watch/${watch_code}`);
  assert.equal(w.body.status, 'completed');

  // Fail goes back to the same redirect (seed 003 has one), and watch tells the merchant it failed.
  const second = await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: '7' });
  await page.goto(`${env.url}/pay/${second.body.code}?redirect=${encodeURIComponent(redirect)}`);
  await Promise.all([page.waitForURL((u) => u.pathname === '/return'), page.click('#fail')]);
  const {
    rows: [row2],
  } = await env.deps.db.query('SELECT id FROM orders WHERE pay_code = $1', [second.body.code]);
  assert.equal(new URL(page.url()).searchParams.get('txnRef'), row2.id);
  assert.equal((await getJson(`${env.url}/watch/${second.body.watch_code}`)).body.status, 'failed');
  // Coming back to the page: final, no buttons, and the way back keeps the redirect.
  await page.goto(`${env.url}/pay/${second.body.code}?redirect=${encodeURIComponent(redirect)}`);
  assert.equal(await buttons(page), 0);
  const back = new URL((await page.locator('#back').getAttribute('href'))!);
  assert.equal(`${back.origin}${back.pathname}`, `${shop.url}/return`);
  assert.equal(back.searchParams.get('txnRef'), row2.id);
  await page.context().close();
});

test('minimal flow: a redirect to a foreign host is a clear 400 error page without buttons', { skip }, async () => {
  const started = await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: 5 });
  const { code, watch_code } = started.body;
  const page = await newPage();
  for (const bad of [
    'https://evil.example/steal',
    'javascript:alert(1)',
    `//evil.example${new URL(shop.url).pathname}`,
    'http://127.0.0.1.evil.example/x',
  ]) {
    const res = await page.goto(`${env.url}/pay/${code}?redirect=${encodeURIComponent(bad)}`);
    assert.equal(res?.status(), 400, bad);
    assert.equal(await buttons(page), 0, bad);
    const h1 = await text(page, 'h1');
    const msg = await text(page, '#message');
    assert.ok(h1.length > 0 && msg.length > 0);
    assert.match(`${h1} ${msg}`, /redirect/i, `the error says what is wrong: ${h1} / ${msg}`);
  }
  // The buttons' POST checks the redirect again: a forged form cannot pay and bounce elsewhere.
  const forged = await fetch(`${env.url}/pay/${code}/sandbox`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
    body: new URLSearchParams({ outcome: 'pay', redirect: 'https://evil.example/steal' }).toString(),
  });
  assert.equal(forged.status, 400);
  assert.equal(forged.headers.get('location'), null);
  assert.equal((await getJson(`${env.url}/watch/${watch_code}`)).body.status, 'created');
  // Unknown payment codes are a 404 page.
  const unknown = await page.goto(`${env.url}/pay/no-such-code`);
  assert.equal(unknown?.status(), 404);
  assert.equal(await buttons(page), 0);
  await page.context().close();
});

test('a double click on Pay completes once and still lands on the shop', { skip }, async () => {
  const o = await openapiOrder({ successURL: `${shop.url}/thanks` });
  const page = await newPage();
  await page.goto(o.cashierURL);
  await Promise.all([page.waitForURL((u) => u.pathname === '/thanks'), page.dblclick('#pay')]);
  assert.equal(new URL(page.url()).searchParams.get('txnRef'), o.orderId);
  const { rows } = await env.deps.db.query(
    'SELECT count(*)::int AS n FROM order_events WHERE order_id = $1 AND to_status = 14',
    [o.orderId],
  );
  assert.equal(rows[0].n, 1);
  await page.context().close();
});

test('merchant-controlled text is escaped, never executed', { skip }, async () => {
  const evil = await newMerchant(env, {
    brand: '<img src=x onerror=alert(1)><script>alert(2)</script>',
    website: shop.url,
  });
  const o = await openapiOrder({}, evil);
  const page = await newPage();
  await page.goto(o.cashierURL);
  assert.equal(await text(page, '#brand'), '<img src=x onerror=alert(1)><script>alert(2)</script>');
  assert.equal(await page.locator('img').count(), 0);
  assert.deepEqual(dialogs, []);
  await page.context().close();
});

test('a phone-sized screen (390x844) renders without horizontal scrolling', { skip }, async () => {
  const long = await newMerchant(env, {
    brand: 'Établissements Nguema & Fils — Quincaillerie Générale Internationale',
    website: shop.url,
  });
  const o = await openapiOrder({ amount: '123456789.12345678', successURL: `${shop.url}/thanks` }, long);
  const ctx = await browser.context({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const page = await ctx.newPage();
  await page.goto(o.cashierURL);
  const fits = async () =>
    page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      widest: Math.max(...[...document.querySelectorAll('body *')].map((e) => e.getBoundingClientRect().right)),
    }));
  await page.screenshot({ path: '/tmp/tender-checkout-mobile.png', fullPage: true });
  let f = await fits();
  assert.ok(f.scroll <= f.client && f.widest <= f.client + 0.5, `pending page overflows: ${JSON.stringify(f)}`);
  // The Pay button is big enough to hit with a thumb.
  const box = (await page.locator('#pay').boundingBox())!;
  assert.ok(box.height >= 44 && box.width >= 200, JSON.stringify(box));

  await sandboxSettle(env, o.orderId, 'complete');
  await page.reload();
  await page.screenshot({ path: '/tmp/tender-checkout-mobile-paid.png', fullPage: true });
  f = await fits();
  assert.ok(f.scroll <= f.client && f.widest <= f.client + 0.5, `paid page overflows: ${JSON.stringify(f)}`);

  const started = await postJson(`${env.url}/api/start_payment`, { merchant_secret: long.merchantSecret, amount: 5 });
  await page.goto(
    `${env.url}/pay/${started.body.code}?redirect=${encodeURIComponent(`https://evil.example/${'x'.repeat(300)}`)}`,
  );
  await page.screenshot({ path: '/tmp/tender-checkout-mobile-error.png', fullPage: true });
  f = await fits();
  assert.ok(f.scroll <= f.client && f.widest <= f.client + 0.5, `error page overflows: ${JSON.stringify(f)}`);
  await ctx.close();
});
