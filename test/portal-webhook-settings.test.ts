// Issue 12 (portal webhook settings): the logged-in merchant edits its default callback URL, webhook format
// and allowed redirect hosts through one core transaction, and sends a signed test webhook whose exact
// request and answer the page shows. Real HTTP to a real receiver on 127.0.0.1, real headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, webhookReceiver, type TestEnv } from './harness.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import { assertAccessible, assertFitsWidth, screenshotPath, testSessions } from './portal-page-helpers.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { verifyCpayWebhook } from '../sdk/src/webhooks.js';
import { TESTS_PER_MINUTE } from '../src/web/portal/webhook-settings-plugin.js';

const skip = browserSkipReason();
const sessions = testSessions();
let env: TestEnv;
let browser: TestBrowser | undefined;
let a: MerchantCredentials;
let b: MerchantCredentials;
const CSRF_A = 'csrf-of-merchant-a';
const CSRF_B = 'csrf-of-merchant-b';

before(async () => {
  env = await startTestEnv({}, { portalSessionOf: sessions.sessionOf });
  a = await newMerchant(env, { brand: 'Hook Shop A', website: 'https://a.example' });
  b = await newMerchant(env, { brand: 'Hook Shop B', website: 'https://b.example' });
  if (!skip) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await env?.close();
});

const asA = () => sessions.set({ merchantId: String(a.merchantId), csrf: CSRF_A });
const asB = () => sessions.set({ merchantId: String(b.merchantId), csrf: CSRF_B });

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${env.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: env.url, ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}
const row = async (m: MerchantCredentials) =>
  (
    await env.deps.db.query<{
      callback_url: string | null;
      webhook_format: string;
      allowed_hosts: string[];
      updated_at: Date;
    }>('SELECT callback_url, webhook_format, allowed_hosts, updated_at FROM merchants WHERE id = $1', [m.merchantId])
  ).rows[0]!;
const save = (form: Partial<Record<string, string>>, csrf = CSRF_A, headers: Record<string, string> = {}) =>
  post(
    '/webhooks',
    { callbackUrl: '', webhookFormat: 'cpay', allowedHosts: 'a.example', _csrf: csrf, ...form } as Record<
      string,
      string
    >,
    headers,
  );

test('issue 12: /webhooks needs a session; it shows the saved settings and the session CSRF field', async () => {
  sessions.set(undefined);
  const anon = await fetch(`${env.url}/webhooks`, { redirect: 'manual' });
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.get('location'), '/login?next=%2Fwebhooks');
  assert.equal((await post('/webhooks/test', { _csrf: 'x' })).status, 403);
  asA();
  const page = await fetch(`${env.url}/webhooks`);
  const html = await page.text();
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'; style-src 'self'/);
  assert.ok(html.includes(`name="_csrf" value="${CSRF_A}"`));
  assert.ok(html.includes('id="format-cpay" name="webhookFormat" value="cpay" checked'));
  assert.ok(html.includes('a.example\nwww.a.example</textarea>'));
  assert.ok(html.includes('Save a callback URL first.'));
});

test('issue 12: saving goes through the core in one transaction; only the session merchant changes', async () => {
  const hook = await webhookReceiver([{ status: 200, body: 'OK' }]);
  try {
    asA();
    const beforeB = await row(b);
    // A merchantId field in the form is not how the merchant is chosen: the session is.
    const r = await save({
      callbackUrl: hook.url,
      webhookFormat: 'cpay-legacy',
      allowedHosts: 'A.example\nshop.a.example, pay.a.example\n\nshop.a.example',
      merchantId: String(b.merchantId),
    });
    assert.equal(r.status, 303, r.text);
    assert.equal(r.location, '/webhooks?saved=1');
    const saved = await row(a);
    assert.equal(saved.callback_url, hook.url);
    assert.equal(saved.webhook_format, 'cpay-legacy');
    assert.deepEqual(saved.allowed_hosts, ['a.example', 'shop.a.example', 'pay.a.example']);
    assert.deepEqual(await row(b), beforeB);
    const page = await (await fetch(`${env.url}/webhooks?saved=1`)).text();
    assert.ok(page.includes('role="status">Saved.</p>'));
    assert.ok(page.includes(`<code id="saved-callback">${hook.url}</code>`));
  } finally {
    await hook.close();
  }
});

