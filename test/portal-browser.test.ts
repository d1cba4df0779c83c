// Issue 12 in a real headless Chromium: the merchant's first login and forced password change, TOTP
// enrolment then logins with an authenticator code (otplib) and with a recovery code, the Security Key
// revealed and rotated (the old key then fails a signed createOrder), CSRF and session fixation refused,
// the lockout, operator logins with a support operator unable to change anything, and an axe-core scan of
// every page (no serious or critical violation). Screenshots go to docs/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import type { Page } from 'playwright-core';
import { startTestEnv, newMerchant, signed, postForm, type TestEnv } from './harness.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import { consoleOperator, NEW_PASSWORD } from './portal-helpers.js';
import { LOCKOUT, totpCode } from '../src/core/portal-auth.js';
import { createConsoleOperator } from '../src/core/operators.js';
import { consoleAuthPlugin } from '../src/web/console/auth-plugin.js';
import { consolePage, csrfField } from '../src/web/portal/layout.js';
import { sendPage } from '../src/web/portal/area.js';
import { projectPath } from '../src/paths.js';

const skip = browserSkipReason();
let env: TestEnv;
let browser: TestBrowser;
const SHOTS = projectPath('docs/screenshots');
const AXE = projectPath('node_modules/axe-core/axe.min.js');

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  env = await startTestEnv();
  browser = await launchBrowser();
});
after(async () => {
  if (skip) return;
  await browser?.close();
  await env?.close();
});

/** axe-core on the page as it is now: the serious and critical violations (none expected). */
async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, where: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${v.where.slice(0, 3).join(', ')}`);
}

/** Scans the page, checks it fits a phone's width, and saves a screenshot when named. */
async function check(page: Page, label: string, shot?: string): Promise<void> {
  assert.deepEqual(await axe(page), [], `${label}: accessibility`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(wide, false, `${label}: no sideways scrolling at ${page.viewportSize()?.width}px`);
  if (shot) await page.screenshot({ path: `${SHOTS}/${shot}.png`, fullPage: true });
}

/** A phone-sized context; axe is injected as a script, so the page's CSP is bypassed for the scan only. */
const phone = () => browser.context({ viewport: { width: 390, height: 844 }, bypassCSP: true });

async function login(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForLoadState('domcontentloaded');
}

test('issue 12: first login with the one-time password, forced change, then the dashboard', { skip }, async () => {
  const m = await newMerchant(env, { brand: 'Browser Shop' });
  const ctx = await phone();
  const page = await ctx.newPage();
  await page.goto(`${env.url}/login`);
  await check(page, 'login', 'portal-login');
  await login(page, env.url, m.username, m.password);
  assert.equal(new URL(page.url()).pathname, '/user-center/password');
  await check(page, 'forced change', 'portal-change-password');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL(`${env.url}/`);
  assert.match((await page.textContent('main'))!, new RegExp(`Merchant ID ${m.merchantId}`));
  await check(page, 'dashboard', 'portal-dashboard');
  // The keyboard reaches the skip link first, and it is visible when focused.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await ctx.close();
});

test('issue 12: key reveal and rotation in the browser; the old key then fails a signed createOrder', {
  skip,
}, async () => {
  const m = await newMerchant(env, { brand: 'Key Shop' });
  const ctx = await phone();
  const page = await ctx.newPage();
  await login(page, env.url, m.username, m.password);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL(`${env.url}/`);
  await page.getByRole('link', { name: 'User Center' }).first().click();
  await page.waitForURL(`${env.url}/user-center`);
  assert.equal(await page.locator('#security-key').count(), 0, 'hidden until the password is given');
  assert.equal(await page.textContent('#merchant-id'), String(m.merchantId));
  await check(page, 'user center', 'portal-user-center');
  await page.locator('#f-reveal-password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Show the key' }).click();
  await page.waitForSelector('#security-key');
  assert.equal(await page.textContent('#security-key'), m.securityKey);
  await page.locator('#f-rotate-password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Rotate the key' }).click();
  await page.waitForSelector('text=the previous one no longer works');
  const newKey = (await page.textContent('#security-key'))!;
  assert.notEqual(newKey, m.securityKey);
  await check(page, 'rotated key');
  const order = (key: string, no: string) =>
    postForm(
      `${env.url}/openapi/v1/createOrder`,
      signed(
        {
          merchantId: String(m.merchantId),
          merchantTradeNo: no,
          createTime: String(env.clock.now().getTime()),
          userId: 'u',
          amount: '5',
          cryptoCurrency: 'USDT',
        },
        key,
      ),
    );
  assert.notEqual((await order(m.securityKey, 'B-OLD')).body.code, 0, 'old key refused at once');
  const ok = await order(newKey, 'B-NEW');
  assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
  await ctx.close();
});

test('issue 12: TOTP enrolment, then login with an authenticator code and with a recovery code', { skip }, async () => {
  const m = await newMerchant(env, { brand: 'TOTP Shop' });
  const ctx = await phone();
  const page = await ctx.newPage();
  await login(page, env.url, m.username, m.password);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL(`${env.url}/`);
  await page.goto(`${env.url}/user-center/totp`);
  await check(page, 'totp off');
  await page.getByRole('button', { name: 'Set up two-step verification' }).click();
  await page.waitForSelector('img.qr');
  assert.ok(await page.locator('img.qr').evaluate((i) => (i as HTMLImageElement).naturalWidth > 0), 'QR shown');
  await check(page, 'totp enrolment', 'portal-totp-setup');
  const secret = (await page.textContent('#totp-key'))!.replace(/\s/g, '');
  await page.getByLabel('6-digit code').fill(await totpCode(secret, env.clock.now()));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.waitForSelector('#recovery-codes');
  const codes = await page.locator('#recovery-codes code').allTextContents();
  assert.equal(codes.length, 10);
  await check(page, 'recovery codes');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/login\?out=1$/);

  // A code from the app (the next 30-second step: the enrolment's own code is spent).
  env.clock.advance(30);
  await login(page, env.url, m.username, NEW_PASSWORD);
  assert.equal(new URL(page.url()).pathname, '/login/totp');
  await check(page, 'totp login', 'portal-login-totp');
  await page.getByLabel('Code').fill(await totpCode(secret, env.clock.now()));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${env.url}/`);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/login\?out=1$/);

  // A recovery code instead.
  await login(page, env.url, m.username, NEW_PASSWORD);
  await page.getByLabel('Code').fill(codes[3]!);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/user-center\/totp\?recovery=1$/);
  assert.match((await page.textContent('main'))!, /Recovery codes left: 9 of 10/);
  await ctx.close();
});

