// Crypto orders on the hosted page in a real headless Chromium: the network picker, the deposit address
// (the order's own deposit_addresses row), the exact amount, the QR code of the payment URI, the copy
// button (clipboard and its fallback), the time left, and live status updates to Processing and Paid.
// Networks are configured like production (xpubs + RPC URLs); the RPCs are never reached: no watcher runs
// here, the tests move the order through src/core/payments.ts as a watcher would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, BrowserContext } from 'playwright-core';
import { startTestEnv, newMerchant, signed, postForm, postJson, sleep, type TestEnv } from './harness.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { completeOrder, markProcessing } from '../src/core/payments.js';
import { paymentUri } from '../src/domain/payment-uri.js';
import { offlineCryptoEnv } from './reference-keys.js';

const skip = browserSkipReason();

let env: TestEnv;
let browser: TestBrowser;
let m: MerchantCredentials;

before(async () => {
  if (skip) return;
  env = await startTestEnv({
    ...offlineCryptoEnv(),
    TENDER_CHAIN_ID_ETHEREUM: '31337',
  });
  m = await newMerchant(env, { brand: 'Corner Bakery' });
  browser = await launchBrowser();
});
after(async () => {
  if (skip) return;
  await browser?.close();
  await env?.close();
});

let seq = 0;
async function cryptoOrder(extra: Record<string, string> = {}): Promise<{ orderId: string; cashierURL: string }> {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: `CB-${++seq}`,
    createTime: String(Date.now()),
    userId: 'u-1',
    amount: '12.5',
    cryptoCurrency: 'USDT',
    ...extra,
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return { orderId: r.body.data.orderId, cashierURL: r.body.data.cashierURL };
}

async function orderAddressRow(orderId: string): Promise<{ family: string; address: string }[]> {
  return (
    await env.deps.db.query('SELECT family, address FROM deposit_addresses WHERE order_id = $1 ORDER BY id', [orderId])
  ).rows;
}

const dialogs: string[] = [];
async function newPage(
  ctxOpts: Parameters<TestBrowser['context']>[0] = {},
): Promise<{ page: Page; ctx: BrowserContext }> {
  const ctx = await browser.context(ctxOpts);
  const page = await ctx.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, ctx };
}
const text = async (page: Page, sel: string) => (await page.locator(sel).innerText()).trim();

/** Waits until `sel` shows `want`, across the page's own reloads; never reloads itself. */
async function waitText(page: Page, sel: string, want: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    last = await page
      .locator(sel)
      .innerText({ timeout: 1000 })
      .then(
        (t) => t.trim(),
        () => last,
      );
    if (last === want) return;
    await sleep(100);
  }
  assert.fail(`${sel} shows "${last}", expected "${want}"`);
}

/** What the builder makes for this order's address and network (the page must show the same URI). */
function expectedUri(address: string, amount: bigint, currency: string, networkName: string): string {
  const net = env.deps.config.crypto.networks.find((n) => n.name === networkName)!;
  return paymentUri({
    family: net.family,
    address,
    amount,
    ledgerExponent: env.deps.assets.exponent(currency),
    chainExponent: env.deps.assets.exponent(currency, networkName),
    token: net.native === currency ? null : net.usdt,
    chainId: net.chainId,
  }).uri;
}

async function fits(page: Page): Promise<void> {
  const f = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    widest: Math.max(...[...document.querySelectorAll('body *')].map((e) => e.getBoundingClientRect().right)),
  }));
  assert.ok(f.scroll <= f.client && f.widest <= f.client + 0.5, `page overflows: ${JSON.stringify(f)}`);
}