test('issue 12: invalid URLs, hosts and formats get a clear message and change nothing', async () => {
  asA();
  const before = await row(a);
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ callbackUrl: 'shop.example/hook' }, /callback URL is not a URL: write it in full/],
    [{ callbackUrl: 'ftp://shop.example/hook' }, /callback URL must start with https:\/\/ or http:\/\//],
    [{ callbackUrl: 'https://user:pw@shop.example/hook' }, /must not contain a user name or password/],
    [{ callbackUrl: `https://shop.example/${'x'.repeat(2100)}` }, /longer than 2048 characters/],
    [{ allowedHosts: 'https://shop.example/path' }, /&quot;https:\/\/shop.example\/path&quot; is not a host name/],
    [{ allowedHosts: 'good.example\nbad_host!.example' }, /&quot;bad_host!.example&quot; is not a host name/],
    [{ allowedHosts: '-lead.example' }, /is not a host name/],
    [{ webhookFormat: 'cinetpay' }, /choose the webhook format: cpay or cpay-legacy/],
    [{ webhookFormat: '' }, /choose the webhook format/],
  ];
  for (const [form, message] of cases) {
    const r = await save({ callbackUrl: 'https://shop.example/hook', ...form });
    assert.equal(r.status, 400, JSON.stringify(form));
    assert.match(r.text, message, JSON.stringify(form));
    assert.match(r.text, /<p id="notice" class="notice error" role="alert">Not saved: /);
    // The form comes back as typed, so the merchant can fix it.
    if (form.allowedHosts) assert.ok(r.text.includes('</textarea>'));
    assert.deepEqual(await row(a), before, JSON.stringify(form));
  }
  // A repeated field is refused, not half-read.
  const twice = await fetch(`${env.url}/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `_csrf=${CSRF_A}&webhookFormat=cpay&callbackUrl=https://x.example&callbackUrl=https://y.example`,
  });
  assert.equal(twice.status, 400);
  assert.deepEqual(await row(a), before);
});

test(
  'issue 12: a post without the session CSRF token, or from another site, is refused and changes ' + 'nothing',
  async () => {
    asA();
    const before = await row(a);
    for (const [csrf, headers] of [
      ['', {}],
      ['wrong', {}],
      [CSRF_B, {}],
      [CSRF_A, { origin: 'https://evil.example' }],
    ] as Array<[string, Record<string, string>]>) {
      const r = await save({ callbackUrl: 'https://evil.example/steal' }, csrf, headers);
      assert.equal(r.status, 403, `${csrf} ${JSON.stringify(headers)}`);
      assert.match(r.text, /role="alert"/);
    }
    assert.deepEqual(await row(a), before);
  },
);

test(
  'issue 12: live mode refuses a private callback URL when saving, and the transport refuses a ' + 'test to one',
  async () => {
    const hook = await webhookReceiver([{ status: 200, body: 'OK' }]);
    asA();
    assert.equal((await save({ callbackUrl: hook.url, webhookFormat: 'cpay-legacy' })).status, 303);
    env.deps.config.mode = 'live';
    try {
      const before = await row(a);
      for (const url of ['http://127.0.0.1:9/hook', 'http://10.1.2.3/hook', 'http://169.254.169.254/latest']) {
        const r = await save({ callbackUrl: url });
        assert.equal(r.status, 400, url);
        assert.match(r.text, /Not saved: callbackUrl is not allowed: .*(loopback|private|link-local)/, url);
      }
      assert.deepEqual(await row(a), before);
      // The URL saved in sandbox mode is still private: the test is refused before any connection.
      const t = await post('/webhooks/test', { _csrf: CSRF_A });
      assert.equal(t.status, 200);
      assert.match(
        t.text,
        /<p id="test-error" class="notice error" role="alert">No answer after \d+ ms: RefusedDestination: /,
      );
      assert.match(t.text, /loopback/);
      assert.equal(hook.calls.length, 0);
    } finally {
      env.deps.config.mode = 'sandbox';
      await hook.close();
    }
  },
);

test(
  'issue 12: the test webhook reaches the receiver signed in the merchant format; the page shows ' + 'both sides',
  async () => {
    for (const [format, answer] of [
      ['cpay-legacy', 'OK'],
      ['cpay', 'success'],
    ] as const) {
      const hook = await webhookReceiver([{ status: 200, body: answer }]);
      try {
        asB();
        assert.equal(
          (await save({ callbackUrl: hook.url, webhookFormat: format, allowedHosts: 'b.example' }, CSRF_B)).status,
          303,
        );
        const r = await post('/webhooks/test', { _csrf: CSRF_B });
        assert.equal(r.status, 200, r.text);
        const [call] = await hook.waitFor(1);
        // Signed with B's key in the chosen format, verifiable by the SDK merchants use.
        const event = verifyCpayWebhook(call!.body, b.securityKey);
        assert.equal(event.format, format);
        assert.equal(call!.headers['x-tender-test'], '1');
        const fields = format === 'cpay' ? JSON.parse(call!.form.get('param')!) : Object.fromEntries(call!.form);
        assert.match(String(fields.orderId), /^TEST-/);
        assert.equal(String(fields.merchantId), String(b.merchantId));
        // The page shows exactly what was sent and what came back.
        const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
        assert.ok(r.text.includes(`<pre id="test-request-line">POST ${hook.url}</pre>`));
        assert.ok(r.text.includes(`<pre id="test-request-body">${esc(call!.body)}</pre>`));
        assert.ok(r.text.includes('x-tender-test: 1'));
        assert.ok(r.text.includes(`content-length: ${Buffer.byteLength(call!.body)}`));
        assert.ok(r.text.includes('<dd id="test-answer-status">200</dd>'));
        assert.ok(r.text.includes(`<pre id="test-answer-body">${answer}</pre>`));
        assert.match(r.text, /<pre id="test-answer-headers">[^<]*content-type: text\/plain/);
        assert.match(r.text, /<dd id="test-duration">\d+ ms<\/dd>/);
        assert.match(r.text, /<dd id="test-ack" class="ok">yes/);
        // Nothing about the test is stored: no delivery, no attempt.
        const { rows } = await env.deps.db.query('SELECT count(*)::int AS n FROM webhook_deliveries');
        assert.equal(rows[0].n, 0);
      } finally {
        await hook.close();
      }
    }
  },
);