test('issue 12: in the browser, a form without its CSRF token is refused and nothing changes', { skip }, async () => {
  const m = await newMerchant(env, { brand: 'CSRF Shop' });
  const ctx = await phone();
  const page = await ctx.newPage();
  await login(page, env.url, m.username, m.password);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL(`${env.url}/`);
  await page.goto(`${env.url}/user-center`);
  await page.locator('form[action="/user-center/security-key/rotate"] input[name="_csrf"]').evaluate((e) => e.remove());
  await page.locator('#f-rotate-password').fill(NEW_PASSWORD);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/security-key/rotate')),
    page.getByRole('button', { name: 'Rotate the key' }).click(),
  ]);
  assert.equal(res.status(), 403);
  await page.waitForSelector('text=Form expired');
  await check(page, 'csrf refusal');
  const row = await env.deps.db.query('SELECT key_version FROM merchants WHERE id = $1', [m.merchantId]);
  assert.equal(row.rows[0].key_version, 1);
  await ctx.close();
});

test('issue 12: session fixation: the cookie set before login is not the one after, and is dead', {
  skip,
}, async () => {
  const m = await newMerchant(env, { brand: 'Fixation Shop' });
  const ctx = await phone();
  const page = await ctx.newPage();
  await page.goto(`${env.url}/login`);
  const before = (await ctx.cookies()).find((c) => c.name === 'tender_portal')!;
  assert.ok(before, 'a session cookie exists before login');
  assert.equal(before.httpOnly, true);
  assert.equal(before.sameSite, 'Strict');
  await page.getByLabel('Username').fill(m.username);
  await page.getByLabel('Password').fill(m.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/user-center\/password$/);
  const after = (await ctx.cookies()).find((c) => c.name === 'tender_portal')!;
  assert.notEqual(after.value, before.value);
  // Another browser holding the old cookie is not logged in.
  const other = await browser.context();
  await other.addCookies([{ ...before }]);
  const p2 = await other.newPage();
  await p2.goto(`${env.url}/user-center/password`);
  assert.equal(new URL(p2.url()).pathname, '/login');
  await other.close();
  await ctx.close();
});

