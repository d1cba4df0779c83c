// Issue 12: the page modules registered behind the real logins (not a test session) accept their own forms:
// webhook settings save for a logged-in merchant, and an operator's console form (suspend) goes through. Their
// pages carry one CSRF token per session, the one their own checks compare with; a guessed one is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, type TestEnv } from './harness.js';
import { Agent, consoleOperator, csrfOf, merchantLogin, operatorLogin } from './portal-helpers.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env?.close();
});

test('issue 12: behind the real merchant login the webhook settings form saves; a guessed token fails', async () => {
  const m = await newMerchant(env);
  const a = await merchantLogin(env, m.username, m.password);
  const page = await a.get('/webhooks');
  assert.equal(page.status, 200);
  const again = await a.get('/webhooks');
  assert.equal(csrfOf(again.body), csrfOf(page.body), 'one token per session');
  const form = { webhookFormat: 'cpay-legacy', callbackUrl: '', allowedHosts: 'shop.example' };
  const forged = await a.post('/webhooks', { ...form, _csrf: 'guess' });
  assert.equal(forged.status, 403);
  const saved = await a.post('/webhooks', { ...form, _csrf: csrfOf(page.body) });
  assert.equal(saved.status, 303, saved.body.slice(0, 500));
  assert.equal(saved.location, '/webhooks?saved=1');
  const row = await env.deps.db.query('SELECT webhook_format FROM merchants WHERE id = $1', [m.merchantId]);
  assert.equal(row.rows[0].webhook_format, 'cpay-legacy');
});

test('issue 12: behind the real console login, pages show and an admin form (suspend) goes through', async () => {
  const m = await newMerchant(env);
  const op = await consoleOperator(env, 'pages-admin@example.com', 'admin');
  const a = await operatorLogin(env, op.username);
  const list = await a.get('/console/merchants');
  assert.equal(list.status, 200, `${list.location}`);
  assert.match(list.body, /href="\/assets\/portal\.css"/, 'the one stylesheet');
  assert.match(list.body, /aria-current="page">Merchants</);
  const r = await a.submit(`/console/merchants/${m.merchantId}`, `/console/merchants/${m.merchantId}/suspend`, {
    reason: 'documents expired',
  });
  assert.equal(r.status, 303, r.body.slice(0, 500));
  const row = await env.deps.db.query('SELECT suspended_at FROM merchants WHERE id = $1', [m.merchantId]);
  assert.ok(row.rows[0].suspended_at);
  const sup = await consoleOperator(env, 'pages-support@example.com', 'support');
  const s = await operatorLogin(env, sup.username);
  assert.equal((await s.get('/console/audit')).status, 200);
  const refused = await s.submit(
    `/console/merchants/${m.merchantId}`,
    `/console/merchants/${m.merchantId}/reactivate`,
    {},
  );
  assert.equal(refused.status, 403);
});

test('issue 12: /docs is public with a plain header; with a real merchant login it shows the portal menu', async () => {
  const anon = await fetch(`${env.url}/docs/signature`, { redirect: 'manual' });
  assert.equal(anon.status, 200, 'no login needed');
  assert.equal(anon.headers.get('set-cookie'), null, 'reading the reference starts no session');
  const plain = await anon.text();
  assert.match(plain, /href="\/login">Merchant login</);
  assert.doesNotMatch(plain, /action="\/logout"/);
  assert.equal((await fetch(`${env.url}/assets/portal-docs.css`)).status, 200);
  assert.equal((await fetch(`${env.url}/assets/signature.js`)).status, 200);
  const m = await newMerchant(env);
  const a = await merchantLogin(env, m.username, m.password);
  const page = await a.get('/docs/signature');
  assert.equal(page.status, 200);
  for (const label of ['Dashboard', 'Payments', 'Intégrations', 'API secret', 'User Center'])
    assert.match(page.body, new RegExp(`>${label}</a>`), label);
  assert.match(page.body, /aria-current="page">API reference</);
  assert.match(page.body, /action="\/logout"/);
  assert.doesNotMatch(page.body, /Merchant login/);
  // A login that is not finished (the one-time password still to change) reads the plain page.
  const n = await newMerchant(env);
  const b = new Agent(env.url);
  await b.submit('/login', '/login', { username: n.username, password: n.password });
  const half = await b.get('/docs');
  assert.equal(half.status, 200);
  assert.match(half.body, /Merchant login/);
});
