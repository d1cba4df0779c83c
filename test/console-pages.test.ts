// Issue 12, operator console pages over real HTTP and in headless Chromium: onboarding shows the credentials
// once (and they work), suspension from the page refuses the merchant's signed requests, payout approval from
// the queue, support is read-only, CSRF / foreign origin / no session refused, strict CSP, axe-core scan of
// every page with no serious or critical violation, screenshots in docs/screenshots/console-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { startTestEnv, newMerchant, signed, postForm, type TestEnv } from './harness.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import { buildApp } from '../src/app.js';
import { createOperator } from '../src/core/operators.js';
import { setApprovalThreshold } from '../src/core/payout-settings.js';
import { projectPath } from '../src/paths.js';
import { fundMerchant, withdraw } from './payout-helpers.js';

const skip = browserSkipReason();

let env: TestEnv;
let app: FastifyInstance;
let url: string;
let adminId: string;
let browser: TestBrowser | undefined;

/** The test stands in for H3's login: `x-test-operator: <id>:<role>`; the CSRF token is derived from the id. */
const csrfOf = (id: string) => `csrf-token-of-${id}`;

before(async () => {
  env = await startTestEnv();
  adminId = String((await createOperator(env.deps, 'console-admin')).operator.id);
  app = await buildApp(env.deps, {
    adminToken: env.adminToken,
    observeAnswer: env.contract.observe,
    consoleTestSession: (req) => {
      const h = req.headers['x-test-operator'];
      if (typeof h !== 'string') return undefined;
      const [operatorId = '', role] = h.split(':');
      return { operatorId, role: role === 'admin' ? 'admin' : 'support', csrf: csrfOf(operatorId) };
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  if (!skip) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app.close();
  await env.close();
});

const as = (who: string) => ({ 'x-test-operator': who });
const get = (path: string, who?: string) => fetch(`${url}${path}`, { headers: who ? as(who) : {}, redirect: 'manual' });
const post = (path: string, form: Record<string, string>, who?: string, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? as(who) : {}), ...headers },
    body: new URLSearchParams(form).toString(),
  });
const suspended = async (id: number) =>
  (await env.deps.db.query('SELECT suspended_at FROM merchants WHERE id = $1', [id])).rows[0].suspended_at !== null;

test('issue 12: without an operator session pages redirect to /console/login and posts are refused', async () => {
  const m = await newMerchant(env);
  for (const p of ['/console/merchants', `/console/merchants/${m.merchantId}`, '/console/audit', '/console/payouts']) {
    const r = await get(p);
    assert.equal(r.status, 303, p);
    assert.equal(r.headers.get('location'), '/console/login');
  }
  const r = await post(`/console/merchants/${m.merchantId}/suspend`, { reason: 'x', _csrf: 'x' });
  assert.equal(r.status, 401);
  assert.equal(await suspended(m.merchantId), false);
  assert.equal(
    (await get('/assets/portal.css')).status,
    200,
    'the one stylesheet (portal and console) needs no session',
  );
});

test(
  'issue 12: support operators see every page without a form, and any POST is refused (403) with nothing ' + 'changed',
  async () => {
    const m = await newMerchant(env);
    for (const p of [
      '/console/merchants',
      `/console/merchants/${m.merchantId}`,
      '/console/payouts',
      '/console/webhooks',
      '/console/audit',
    ]) {
      const r = await get(p, '9:support');
      assert.equal(r.status, 200, p);
      const text = await r.text();
      // Only the header's "Log out" form posts (its own session, not a change to anything).
      const main = text.slice(text.indexOf('<main'));
      assert.doesNotMatch(main, /method="post"/i, `${p} has no form that changes anything`);
      assert.match(text, /support \(read-only\)/);
    }
    for (const [path, form] of [
      [`/console/merchants/${m.merchantId}/suspend`, { reason: 'nope' }],
      [`/console/merchants/${m.merchantId}/fees`, { payinFeeBps: '900' }],
      ['/console/merchants', { brand: 'B', company: 'C', website: 'https://b.example', email: 'a@b.example' }],
    ] as const) {
      const r = await post(path, { ...form, _csrf: csrfOf('9') }, '9:support');
      assert.equal(r.status, 403, path);
      assert.match(await r.text(), /support operators can look but not change anything/);
    }
    assert.equal(await suspended(m.merchantId), false);
    const fee = (await env.deps.db.query('SELECT fee_bps FROM merchants WHERE id = $1', [m.merchantId])).rows[0];
    assert.equal(fee.fee_bps, 0);
  },
);