test('issue 12: lockout after repeated failures, shown in the browser', { skip }, async () => {
  const m = await newMerchant(env, { brand: 'Lock Shop' });
  const ctx = await phone();
  const page = await ctx.newPage();
  for (let i = 0; i < LOCKOUT.attempts; i++) await login(page, env.url, m.username, `wrong password ${i}`);
  assert.match((await page.textContent('main'))!, /locked for 15 minutes/);
  await login(page, env.url, m.username, m.password);
  assert.match((await page.textContent('main'))!, /locked for 15 minutes/, 'the right password too, while locked');
  assert.equal(new URL(page.url()).pathname, '/login');
  await check(page, 'locked');
  await ctx.close();
});

test('issue 12: operator login with forced change, console pages, axe scan', { skip }, async () => {
  const c = await createConsoleOperator(env.deps, { email: 'admin-b@example.com', role: 'admin' });
  const ctx = await phone();
  const page = await ctx.newPage();
  await page.goto(`${env.url}/console/login`);
  await check(page, 'console login', 'console-login');
  await login(page, `${env.url}/console`, c.username, c.password);
  assert.equal(new URL(page.url()).pathname, '/console/account/password');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL(`${env.url}/console/`);
  await check(page, 'console home');
  await page.goto(`${env.url}/console/account`);
  assert.equal(await page.textContent('#role'), 'admin');
  await check(page, 'console account', 'console-account');
  await page.goto(`${env.url}/console/account/totp`);
  await check(page, 'console totp');
  // The console cookie is scoped to /console: the merchant portal never receives it.
  const cookie = (await ctx.cookies()).find((x) => x.name === 'tender_console')!;
  assert.equal(cookie.path, '/console');
  await ctx.close();
});

test('issue 12: a support operator cannot change anything from a console page (403 page)', { skip }, async () => {
  // A console page with a form, registered inside the console as the console's page modules are.
  const app = Fastify();
  await app.register(formbody);
  let suspended = 0;
  await app.register(consoleAuthPlugin, {
    deps: env.deps,
    pages: [
      async (p) => {
        p.get('/console/merchants', async (req, reply) =>
          sendPage(
            reply,
            200,
            consolePage({
              title: 'Merchants',
              session: req.operatorSession,
              nav: 'merchants',
              body: `<form method="post" action="/console/merchants/1/suspend">${csrfField(req.operatorSession!)}
                <button type="submit">Suspend</button></form>`,
            }),
          ),
        );
        p.post('/console/merchants/1/suspend', async (_req, reply) => {
          suspended++;
          return reply.redirect('/console/merchants', 303);
        });
      },
    ],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const sup = await consoleOperator(env, 'support-b@example.com', 'support');
    const adm = await consoleOperator(env, 'admin-c@example.com', 'admin');
    const ctx = await phone();
    const page = await ctx.newPage();
    await login(page, `${url}/console`, sup.username, NEW_PASSWORD);
    await page.goto(`${url}/console/merchants`);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/suspend')),
      page.getByRole('button', { name: 'Suspend' }).click(),
    ]);
    assert.equal(res.status(), 403);
    await page.waitForSelector('text=Support operators can look but not change anything');
    await check(page, 'support refusal');
    assert.equal(suspended, 0);
    const ctx2 = await phone();
    const p2 = await ctx2.newPage();
    await login(p2, `${url}/console`, adm.username, NEW_PASSWORD);
    await p2.goto(`${url}/console/merchants`);
    await p2.getByRole('button', { name: 'Suspend' }).click();
    await p2.waitForURL(`${url}/console/merchants`);
    assert.equal(suspended, 1, 'an admin can');
    await ctx.close();
    await ctx2.close();
  } finally {
    await app.close();
  }
});