test("USDT: pick TRON(TRC-20), pay to the order's own address (QR, exact amount, copy), live Processing then Paid", {
  skip,
}, async () => {
  const o = await cryptoOrder();
  const { page, ctx } = await newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.url });
  await page.goto(o.cashierURL);

  // No network yet: the picker with the wire names of every network that offers USDT, nothing allocated.
  const choices = await page
    .locator('#networks button[name=network]')
    .evaluateAll((bs) => bs.map((b) => (b as HTMLButtonElement).value));
  assert.deepEqual(choices, ['Ethereum(ERC-20)', 'BSC(BEP-20)', 'TRON(TRC-20)']);
  assert.match(await text(page, '#networks button[value="TRON(TRC-20)"]'), /^TRON\(TRC-20\)/);
  assert.equal(await page.locator('#crypto').count(), 0);
  assert.equal(await page.locator('#pay').count(), 1, 'sandbox buttons stay');
  assert.deepEqual(await orderAddressRow(o.orderId), []);
  await page.screenshot({ path: '/tmp/tender-crypto-picker.png', fullPage: true });
  await fits(page);

  await Promise.all([
    page.waitForURL((u) => u.pathname === new URL(o.cashierURL).pathname),
    page.click('#networks button[value="TRON(TRC-20)"]'),
  ]);
  await page.locator('#crypto').waitFor();
  const rows = await orderAddressRow(o.orderId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.family, 'tron');
  const address = rows[0]!.address;
  assert.equal(await text(page, '#address'), address);
  assert.equal(await text(page, '#network'), 'TRON(TRC-20)');
  assert.equal(await text(page, '#chain-amount'), '12.5 USDT');
  assert.equal(
    await page.locator('#address').evaluate((e) => getComputedStyle(e).fontFamily.includes('monospace')),
    true,
  );
  const uri = expectedUri(address, 12_500_000_000_000_000_000n, 'USDT', 'TRON(TRC-20)');
  assert.equal(uri, `tron:${address}?amount=12.5&token=TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t`);
  assert.equal(await page.locator('#crypto').getAttribute('data-uri'), uri);
  assert.equal(await page.locator('#wallet').getAttribute('href'), uri);
  const qr = await page.locator('#qr svg').evaluate((s) => ({
    w: s.getBoundingClientRect().width,
    paths: s.querySelectorAll('path').length,
    vb: s.getAttribute('viewBox'),
  }));
  assert.ok(qr.paths >= 1 && qr.w >= 150 && /^0 0 \d+ \d+$/.test(qr.vb ?? ''), JSON.stringify(qr));
  assert.match(await text(page, '#status'), /^Awaiting payment$/);
  assert.match(await text(page, '#timeleft'), /^(\d+:)?\d+:\d{2}$/);
  assert.equal(await page.locator('#pay').count(), 1, 'sandbox buttons stay');

  await page.click('#copy');
  await page.waitForFunction(() => document.getElementById('copy')?.getAttribute('data-copied'));
  assert.equal(await page.locator('#copy').getAttribute('data-copied'), 'clipboard');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), address);
  assert.equal(await text(page, '#copy'), 'Copied');

  await page.screenshot({ path: '/tmp/tender-crypto-address.png', fullPage: true });
  await fits(page);
  const qrBox = (await page.locator('#qr').boundingBox())!;
  assert.ok(qrBox.y + qrBox.height <= 844, `the QR code is on the first screen: ${JSON.stringify(qrBox)}`);

  // Reloading (or another device) shows the same address: nothing new is allocated.
  await page.reload();
  assert.equal(await text(page, '#address'), address);
  assert.equal((await orderAddressRow(o.orderId)).length, 1);

  // A watcher sees the deposit, then confirms it: the open page follows without anyone reloading it.
  await markProcessing(env.deps, o.orderId, { rail: 'tron', network: 'TRON(TRC-20)', hash: 'ab'.repeat(32) });
  await waitText(page, '#status', 'Payment processing');
  assert.equal(await page.locator('#qr').count(), 0, 'no QR once a payment is under way');
  assert.equal(await text(page, '#network'), 'TRON(TRC-20)');
  await page.screenshot({ path: '/tmp/tender-crypto-processing.png', fullPage: true });
  await completeOrder(env.deps, o.orderId, { rail: 'tron', network: 'TRON(TRC-20)', hash: 'ab'.repeat(32) });
  await waitText(page, '#status', 'Paid');
  assert.match(await text(page, '#result'), /has been paid/);
  await page.screenshot({ path: '/tmp/tender-crypto-paid.png', fullPage: true });
  await fits(page);
  await ctx.close();
});

