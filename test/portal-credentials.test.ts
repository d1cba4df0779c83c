// Issue 12 over real HTTP: /dev/api (seed 003 Step 0) and « Intégrations » (seed 002) of the merchant portal.
// Secrets stay hidden until the password is entered again (wrong passwords count toward the lockout); the
// revealed merchant secret works in start_payment and the revealed APIKEY/SITEID in /v2/payment; rotation
// refuses the old ones at once; credentials issued before migration 018 say "rotate to see it"; another
// merchant's SITEID is refused; no secret reaches the logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startTestEnv, newMerchant, postJson, type TestEnv } from './harness.js';
import { Agent, merchantLogin, NEW_PASSWORD } from './portal-helpers.js';
import { LOCKOUT } from '../src/core/portal-auth.js';

let env: TestEnv;
const lines: string[] = [];
before(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  env = await startTestEnv({}, { log: pino({ level: 'info' }, sink) });
});
after(async () => {
  await env?.close();
});

const textOf = (html: string, id: string): string | undefined => {
  const m = new RegExp(`id="${id}">([^<]*)<`).exec(html);
  return m?.[1];
};
const startPayment = (secret: string) =>
  postJson(`${env.url}/api/start_payment`, { merchant_secret: secret, amount: 10 });
const cinetpayInit = (apikey: string, siteId: string, tx: string) =>
  postJson(`${env.url}/v2/payment`, {
    apikey,
    site_id: siteId,
    transaction_id: tx,
    amount: 100,
    currency: 'XOF',
    description: 'Billet',
    notify_url: 'https://shop.example/notify',
    return_url: 'https://shop.example/return',
    channels: 'ALL',
  });

test(
  'issue 12: /dev/api hides the merchant secret until the password is given again; it works in ' + 'start_payment',
  async () => {
    const m = await newMerchant(env, { brand: 'Dev Api Shop' });
    const a = await merchantLogin(env, m.username, m.password);
    const page = await a.get('/dev/api');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.ok(!page.body.includes(m.merchantSecret), 'hidden');
    assert.match(page.body, /aria-current="page">API secret</);
    assert.match(page.body, new RegExp(`POST ${env.url}/api/start_payment`));
    assert.match(page.body, /your_merchant_secret/);
    const wrong = await a.submit('/dev/api', '/dev/api/reveal', { password: 'not my password at all' });
    assert.equal(wrong.status, 401);
    assert.ok(!wrong.body.includes(m.merchantSecret));
    assert.match(wrong.body, /password is wrong/);
    const shown = await a.submit('/dev/api', '/dev/api/reveal', { password: NEW_PASSWORD });
    assert.equal(shown.status, 200);
    assert.equal(textOf(shown.body, 'merchant-secret'), m.merchantSecret);
    assert.ok(shown.body.includes(`&quot;merchant_secret&quot;: &quot;${m.merchantSecret}&quot;`), 'in the example');
    const sp = await startPayment(textOf(shown.body, 'merchant-secret')!);
    assert.equal(sp.status, 200, JSON.stringify(sp.body));
    assert.equal(sp.body.message, 'Payment started');
    const watch = await fetch(`${env.url}/watch/${sp.body.watch_code}`).then((r) => r.json());
    assert.equal(watch.status, 'created');
    assert.equal(watch.merchant, 'Dev Api Shop');
  },
);

test('issue 12: rotating the merchant secret on /dev/api refuses the old one at once', async () => {
  const m = await newMerchant(env);
  const a = await merchantLogin(env, m.username, m.password);
  const bad = await a.submit('/dev/api', '/dev/api/rotate', { password: 'wrong password here' });
  assert.equal(bad.status, 401);
  assert.equal((await startPayment(m.merchantSecret)).status, 200, 'a refused rotation changes nothing');
  const r = await a.submit('/dev/api', '/dev/api/rotate', { password: NEW_PASSWORD });
  assert.equal(r.status, 200);
  assert.match(r.body, /the previous one no longer works/);
  const fresh = textOf(r.body, 'merchant-secret')!;
  assert.ok(fresh && fresh !== m.merchantSecret);
  const old = await startPayment(m.merchantSecret);
  assert.equal(old.status, 401);
  assert.equal(old.body.code, 'bad_merchant_secret');
  assert.equal((await startPayment(fresh)).status, 200);
  const again = await a.submit('/dev/api', '/dev/api/reveal', { password: NEW_PASSWORD });
  assert.equal(textOf(again.body, 'merchant-secret'), fresh, 'the new one is sealed and shown again');
  const audit = await env.deps.db.query(
    "SELECT count(*)::int AS n FROM audit_log WHERE merchant_id = $1 AND action = 'merchant.rotate_secret'",
    [m.merchantId],
  );
  assert.equal(audit.rows[0].n, 1, 'one rotation, one audit row');
});

