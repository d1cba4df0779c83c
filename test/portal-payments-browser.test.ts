// Issue 12, merchant portal Payments and Balances in a real headless Chromium against real HTTP and PostgreSQL:
// the list, its filters and pages, the order page and its resend button, the balances page and chart, an
// axe-core scan of every page (no serious or critical violation), the strict CSP (nothing refused), a phone-
// sized screen, and screenshots for docs/screenshots/. Sessions are test-only until the portal's login lands.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { startTestEnv, newMerchant, webhookReceiver, type TestEnv } from './harness.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import { withdraw } from './payout-helpers.js';
import { cinetpayOrder, minimalOrder, openapiOrder, startPortal, type Portal } from './portal-payments-kit.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { completeOrder, closeOrder, markProcessing } from '../src/core/payments.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { projectPath } from '../src/paths.js';

const skip = browserSkipReason();
const AXE_SOURCE = readFileSync(projectPath('node_modules/axe-core/axe.min.js'), 'utf8');
const SHOTS = projectPath('docs/screenshots');

let env: TestEnv;
let portal: Portal;
let browser: TestBrowser;
let dispatcher: Dispatcher;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
let m: MerchantCredentials;
let paid: string;
/** Console messages of every page: a CSP refusal would show here. */
const consoleErrors: string[] = [];

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  env = await startTestEnv({ TENDER_PAYOUT_FEES: 'USDT:TRON=1+0' });
  portal = await startPortal(env);
  hooks = await webhookReceiver([{ status: 200, body: 'OK' }]);
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
  browser = await launchBrowser();
  m = await newMerchant(env, { brand: 'Corner Bakery', callbackUrl: hooks.url, feeBps: 150 });
  // A few days of history: pay-ins of three dialects, a payout, closed and processing orders.
  env.clock.advance(-4 * 86400);
  await fund('250');
  env.clock.advance(2 * 86400);
  await fund('120.75');
  env.clock.advance(2 * 86400);
  await minimalOrder(env, m, 19.99);
  await cinetpayOrder(env, m);
  const w = await withdraw(env, m, { totalAmount: '40', receivedAmount: '39' });
  assert.equal(w.body.code, 0, JSON.stringify(w.body));
  const closed = await openapiOrder(env, m, { amount: '8' });
  await closeOrder(env.deps, closed, 'customer cancelled', 'test');
  const seen = await openapiOrder(env, m, { amount: '15' });
  await markProcessing(env.deps, seen, { rail: 'sandbox' });
  paid = await openapiOrder(env, m, { amount: '99.9' });
  await completeOrder(env.deps, paid, { rail: 'sandbox', hash: `0x${'ab'.repeat(32)}`, network: 'TRON(TRC-20)' });
  await hooks.waitFor(1);
});
after(async () => {
  if (skip) return;
  await browser?.close();
  await dispatcher?.stop();
  await hooks?.close();
  await portal?.close();
  assert.deepEqual(portal.violations(), []);
  await env?.close();
});

/** A paid pay-in on the test clock (payout-helpers' fundMerchant signs with the wall clock). */
async function fund(amount: string): Promise<void> {
  await completeOrder(env.deps, await openapiOrder(env, m, { amount }), { rail: 'sandbox' });
}

async function loggedIn(viewport = { width: 1280, height: 900 }): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.context({ viewport });
  await ctx.addCookies([{ name: 'tsess', value: portal.login(m).token, url: portal.url }]);
  const page = await ctx.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  return { ctx, page };
}

/** axe-core in the page; fails on any serious or critical violation. */
async function axe(page: Page, what: string): Promise<void> {
  // Evaluated through the DevTools protocol: the page's CSP rightly refuses an injected <script> tag.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const r = await (globalThis as any).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  const serious = result.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${what}: ${JSON.stringify(serious)}`);
}

const rowsOf = (page: Page) => page.locator('table.orders tbody tr');