test('ETH (one network): straight to the address view with an EIP-681 URI on the configured chain id', {
  skip,
}, async () => {
  const o = await cryptoOrder({ cryptoCurrency: 'ETH', amount: '0.05' });
  const { page, ctx } = await newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(o.cashierURL);
  assert.equal(await page.locator('#networks').count(), 0, 'no picker when one network offers the asset');
  const rows = await orderAddressRow(o.orderId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.family, 'evm');
  assert.equal(await text(page, '#address'), rows[0]!.address);
  assert.equal(await text(page, '#network'), 'Ethereum(ERC-20)');
  assert.equal(await text(page, '#chain-amount'), '0.05 ETH');
  const uri = `ethereum:${rows[0]!.address}@31337?value=50000000000000000`;
  assert.equal(expectedUri(rows[0]!.address, 50_000_000_000_000_000n, 'ETH', 'Ethereum(ERC-20)'), uri);
  assert.equal(await page.locator('#crypto').getAttribute('data-uri'), uri);
  assert.equal(await page.locator('#qr svg').count(), 1);
  const d = (await env.deps.db.query('SELECT network FROM orders WHERE id = $1', [o.orderId])).rows[0];
  assert.equal(d.network, 'Ethereum(ERC-20)', 'the only network was assigned');
  await ctx.close();
});

test('copy without clipboard API: the address is selected for the customer to copy', { skip }, async () => {
  const o = await cryptoOrder({ network: 'BSC(BEP-20)', amount: '3' });
  const { page, ctx } = await newPage();
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
  });
  await page.goto(o.cashierURL);
  assert.equal(await page.evaluate(() => typeof navigator.clipboard), 'undefined');
  const address = (await orderAddressRow(o.orderId))[0]!.address;
  assert.equal(
    await page.locator('#crypto').getAttribute('data-uri'),
    `ethereum:0x55d398326f99059fF775485246999027B3197955@56/transfer?address=${address}&uint256=3000000000000000000`,
  );
  await page.click('#copy');
  await page.waitForFunction(() => document.getElementById('copy')?.getAttribute('data-copied'));
  assert.ok(['selected', 'selection'].includes((await page.locator('#copy').getAttribute('data-copied'))!));
  assert.equal(await page.evaluate(() => String(window.getSelection())), address);
  await ctx.close();
});

test('an amount a network cannot hold exactly: that network cannot be picked', { skip }, async () => {
  const o = await cryptoOrder({ amount: '1.0000001' });
  const { page, ctx } = await newPage();
  await page.goto(o.cashierURL);
  const state = await page
    .locator('#networks button[name=network]')
    .evaluateAll((bs) => bs.map((b) => [(b as HTMLButtonElement).value, (b as HTMLButtonElement).disabled]));
  assert.deepEqual(state, [
    ['Ethereum(ERC-20)', true],
    ['BSC(BEP-20)', false],
    ['TRON(TRC-20)', true],
  ]);
  await Promise.all([
    page.waitForURL((u) => u.pathname === new URL(o.cashierURL).pathname),
    page.click('#networks button[value="BSC(BEP-20)"]'),
  ]);
  assert.equal(await text(page, '#chain-amount'), '1.0000001 USDT');
  await ctx.close();
});

test('an order in a fiat currency keeps the plain page', { skip }, async () => {
  const started = await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: 1000 });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const { page, ctx } = await newPage();
  await page.goto(`${env.url}/pay/${started.body.code}`);
  assert.equal(await page.locator('#networks, #crypto').count(), 0);
  assert.equal(await page.locator('#pay').count(), 1);
  assert.equal(dialogs.length, 0, 'no page opened a dialog');
  await ctx.close();
});