test(
  'issue 12: a merchant secret issued before migration 018 says "rotate to see it" and rotation ' + 'shows one',
  async () => {
    const m = await newMerchant(env);
    await env.deps.db.query('UPDATE merchants SET merchant_secret_sealed = NULL WHERE id = $1', [m.merchantId]);
    const a = await merchantLogin(env, m.username, m.password);
    const page = await a.get('/dev/api');
    assert.match(page.body, /id="not-sealed"/);
    assert.match(page.body, /rotate it to see a new one/);
    assert.doesNotMatch(page.body, /action="\/dev\/api\/reveal"/, 'nothing to show: no reveal form');
    assert.match(page.body, />Rotate to see it</);
    const reveal = await a.post('/dev/api/reveal', {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!,
      password: NEW_PASSWORD,
    });
    assert.equal(reveal.status, 409);
    assert.equal((await startPayment(m.merchantSecret)).status, 200, 'the digest-only secret still works');
    const r = await a.submit('/dev/api', '/dev/api/rotate', { password: NEW_PASSWORD });
    const fresh = textOf(r.body, 'merchant-secret')!;
    assert.equal((await startPayment(fresh)).status, 200);
    assert.equal((await startPayment(m.merchantSecret)).status, 401);
    assert.doesNotMatch((await a.get('/dev/api')).body, /id="not-sealed"/, 'sealed from now on');
  },
);