test('issue 12 (browser): the payments list, its filters and its pages', { skip }, async () => {
  const { ctx, page } = await loggedIn();
  await page.goto(`${portal.url}/payments`);
  assert.equal(await page.title(), 'Payments · Tender merchant portal');
  assert.equal(await rowsOf(page).count(), 8);
  assert.equal(await rowsOf(page).first().locator('td').nth(1).innerText(), paid);
  await axe(page, 'list');
  await page.screenshot({ path: `${SHOTS}/portal-payments-list.png`, fullPage: true });

  // Filter: completed orders only, by keyboard-reachable form controls.
  await page.getByLabel('Status').selectOption('14');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/status=14/);
  const statuses = await rowsOf(page).locator('td:nth-child(6)').allInnerTexts();
  assert.ok(statuses.length >= 3 && statuses.every((s) => s === 'Completed'), statuses.join());
  // Amount and kind.
  await page.goto(`${portal.url}/payments`);
  await page.getByLabel('Amount').fill('40');
  await page.getByLabel('Kind').selectOption('payout');
  await page.getByRole('button', { name: 'Search' }).click();
  assert.equal(await rowsOf(page).count(), 1);
  assert.equal(await rowsOf(page).locator('td:nth-child(4)').innerText(), 'Crypto payout');
  // Nothing found says so.
  await page.getByLabel('merchantTradeNo').fill('no-such-order');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByText('No order matches these filters.').waitFor();
  await axe(page, 'empty list');
  // A bad filter: a 400 page that says why.
  await page.goto(`${portal.url}/payments?from=2026-02-30`);
  await page.getByText('from must be a date YYYY-MM-DD').waitFor();
  await axe(page, 'refusal');

  // Pages of three: older, older, then newer back to the start.
  await page.goto(`${portal.url}/payments?size=3`);
  const first = await rowsOf(page).locator('td:nth-child(2)').allInnerTexts();
  await page.getByRole('link', { name: 'Older' }).click();
  const second = await rowsOf(page).locator('td:nth-child(2)').allInnerTexts();
  await page.getByRole('link', { name: 'Older' }).click();
  const third = await rowsOf(page).locator('td:nth-child(2)').allInnerTexts();
  assert.equal(await page.getByRole('link', { name: 'Older' }).count(), 0);
  assert.equal(new Set([...first, ...second, ...third]).size, 8);
  await page.getByRole('link', { name: 'Newer' }).click();
  assert.deepEqual(await rowsOf(page).locator('td:nth-child(2)').allInnerTexts(), second);
  await page.getByRole('link', { name: 'Newer' }).click();
  assert.deepEqual(await rowsOf(page).locator('td:nth-child(2)').allInnerTexts(), first);
  await ctx.close();
});

test('issue 12 (browser): the order page, its history, ledger and webhook attempts, and resend', { skip }, async () => {
  const { ctx, page } = await loggedIn();
  await page.goto(`${portal.url}/payments?orderId=${paid}`);
  await page.getByRole('link', { name: paid }).click();
  await page.waitForURL(`${portal.url}/payments/${paid}`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Order ${paid}`);
  const history = await page.locator('[aria-labelledby="h-history"] tbody tr').allInnerTexts();
  assert.equal(history.length, 2);
  assert.match(history[1]!, /Completed \(14\)/);
  // 99.9 at 1.5 %: 98.4015 to the merchant, 1.4985 fee.
  await page.getByText('98.4015 USDT').waitFor();
  await page.getByText('1.4985 USDT').first().waitFor();
  await page.getByText(`POST ${hooks.url}`).first().waitFor();
  await page.getByText('acknowledged').first().waitFor();
  await axe(page, 'order page');
  await page.screenshot({ path: `${SHOTS}/portal-payments-order.png`, fullPage: true });

  const before = hooks.calls.length;
  await page.getByRole('button', { name: 'Resend webhook' }).click();
  await page.waitForURL(/resent=1/);
  await page.getByText('The webhook was queued again').waitFor();
  await hooks.waitFor(before + 1);
  assert.ok(hooks.calls[hooks.calls.length - 1]!.body.includes(paid), 'the resent webhook is of this order');
  await page.reload();
  await page.getByRole('heading', { name: /Webhook 2: status 14/ }).waitFor();
  await ctx.close();
});

test('issue 12 (browser): balances, the chart and its table, the journal', { skip }, async () => {
  const { ctx, page } = await loggedIn();
  await page.goto(`${portal.url}/balances?currency=USDT&days=7`);
  // 250 + 120.75 + 99.9 paid in at 1.5 % (463.59025 net), 40 of it frozen for the payout.
  const row = await page.locator('table').first().locator('tbody tr').first().innerText();
  assert.match(row, /USDT\s+423\.59025\s+40\s+463\.59025/);
  const chart = page.getByRole('img', { name: /USDT: paid in per day and balance/ });
  await chart.waitFor();
  assert.ok((await page.locator('svg rect.bar').count()) >= 2);
  // The table alternative opens by keyboard and ends at today's balance.
  await page.locator('summary').focus();
  await page.keyboard.press('Enter');
  const lastDay = await page.locator('details tbody tr').last().innerText();
  assert.match(lastDay, /463\.59025$/);
  await page.getByRole('link', { name: paid }).first().waitFor();
  await axe(page, 'balances');
  await page.screenshot({ path: `${SHOTS}/portal-payments-balances.png`, fullPage: true });
  await ctx.close();
});

test('issue 12 (browser): a phone-sized screen shows the list without page-wide scrolling', { skip }, async () => {
  const { ctx, page } = await loggedIn({ width: 375, height: 740 });
  await page.goto(`${portal.url}/payments`);
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0]! <= widths[1]!, `page is ${widths[0]} px wide on a ${widths[1]} px screen`);
  await axe(page, 'phone list');
  await page.screenshot({ path: `${SHOTS}/portal-payments-phone.png`, fullPage: true });
  await page.goto(`${portal.url}/payments/${paid}`);
  const w2 = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(w2[0]! <= w2[1]!, `order page is ${w2[0]} px wide on a ${w2[1]} px screen`);
  await ctx.close();
  assert.deepEqual(
    consoleErrors.filter((e) => /Content Security Policy|Refused/.test(e)),
    [],
    'the strict CSP refused nothing',
  );
});