test('issue 12: a console POST without the session CSRF token, or from another origin, is refused', async () => {
  const m = await newMerchant(env);
  const path = `/console/merchants/${m.merchantId}/suspend`;
  assert.equal((await post(path, { reason: 'csrf' }, `${adminId}:admin`)).status, 403);
  assert.equal((await post(path, { reason: 'csrf', _csrf: 'guess' }, `${adminId}:admin`)).status, 403);
  assert.equal((await post(path, { reason: 'csrf', _csrf: csrfOf('other') }, `${adminId}:admin`)).status, 403);
  const foreign = await post(path, { reason: 'csrf', _csrf: csrfOf(adminId) }, `${adminId}:admin`, {
    origin: 'https://evil.example',
  });
  assert.equal(foreign.status, 403);
  assert.equal(await suspended(m.merchantId), false);
  const ok = await post(path, { reason: 'real', _csrf: csrfOf(adminId) }, `${adminId}:admin`, { origin: url });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), `/console/merchants/${m.merchantId}?done=suspended`);
  assert.equal(await suspended(m.merchantId), true);
});

test(
  'issue 12: console pages send a strict CSP and carry no inline ' +
    'style or script; bad input is a page, never a 5xx',
  async () => {
    const m = await newMerchant(env, { brand: '<script>alert(1)</script>' });
    const r = await get(`/console/merchants/${m.merchantId}`, `${adminId}:admin`);
    assert.equal(r.status, 200);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const text = await r.text();
    assert.doesNotMatch(text, /<script|<style|\sstyle=/i);
    assert.match(text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    for (const p of [
      '/console/merchants/abc',
      '/console/merchants/99999999',
      '/console/audit?from=yesterday',
      '/console/merchants?after=x',
      '/console/audit?actor=root',
    ]) {
      const res = await get(p, `${adminId}:admin`);
      assert.ok(res.status >= 400 && res.status < 500, `${p}: ${res.status}`);
    }
    const bad = await post(
      `/console/merchants/${m.merchantId}/fees`,
      { payinFeeBps: '99999', _csrf: csrfOf(adminId) },
      `${adminId}:admin`,
    );
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /feeBps must be an integer from 0 to 10000/);
    const empty = await post(
      `/console/merchants/${m.merchantId}/suspend`,
      { reason: ' ', _csrf: csrfOf(adminId) },
      `${adminId}:admin`,
    );
    assert.equal(empty.status, 400);
  },
);