test(
  'issue 12: « Intégrations » shows SITEID, and APIKEY and notification secret after the password; ' +
    'they work in /v2/payment',
  async () => {
    const m = await newMerchant(env, { brand: 'Boutique Dakar' });
    const a = await merchantLogin(env, m.username, m.password);
    const page = await a.get('/integrations');
    assert.equal(page.status, 200);
    assert.match(page.body, /<h1>Intégrations<\/h1>/);
    assert.match(page.body, /<div lang="fr">/);
    assert.equal(textOf(page.body, `siteid-${m.siteId}`), m.siteId, 'the SITEID is not a secret');
    assert.ok(!page.body.includes(m.apikey) && !page.body.includes(m.notifySecret), 'hidden');
    assert.match(page.body, /Masquée/);
    const wrong = await a.submit('/integrations', '/integrations/reveal', { password: 'pas le bon mot de passe' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /Mot de passe incorrect/);
    assert.ok(!wrong.body.includes(m.apikey));
    const shown = await a.submit('/integrations', '/integrations/reveal', { password: NEW_PASSWORD });
    assert.equal(shown.status, 200);
    const apikey = textOf(shown.body, `apikey-${m.siteId}`)!;
    assert.equal(apikey, m.apikey);
    assert.equal(textOf(shown.body, `notify-secret-${m.siteId}`), m.notifySecret);
    const init = await cinetpayInit(apikey, textOf(shown.body, `siteid-${m.siteId}`)!, `INT-${m.merchantId}-1`);
    assert.equal(init.body.code, '201', JSON.stringify(init.body));
    assert.ok(init.body.data.payment_url);
  },
);

test(
  "issue 12: renewing a site on « Intégrations » refuses the old APIKEY at once; another merchant's " +
    'site is refused',
  async () => {
    const m = await newMerchant(env);
    const other = await newMerchant(env);
    const a = await merchantLogin(env, m.username, m.password);
    const theirs = await a.submit('/integrations', '/integrations/rotate', {
      password: NEW_PASSWORD,
      site_id: other.siteId,
    });
    assert.equal(theirs.status, 404, 'cross-merchant tampering');
    assert.match(theirs.body, /n’est pas un de vos sites/);
    assert.equal((await cinetpayInit(other.apikey, other.siteId, `X-${other.merchantId}`)).body.code, '201');
    const bad = await a.submit('/integrations', '/integrations/rotate', {
      password: 'wrong password here',
      site_id: m.siteId,
    });
    assert.equal(bad.status, 401);
    const r = await a.submit('/integrations', '/integrations/rotate', { password: NEW_PASSWORD, site_id: m.siteId });
    assert.equal(r.status, 200);
    assert.match(r.body, /Nouveaux identifiants/);
    const fresh = textOf(r.body, `apikey-${m.siteId}`)!;
    assert.ok(fresh && fresh !== m.apikey);
    assert.ok(textOf(r.body, `notify-secret-${m.siteId}`) !== m.notifySecret, 'the notification secret is renewed too');
    const old = await cinetpayInit(m.apikey, m.siteId, `OLD-${m.merchantId}`);
    assert.equal(old.body.code, '609', JSON.stringify(old.body));
    assert.equal((await cinetpayInit(fresh, m.siteId, `NEW-${m.merchantId}`)).body.code, '201');
  },
);

test('issue 12: an APIKEY issued before migration 018 cannot be shown: « renouvelez-la » until renewed', async () => {
  const m = await newMerchant(env);
  await env.deps.db.query('UPDATE cinetpay_sites SET apikey_sealed = NULL WHERE merchant_id = $1', [m.merchantId]);
  const a = await merchantLogin(env, m.username, m.password);
  const page = await a.get('/integrations');
  assert.match(page.body, new RegExp(`id="apikey-${m.siteId}-not-sealed"`));
  assert.match(page.body, /renouvelez-la/);
  const r = await a.submit('/integrations', '/integrations/rotate', { password: NEW_PASSWORD, site_id: m.siteId });
  const fresh = textOf(r.body, `apikey-${m.siteId}`)!;
  assert.equal((await cinetpayInit(fresh, m.siteId, `PRE-${m.merchantId}`)).body.code, '201');
  const again = await a.submit('/integrations', '/integrations/reveal', { password: NEW_PASSWORD });
  assert.equal(textOf(again.body, `apikey-${m.siteId}`), fresh);
});

test('issue 12: the credential pages need a session and CSRF; wrong passwords there lock the account', async () => {
  const m = await newMerchant(env);
  const anon = new Agent(env.url);
  for (const p of ['/dev/api', '/integrations']) assert.equal((await anon.get(p)).location, '/login', p);
  const a = await merchantLogin(env, m.username, m.password);
  await a.get('/dev/api');
  const forged = await a.post('/dev/api/reveal', { password: NEW_PASSWORD });
  assert.equal(forged.status, 403, 'no CSRF token');
  assert.ok(!forged.body.includes(m.merchantSecret));
  const forged2 = await a.post('/integrations/rotate', { _csrf: 'guess', password: NEW_PASSWORD, site_id: m.siteId });
  assert.equal(forged2.status, 403);
  assert.equal((await cinetpayInit(m.apikey, m.siteId, `CSRF-${m.merchantId}`)).body.code, '201', 'unchanged');
  for (let i = 1; i < LOCKOUT.attempts; i++)
    assert.equal((await a.submit('/dev/api', '/dev/api/reveal', { password: `guess ${i}` })).status, 401);
  const last = await a.submit('/integrations', '/integrations/reveal', { password: 'guess again' });
  assert.match(last.body, /bloqué 15 minutes/);
  const locked = await a.submit('/dev/api', '/dev/api/reveal', { password: NEW_PASSWORD });
  assert.equal(locked.status, 401, 'the right password too, while locked');
  assert.match(locked.body, /locked for 15 minutes/);
  assert.ok(!locked.body.includes(m.merchantSecret));
});

test('issue 12: revealed and rotated secrets never reach the logs', async () => {
  const m = await newMerchant(env);
  const a = await merchantLogin(env, m.username, m.password);
  const d = await a.submit('/dev/api', '/dev/api/rotate', { password: NEW_PASSWORD });
  const i = await a.submit('/integrations', '/integrations/rotate', { password: NEW_PASSWORD, site_id: m.siteId });
  const secrets = [
    m.merchantSecret,
    m.apikey,
    m.notifySecret,
    textOf(d.body, 'merchant-secret')!,
    textOf(i.body, `apikey-${m.siteId}`)!,
    textOf(i.body, `notify-secret-${m.siteId}`)!,
    NEW_PASSWORD,
  ];
  const log = lines.join('');
  assert.match(log, /merchant secret rotated/);
  for (const s of secrets) assert.ok(s && !log.includes(s), 'a secret in the logs');
});