test('issue 12: an unacknowledging receiver is shown as such; tests are limited per merchant per minute', async () => {
  const hook = await webhookReceiver([{ status: 500, body: 'boom <b>html</b>' }]);
  try {
    asA();
    assert.equal((await save({ callbackUrl: hook.url, webhookFormat: 'cpay' })).status, 303);
    const r = await post('/webhooks/test', { _csrf: CSRF_A });
    assert.ok(r.text.includes('<dd id="test-answer-status">500</dd>'));
    assert.ok(r.text.includes('<pre id="test-answer-body">boom &lt;b&gt;html&lt;/b&gt;</pre>'));
    assert.match(
      r.text,
      /<dd id="test-ack" class="error">no: Tender would retry \(answer HTTP 2xx with the text success\)/,
    );
    let limited: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < TESTS_PER_MINUTE + 2 && !limited; i++) {
      const t = await post('/webhooks/test', { _csrf: CSRF_A });
      if (t.status === 429) limited = t;
    }
    assert.ok(limited, 'never limited');
    assert.match(limited.text, /At most 6 test webhooks a minute/);
    assert.ok(hook.calls.length <= TESTS_PER_MINUTE);
  } finally {
    await hook.close();
  }
});

test('issue 12 (browser): save settings, send a test webhook, read its answer; invalid input shows a message', {
  skip,
}, async () => {
  const hook = await webhookReceiver([{ status: 200, body: 'OK' }]);
  try {
    asB();
    const ctx = await browser!.context();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      // The refused save answers 400 on purpose; anything else (a CSP violation, a script error) is a fault.
      if (m.type() === 'error' && !/status of 400/.test(m.text())) errors.push(m.text());
    });
    await page.goto(`${env.url}/webhooks`);
    await page.fill('#callbackUrl', hook.url);
    await page.check('#format-cpay-legacy');
    await page.fill('#allowedHosts', 'b.example\nshop.b.example');
    await Promise.all([page.waitForURL(/\/webhooks\?saved=1$/), page.click('#save')]);
    assert.equal((await page.textContent('#notice'))?.trim(), 'Saved.');
    assert.equal((await row(b)).callback_url, hook.url);

    await Promise.all([page.waitForURL(/\/webhooks\/test$/), page.click('#send-test')]);
    const [call] = await hook.waitFor(1);
    assert.equal(await page.textContent('#test-request-body'), call!.body);
    assert.equal(await page.textContent('#test-answer-status'), '200');
    assert.equal(await page.textContent('#test-answer-body'), 'OK');
    assert.match((await page.textContent('#test-ack')) ?? '', /^yes/);
    await page.screenshot({ path: screenshotPath('portal-webhooks.png'), fullPage: true });

    // A bad host: the page says which one and why; nothing changed.
    const before = await row(b);
    await page.goto(`${env.url}/webhooks`);
    await page.fill('#allowedHosts', 'b.example\nhttps://b.example/back');
    await Promise.all([page.waitForURL(/\/webhooks$/), page.click('#save')]);
    assert.match((await page.textContent('[role="alert"]')) ?? '', /"https:\/\/b.example\/back" is not a host name/);
    assert.equal(await page.inputValue('#allowedHosts'), 'b.example\nhttps://b.example/back');
    assert.deepEqual(await row(b), before);
    assert.deepEqual(errors, []);
    await ctx.close();

    // axe-core on the settings page and on a test report, at phone width.
    const scan = await browser!.context({ bypassCSP: true, viewport: { width: 375, height: 740 } });
    const p = await scan.newPage();
    await p.goto(`${env.url}/webhooks`);
    await assertFitsWidth(p, '/webhooks');
    await assertAccessible(p, '/webhooks');
    await Promise.all([p.waitForURL(/\/webhooks\/test$/), p.click('#send-test')]);
    await p.waitForSelector('#test-report');
    await assertFitsWidth(p, '/webhooks/test');
    await assertAccessible(p, '/webhooks/test');
    await scan.close();
  } finally {
    await hook.close();
  }
});
