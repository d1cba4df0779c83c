// Issue 13 part 3 in a real headless Chromium over real HTTP and PostgreSQL: the merchant refunds a card payment
// from the portal order page (/payments/:orderId, CSRF form), the operator records a chargeback from the console
// (/console/cards), a support operator is refused, a forged form is refused, and the ledger invariants hold in SQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { startTestEnv, type TestEnv } from './harness.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import { startPortal, type Portal } from './portal-payments-kit.js';
import { buildApp } from '../src/app.js';
import { createOperator } from '../src/core/operators.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { balances, cardMerchant, pwppV1 } from './card-helpers.js';
import { brokenInvariants } from './invariants.js';
import { assertAccessible } from './portal-page-helpers.js';

const skip = browserSkipReason();

let env: TestEnv;
let portal: Portal;
let consoleApp: FastifyInstance;
let consoleUrl: string;
let adminId: string;
let browser: TestBrowser;
let m: MerchantCredentials;

before(async () => {
  if (skip) return;
  env = await startTestEnv();
  portal = await startPortal(env);
  adminId = String((await createOperator(env.deps, 'card-console-admin')).operator.id);
  consoleApp = await buildApp(env.deps, {
    adminToken: env.adminToken,
    observeAnswer: env.contract.observe,
    consoleTestSession: (req) => {
      const h = req.headers['x-test-operator'];
      if (typeof h !== 'string') return undefined;
      const [operatorId = '', role] = h.split(':');
      return { operatorId, role: role === 'admin' ? 'admin' : 'support', csrf: `csrf-of-${operatorId}` };
    },
  });
  await consoleApp.listen({ port: 0, host: '127.0.0.1' });
  consoleUrl = `http://127.0.0.1:${(consoleApp.server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  m = await cardMerchant(env);
  await env.deps.db.query(
    'INSERT INTO card_settings (merchant_id, reserve_bps, hold_days, updated_at) VALUES ($1, 1000, 30, now())',
    [m.merchantId],
  );
});
after(async () => {
  if (skip) return;
  await browser?.close();
  await consoleApp?.close();
  await portal?.close();
  assert.deepEqual(portal.violations(), []);
  await env?.close();
});

async function paidOrder(): Promise<string> {
  const r = await pwppV1(env, m, { amount: '50.00' });
  assert.equal(r.data.orderStatus, 14, JSON.stringify(r));
  return r.data.orderId as string;
}

/** "74.50" moved by `delta` cents. */
const money = (text: string, delta: bigint) => {
  const v = BigInt(text.replace('.', '')) + delta;
  return `${v / 100n}.${String(v % 100n).padStart(2, '0')}`;
};

async function invariantsHold(): Promise<void> {
  const url = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  assert.deepEqual(await brokenInvariants(url, [], 3600), {});
}

test('issue 13 (browser): the merchant refunds a card payment from the portal order page, with CSRF', {
  skip,
}, async () => {
  const orderId = await paidOrder();
  assert.deepEqual((await balances(env, m)).USD, { available: '45.00', frozen: '5.00' });
  const session = portal.login(m);
  const ctx = await browser.context({ viewport: { width: 1200, height: 900 }, bypassCSP: true });
  await ctx.addCookies([{ name: 'tsess', value: session.token, url: portal.url }]);
  const page = await ctx.newPage();
  await page.goto(`${portal.url}/payments/${orderId}`);
  await page.getByRole('heading', { name: 'Refunds and chargebacks' }).waitFor();
  const refundKey = await page.locator('input[name="refundKey"]').inputValue();
  await page.getByLabel(/Amount to refund/).fill('12.50');
  await page.getByLabel('Reason (optional)').fill('one item returned');
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await page.getByText('Refunded: the amount left your available balance.').waitFor();
  await assertAccessible(page, 'portal order page with its refund form');
  assert.ok(await page.getByRole('cell', { name: 'one item returned' }).isVisible());
  assert.deepEqual((await balances(env, m)).USD, { available: '32.50', frozen: '5.00' });
  // The same form sent again (a double submit, a resubmitted page): the same refund key, the same refund, once.
  const again = await fetch(`${portal.url}/payments/${orderId}/refund`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
    body: new URLSearchParams({
      _csrf: session.csrf,
      amount: '12.50',
      refundKey,
      reason: 'one item returned',
    }).toString(),
  });
  assert.equal(again.status, 303);
  assert.match(again.headers.get('location') ?? '', /refund=succeeded/);
  const rows = await env.deps.db.query('SELECT count(*)::int AS n FROM card_refunds WHERE order_id = $1', [orderId]);
  assert.equal(rows.rows[0].n, 1);
  assert.deepEqual((await balances(env, m)).USD, { available: '32.50', frozen: '5.00' });
  // Above what is left: refused with the reason, nothing moved.
  await page.goto(`${portal.url}/payments/${orderId}`);
  await page.getByLabel(/Amount to refund/).fill('40.00');
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await page.getByText(/Refund refused: the refund is above what is left/).waitFor();
  assert.deepEqual((await balances(env, m)).USD, { available: '32.50', frozen: '5.00' });
  // A forged form (wrong CSRF token) and a form without a session are refused.
  const forged = await fetch(`${portal.url}/payments/${orderId}/refund`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
    body: new URLSearchParams({ _csrf: 'wrong', amount: '1.00', refundKey: 'forged-1' }).toString(),
  });
  assert.equal(forged.status, 403);
  const anonymous = await fetch(`${portal.url}/payments/${orderId}/refund`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf, amount: '1.00', refundKey: 'anon-1' }).toString(),
  });
  assert.equal(anonymous.status, 403);
  // Another merchant cannot refund this order.
  const other = await cardMerchant(env);
  const stranger = portal.login(other);
  const foreign = await fetch(`${portal.url}/payments/${orderId}/refund`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: stranger.cookie },
    body: new URLSearchParams({ _csrf: stranger.csrf, amount: '1.00', refundKey: 'foreign-1' }).toString(),
  });
  assert.equal(foreign.status, 404);
  await ctx.close();
  await invariantsHold();
});

test('issue 13 (browser): the operator records a chargeback in the console; support is refused', { skip }, async () => {
  const orderId = await paidOrder();
  const before = (await balances(env, m)).USD!;
  const ctx = await browser.context({
    extraHTTPHeaders: { 'x-test-operator': `${adminId}:admin` },
    viewport: { width: 1200, height: 900 },
    bypassCSP: true,
  });
  const page = await ctx.newPage();
  await page.goto(`${consoleUrl}/console/cards`);
  await page.getByLabel('Card order id').fill(orderId);
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByRole('heading', { name: 'Record a chargeback' }).waitFor();
  const form = page.getByRole('form', { name: 'Record a chargeback' });
  await form.getByLabel(/Amount/).fill('8.00');
  await form.getByLabel('Acquirer case id').fill('CB-2026-0001');
  await form.getByLabel('Reason code or text').fill('10.4 fraud');
  await page.getByRole('button', { name: 'Record chargeback' }).click();
  await page.getByText(/Chargeback recorded/).waitFor();
  await assertAccessible(page, 'console card refunds and chargebacks');
  assert.ok(await page.getByRole('cell', { name: 'CB-2026-0001' }).isVisible());
  // 5.00 from the order's reserve, 3.00 from available.
  assert.deepEqual((await balances(env, m)).USD, {
    available: money(before.available, -300n),
    frozen: money(before.frozen, -500n),
  });
  const [cb] = (
    await env.deps.db.query(
      'SELECT from_reserve::text, from_available::text FROM card_chargebacks WHERE order_id = $1',
      [orderId],
    )
  ).rows;
  assert.deepEqual(cb, { from_reserve: '500', from_available: '300' });
  const [audit] = (
    await env.deps.db.query(
      `SELECT actor_kind, actor_id::text FROM audit_log WHERE action = 'card.chargeback' AND target = $1`,
      [orderId],
    )
  ).rows;
  assert.deepEqual(audit, { actor_kind: 'operator', actor_id: adminId });
  await ctx.close();
  // Support sees the page without forms, and its POST is refused.
  const support = await browser.context({ extraHTTPHeaders: { 'x-test-operator': '999:support' } });
  const sp = await support.newPage();
  await sp.goto(`${consoleUrl}/console/cards?orderId=${orderId}`);
  await sp.getByText('Support operators can look but not record chargebacks or refunds.').waitFor();
  assert.equal(await sp.getByRole('button', { name: 'Record chargeback' }).count(), 0);
  const refused = await fetch(`${consoleUrl}/console/cards/${orderId}/chargeback`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-test-operator': '999:support' },
    body: new URLSearchParams({ _csrf: 'csrf-of-999', amount: '1.00', caseId: 'CB-X' }).toString(),
  });
  assert.equal(refused.status, 403);
  await support.close();
  await invariantsHold();
});