async function axeScan(page: Page, name: string) {
  await page.addScriptTag({ path: projectPath('node_modules/axe-core/axe.min.js') });
  const result = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe;
    return axe.run();
  })) as { violations: Array<{ id: string; impact: string; help: string; nodes: unknown[] }> };
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help}`),
    [],
    `${name}: axe found serious violations`,
  );
}

test('issue 12 (browser): an admin onboards a merchant from the form and sees its credentials once (they work), ' +
  'suspends it from its page (its signed request is refused with 10090), reactivates it, approves a payout ' +
  'from the queue; every page passes axe-core; screenshots', { skip }, async () => {
  const ctx = await browser!.context({
    extraHTTPHeaders: as(`${adminId}:admin`),
    // axe-core is injected as a script: the console's own CSP forbids that, as it should.
    bypassCSP: true,
    viewport: { width: 1200, height: 900 },
  });
  const page = await ctx.newPage();
  await page.goto(`${url}/console/merchants`);
  await axeScan(page, 'merchants');
  await page.getByLabel('Brand').fill('Kiosque Plateau');
  await page.getByLabel('Company').fill('Kiosque Plateau SARL');
  await page.getByLabel('Website').fill('https://kiosque.example');
  await page.getByLabel('E-mail').fill('ops@kiosque.example');
  await page.getByRole('button', { name: 'Create merchant' }).click();
  await page.getByRole('heading', { name: 'Merchant created' }).waitFor();
  const cred = async (k: string) => (await page.locator(`dd[data-field="${k}"]`).textContent())!.trim();
  const merchantId = await cred('Merchant ID');
  const securityKey = await cred('Security key (openapi)');
  assert.match(await cred('User name'), /^kiosqueplateau-/);
  assert.ok((await cred('One-time password')).length >= 12);
  await axeScan(page, 'credentials');
  await page.screenshot({ path: projectPath('docs/screenshots/console-onboarded.png'), fullPage: true });

  const order = (tradeNo: string) =>
    postForm(
      `${env.url}/openapi/v1/createOrder`,
      signed(
        {
          merchantId,
          merchantTradeNo: tradeNo,
          createTime: String(Date.now()),
          userId: 'u',
          amount: '2',
          cryptoCurrency: 'USDT',
        },
        securityKey,
      ),
    );
  assert.equal((await order('CON-1')).body.code, 0, 'the credentials handed over work');
  // Shown once: the merchant page never shows them again.
  await page.getByRole('link', { name: 'Open the merchant' }).click();
  await page.getByRole('heading', { name: 'Kiosque Plateau' }).waitFor();
  assert.ok(!(await page.content()).includes(securityKey));
  await axeScan(page, 'merchant');

  await page.getByLabel('Reason').fill('documents expired');
  await page.getByRole('button', { name: 'Suspend merchant' }).click();
  await page.getByText('The merchant is suspended').waitFor();
  assert.match((await page.locator('dl.facts').textContent()) ?? '', /Suspended since .*documents expired/);
  await page.screenshot({ path: projectPath('docs/screenshots/console-merchant-suspended.png'), fullPage: true });
  const refused = await order('CON-2');
  assert.equal(refused.body.code, 10090, JSON.stringify(refused.body));
  await page.getByRole('button', { name: 'Reactivate merchant' }).click();
  await page.getByText('The merchant is active again.').waitFor();
  assert.equal((await order('CON-3')).body.code, 0);

  await page.getByLabel('Pay-in fee (bps)').fill('125');
  await page.getByRole('button', { name: 'Save fees' }).click();
  await page.getByText('Fees saved.').waitFor();
  const fee = await env.deps.db.query('SELECT fee_bps FROM merchants WHERE id = $1', [merchantId]);
  assert.equal(fee.rows[0].fee_bps, 125);

  // A payout above the threshold waits in the queue; the admin approves it (one of two approvals).
  const m = await newMerchant(env, { brand: 'Payout Shop' });
  await fundMerchant(env, m, 'USDT', '1000');
  await setApprovalThreshold(env.deps, String(m.merchantId), 'USDT', '100');
  const w = await withdraw(env, m, { totalAmount: '300', receivedAmount: '300' });
  assert.equal(w.body.code, 0, JSON.stringify(w.body));
  await page.getByRole('link', { name: 'Payout approvals' }).click();
  await page.getByRole('heading', { name: 'Payout approvals' }).waitFor();
  await axeScan(page, 'payouts');
  await page.getByRole('button', { name: `Approve payout ${w.body.data.orderId}` }).click();
  await page.getByText('Approval recorded.').waitFor();
  assert.match((await page.content()) ?? '', /1\/2: console-admin/);
  await page.screenshot({ path: projectPath('docs/screenshots/console-payouts.png'), fullPage: true });

  await page.getByRole('link', { name: 'Webhook health' }).click();
  await page.getByRole('heading', { name: 'Webhook health' }).waitFor();
  await axeScan(page, 'webhooks');
  await page.screenshot({ path: projectPath('docs/screenshots/console-webhooks.png'), fullPage: true });

  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('Merchant ID').fill(merchantId);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/merchantId=/);
  const audit = (await page.locator('tbody').textContent()) ?? '';
  for (const a of ['merchant.create', 'merchant.suspend', 'merchant.reactivate', 'merchant.update'])
    assert.ok(audit.includes(a), `${a} in the audit page`);
  assert.ok(audit.includes(`operator:${adminId}`));
  await axeScan(page, 'audit');
  await page.screenshot({ path: projectPath('docs/screenshots/console-audit.png'), fullPage: true });
  await ctx.close();
});

test('issue 12 (browser): on a phone-sized screen the support role sees the merchant list without forms', {
  skip,
}, async () => {
  await newMerchant(env, { brand: 'Phone Check' });
  const ctx = await browser!.context({
    extraHTTPHeaders: as('9:support'),
    bypassCSP: true,
    viewport: { width: 375, height: 740 },
  });
  const page = await ctx.newPage();
  await page.goto(`${url}/console/merchants`);
  assert.equal(await page.locator('main form[method="post"]').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Create merchant' }).count(), 0);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375 + 1, `no horizontal page scroll (${width}px)`);
  await axeScan(page, 'merchants (phone)');
  await page.screenshot({ path: projectPath('docs/screenshots/console-merchants-phone.png'), fullPage: true });
  await ctx.close();
});
