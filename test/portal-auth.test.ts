// Issue 12: logins of the merchant portal and the operator console over real HTTP: forced password change,
// lockout, CSRF, session fixation, logout everywhere, timeouts, TOTP replay and recovery codes, the Security
// Key behind the password, support operators read-only, cookie attributes, the per-address login limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { startTestEnv, newMerchant, signed, postForm, type TestEnv } from './harness.js';
import { Agent, consoleOperator, csrfOf, merchantLogin, NEW_PASSWORD, operatorLogin } from './portal-helpers.js';
import { totpCode, LOCKOUT } from '../src/core/portal-auth.js';
import { portalPlugin } from '../src/web/portal/portal-plugin.js';
import { consoleAuthPlugin } from '../src/web/console/auth-plugin.js';
import { SESSION_LIMITS } from '../src/web/portal/session-store.js';
import type { Deps } from '../src/core/deps.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env?.close();
});

test('issue 12: first login with the one-time password forces a change before any other page', async () => {
  const m = await newMerchant(env);
  const a = new Agent(env.url);
  assert.equal((await a.get('/')).location, '/login', 'anonymous: sent to the login page');
  const r = await a.submit('/login', '/login', { username: m.username, password: m.password });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/user-center/password');
  for (const p of ['/', '/user-center', '/user-center/totp'])
    assert.equal((await a.get(p)).location, '/user-center/password', `${p} waits for the new password`);
  const short = await a.submit('/user-center/password', '/user-center/password', { next: 'short', confirm: 'short' });
  assert.equal(short.status, 400);
  assert.match(short.body, /at least 12 characters/);
  const same = await a.submit('/user-center/password', '/user-center/password', {
    next: m.password,
    confirm: m.password,
  });
  assert.equal(same.status, 400, 'the one-time password cannot be kept');
  const ok = await a.submit('/user-center/password', '/user-center/password', {
    next: NEW_PASSWORD,
    confirm: NEW_PASSWORD,
  });
  assert.equal(ok.location, '/');
  const home = await a.get('/');
  assert.equal(home.status, 200);
  assert.match(home.body, new RegExp(`Merchant ID <strong>${m.merchantId}</strong>`));
  const row = await env.deps.db.query('SELECT must_change_password FROM merchants WHERE id = $1', [m.merchantId]);
  assert.equal(row.rows[0].must_change_password, false);
  // The one-time password is gone; the new one works.
  const old = await new Agent(env.url).submit('/login', '/login', { username: m.username, password: m.password });
  assert.equal(old.status, 401);
  const again = await new Agent(env.url).submit('/login', '/login', { username: m.username, password: NEW_PASSWORD });
  assert.equal(again.location, '/');
});

test(
  'issue 12: the portal pages carry the strict CSP and the session cookie is HttpOnly and ' + 'SameSite=Strict',
  async () => {
    const a = new Agent(env.url);
    const p = await a.get('/login');
    const csp = p.headers.get('content-security-policy')!;
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(p.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(p.body, /style=|<style|<script(?! src)/, 'no inline style or script');
    const cookie = p.headers.getSetCookie().find((c) => c.startsWith('tender_portal='))!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/, 'plain http (development): no Secure, or the browser would drop it');
    const css = await a.get('/assets/portal.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type')!, /text\/css/);
    assert.equal((await a.get('/assets/..%2Fpackage.json')).status, 404);
  },
);

test('issue 12: the session id changes at login (a cookie planted before login is worthless after)', async () => {
  const m = await newMerchant(env);
  const victim = new Agent(env.url);
  const page = await victim.get('/login');
  const planted = victim.cookie('tender_portal')!;
  assert.ok(planted, 'the login page starts an anonymous session (it holds the CSRF secret)');
  const r = await victim.post('/login', { _csrf: csrfOf(page.body), username: m.username, password: m.password });
  assert.equal(r.status, 303);
  const after = victim.cookie('tender_portal')!;
  assert.notEqual(after, planted);
  // An attacker who knew the planted id is not logged in with it.
  const attacker = new Agent(env.url);
  attacker.jar.set('tender_portal', { value: planted, path: '/' });
  assert.equal((await attacker.get('/user-center/password')).location, '/login');
});

test('issue 12: every form post needs the CSRF token of its own session', async () => {
  const m = await newMerchant(env);
  const a = await merchantLogin(env, m.username, m.password);
  const none = await a.post('/user-center/security-key/rotate', { password: NEW_PASSWORD });
  assert.equal(none.status, 403);
  assert.match(none.body, /Form expired/);
  const wrong = await a.post('/user-center/security-key/rotate', { _csrf: 'x'.repeat(40), password: NEW_PASSWORD });
  assert.equal(wrong.status, 403);
  // A token from another session (the attacker's own login page) does not work either.
  const other = new Agent(env.url);
  const theirs = csrfOf((await other.get('/login')).body);
  const cross = await a.post('/user-center/security-key/rotate', { _csrf: theirs, password: NEW_PASSWORD });
  assert.equal(cross.status, 403);
  const row = await env.deps.db.query('SELECT key_version FROM merchants WHERE id = $1', [m.merchantId]);
  assert.equal(row.rows[0].key_version, 1, 'nothing rotated');
  // The login form itself is protected (login CSRF).
  const login = await new Agent(env.url).post('/login', { username: m.username, password: NEW_PASSWORD });
  assert.equal(login.status, 403);
});

test(
  'issue 12: lockout per account after repeated failures, timed unlock, parallel guesses cannot ' + 'overrun it',
  async () => {
    const m = await newMerchant(env);
    await merchantLogin(env, m.username, m.password);
    const guess = async (password: string) =>
      new Agent(env.url).submit('/login', '/login', { username: m.username, password });
    // Twice the allowance at once: at most LOCKOUT.attempts passwords are ever checked.
    const results = await Promise.all(Array.from({ length: LOCKOUT.attempts * 2 }, (_, i) => guess(`wrong-${i}`)));
    assert.ok(results.every((r) => r.status === 401));
    assert.ok(results.some((r) => /locked/.test(r.body)));
    const right = await guess(NEW_PASSWORD);
    assert.equal(right.status, 401, 'locked: even the right password is refused');
    assert.match(right.body, /locked for 15 minutes/);
    const row = await env.deps.db.query('SELECT locked_until FROM merchants WHERE id = $1', [m.merchantId]);
    assert.ok(row.rows[0].locked_until > env.clock.now());
    // Another merchant is not affected (lockout is per account, not per address).
    const other = await newMerchant(env);
    assert.equal((await guess.call(null, 'x')).status, 401);
    const o = await new Agent(env.url).submit('/login', '/login', {
      username: other.username,
      password: other.password,
    });
    assert.equal(o.status, 303);
    env.clock.advance(LOCKOUT.minutes * 60 + 1);
    const unlocked = await guess(NEW_PASSWORD);
    assert.equal(unlocked.status, 303, 'after the lock time the right password works');
  },
);

test('issue 12: unknown username and wrong password get the same answer', async () => {
  const m = await newMerchant(env);
  const a = await new Agent(env.url).submit('/login', '/login', { username: 'nobody-here', password: 'whatever' });
  const b = await new Agent(env.url).submit('/login', '/login', { username: m.username, password: 'whatever' });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.match(a.body, /Wrong username or password/);
  assert.match(b.body, /Wrong username or password/);
});

test('issue 12: logout, log out everywhere, and a password change ends the other sessions', async () => {
  const m = await newMerchant(env);
  const one = await merchantLogin(env, m.username, m.password);
  const two = await new Agent(env.url).submit('/login', '/login', { username: m.username, password: NEW_PASSWORD });
  assert.equal(two.location, '/');
  const twoAgent = new Agent(env.url);
  await twoAgent.submit('/login', '/login', { username: m.username, password: NEW_PASSWORD });
  assert.equal((await twoAgent.get('/')).status, 200);
  const uc = await one.get('/user-center');
  assert.match(uc.body, /logged in 3 times/);
  const out = await one.post('/user-center/sessions/logout-all', { _csrf: csrfOf(uc.body) });
  assert.equal(out.location, '/login?out=1');
  assert.equal((await one.get('/')).location, '/login');
  assert.equal((await twoAgent.get('/')).location, '/login', 'the other browser is logged out too');
  // Password change: the other session ends, this one continues under a new id.
  const a = new Agent(env.url);
  await a.submit('/login', '/login', { username: m.username, password: NEW_PASSWORD });
  const b = new Agent(env.url);
  await b.submit('/login', '/login', { username: m.username, password: NEW_PASSWORD });
  const before = a.cookie('tender_portal');
  const next = `${NEW_PASSWORD} 2`;
  const c = await a.submit('/user-center/password', '/user-center/password', {
    current: NEW_PASSWORD,
    next,
    confirm: next,
  });
  assert.equal(c.location, '/user-center/password?changed=1');
  assert.notEqual(a.cookie('tender_portal'), before);
  assert.equal((await a.get('/')).status, 200);
  assert.equal((await b.get('/')).location, '/login');
  // Plain logout.
  const lo = await a.submit('/', '/logout', {});
  assert.equal(lo.location, '/login?out=1');
  assert.equal((await a.get('/')).location, '/login');
});

test('issue 12: idle and absolute session timeouts', async () => {
  const m = await newMerchant(env);
  const a = await merchantLogin(env, m.username, m.password);
  env.clock.advance(SESSION_LIMITS.idleMinutes * 60 - 120);
  assert.equal((await a.get('/')).status, 200, 'active just before the idle limit');
  env.clock.advance(SESSION_LIMITS.idleMinutes * 60 + 1);
  const idle = await a.get('/');
  assert.equal(idle.status, 303);
  assert.match(idle.location!, /^\/login/);
  // Absolute: active every 20 minutes, still ends after the absolute limit.
  const b = new Agent(env.url);
  await b.submit('/login', '/login', { username: m.username, password: NEW_PASSWORD });
  for (let t = 0; t < (SESSION_LIMITS.absoluteHours * 60) / 20 - 1; t++) {
    env.clock.advance(20 * 60);
    assert.equal((await b.get('/')).status, 200);
  }
  env.clock.advance(40 * 60);
  assert.match((await b.get('/')).location!, /^\/login/);
});

test('issue 12: TOTP: a used code cannot be replayed; a recovery code works once', async () => {
  const m = await newMerchant(env);
  const a = await merchantLogin(env, m.username, m.password);
  assert.equal((await a.submit('/user-center/totp', '/user-center/totp/start', {})).location, '/user-center/totp');
  const setup = await a.get('/user-center/totp');
  const secret = /id="totp-key">([^<]+)</.exec(setup.body)![1]!.replace(/ /g, '');
  assert.match(setup.body, /<img class="qr" src="data:image\/png;base64,/);
  const bad = await a.post('/user-center/totp/confirm', { _csrf: csrfOf(setup.body), code: '000000' });
  assert.equal(bad.status, 400);
  const code = await totpCode(secret, env.clock.now());
  const on = await a.submit('/user-center/totp', '/user-center/totp/confirm', { code });
  assert.equal(on.status, 200);
  const codes = [...on.body.matchAll(/<li><code>([a-z0-9-]{14})<\/code><\/li>/g)].map((x) => x[1]!);
  assert.equal(codes.length, 10);
  const digests = await env.deps.db.query('SELECT digest FROM recovery_codes WHERE account_id = $1', [m.merchantId]);
  assert.equal(digests.rowCount, 10);
  assert.ok(
    digests.rows.every((r) => !codes.some((c) => r.digest.includes(c.replace(/-/g, '')))),
    'hashed',
  );

  const login = async () => {
    const b = new Agent(env.url);
    const r = await b.submit('/login', '/login', { username: m.username, password: NEW_PASSWORD });
    assert.equal(r.location, '/login/totp');
    assert.equal((await b.get('/')).location, '/login/totp', 'nothing else before the code');
    return b;
  };
  // The enrolment's own code was spent: it cannot log in.
  const b = await login();
  assert.equal((await b.submit('/login/totp', '/login/totp', { code })).status, 401);
  env.clock.advance(30);
  const fresh = await totpCode(secret, env.clock.now());
  const ok = await b.submit('/login/totp', '/login/totp', { code: fresh });
  assert.equal(ok.location, '/');
  assert.equal((await b.get('/')).status, 200);
  const c = await login();
  assert.equal((await c.submit('/login/totp', '/login/totp', { code: fresh })).status, 401, 'replay refused');
  const rec = await c.submit('/login/totp', '/login/totp', { code: codes[0]!.toUpperCase() });
  assert.equal(rec.location, '/user-center/totp?recovery=1');
  assert.match((await c.get('/user-center/totp')).body, /Recovery codes left: <strong>9<\/strong>/);
  const d = await login();
  assert.equal((await d.submit('/login/totp', '/login/totp', { code: codes[0]! })).status, 401, 'spent');
  // Turning it off needs the password.
  const wrong = await c.submit('/user-center/totp', '/user-center/totp/disable', { password: 'nope' });
  assert.equal(wrong.status, 401);
  const off = await c.submit('/user-center/totp', '/user-center/totp/disable', { password: NEW_PASSWORD });
  assert.match(off.body, /is <strong>off<\/strong>/);
  const e = await new Agent(env.url).submit('/login', '/login', { username: m.username, password: NEW_PASSWORD });
  assert.equal(e.location, '/');
});

test('issue 12: Security Key shown only after the password; rotation makes the old key fail at once', async () => {
  const m = await newMerchant(env);
  const a = await merchantLogin(env, m.username, m.password);
  const uc = await a.get('/user-center');
  assert.doesNotMatch(uc.body, new RegExp(m.securityKey.replace(/[-]/g, '\\-')));
  assert.match(uc.body, new RegExp(`id="api-host"><code>${env.url}</code>`));
  assert.match(uc.body, /id="mode">Sandbox/);
  const wrong = await a.submit('/user-center', '/user-center/security-key/reveal', { password: 'nope' });
  assert.equal(wrong.status, 401);
  assert.ok(!wrong.body.includes(m.securityKey));
  const shown = await a.submit('/user-center', '/user-center/security-key/reveal', { password: NEW_PASSWORD });
  assert.ok(shown.body.includes(`id="security-key">${m.securityKey}<`));
  const rotated = await a.submit('/user-center', '/user-center/security-key/rotate', { password: NEW_PASSWORD });
  const newKey = /id="security-key">([^<]+)</.exec(rotated.body)![1]!;
  assert.notEqual(newKey, m.securityKey);
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
  const old = await order(m.securityKey, 'K-OLD');
  assert.notEqual(old.body.code, 0, 'the old key is refused');
  const fresh = await order(newKey, 'K-NEW');
  assert.equal(fresh.body.code, 0, JSON.stringify(fresh.body));
});

test('issue 12: a merchant sees only its own User Center (no id in any URL to tamper with)', async () => {
  const m1 = await newMerchant(env, { brand: 'One' });
  const m2 = await newMerchant(env, { brand: 'Two' });
  const a = await merchantLogin(env, m1.username, m1.password);
  const uc = await a.get(`/user-center?merchantId=${m2.merchantId}`);
  assert.match(uc.body, new RegExp(`id="merchant-id">${m1.merchantId}<`));
  assert.doesNotMatch(uc.body, />Two</);
  // The portal cookie is no console login.
  assert.equal((await a.get('/console/')).location, '/console/login');
});

test(
  'issue 12: console: operator create --email --role, forced change, support read-only, own ' + 'account allowed',
  async () => {
    const { createConsoleOperator } = await import('../src/core/operators.js');
    const c = await createConsoleOperator(env.deps, { email: 'Ops@Example.com', role: 'support' });
    assert.equal(c.username, 'ops@example.com');
    assert.match(c.token, /^op_/);
    const a = new Agent(env.url);
    const r = await a.submit('/console/login', '/console/login', { username: c.username, password: c.password });
    assert.equal(r.location, '/console/account/password');
    const cookie = r.headers.getSetCookie().find((x) => x.startsWith('tender_console='))!;
    assert.match(cookie, /Path=\/console/);
    const ch = await a.submit('/console/account/password', '/console/account/password', {
      next: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    assert.equal(ch.location, '/console/', 'a support operator may change its own password');
    const acc = await a.get('/console/account');
    assert.match(acc.body, /id="role">support</);
    await assert.rejects(createConsoleOperator(env.deps, { email: 'ops@example.com', role: 'admin' }), /exists/);
    await assert.rejects(createConsoleOperator(env.deps, { email: 'x@example.com', role: 'root' }), /role/);
    // A merchant's credentials are no console login, and the reverse.
    const m = await newMerchant(env);
    const mc = await new Agent(env.url).submit('/console/login', '/console/login', {
      username: m.username,
      password: m.password,
    });
    assert.equal(mc.status, 401);
    const om = await new Agent(env.url).submit('/login', '/login', { username: c.username, password: NEW_PASSWORD });
    assert.equal(om.status, 401);
  },
);

test('issue 12: a support operator cannot post to a console page; an admin can', async () => {
  // A console page of another module, registered inside the console as app.ts would register it.
  const app = Fastify();
  await app.register(formbody);
  const changed: string[] = [];
  await app.register(consoleAuthPlugin, {
    deps: env.deps,
    pages: [
      async (p) => {
        p.post('/console/merchants/1/suspend', async (req) => {
          changed.push(req.operatorSession!.role);
          return 'done';
        });
      },
    ],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const sup = await consoleOperator(env, 'support1@example.com', 'support');
    const adm = await consoleOperator(env, 'admin1@example.com', 'admin');
    const login = async (username: string) => {
      const a = new Agent(url);
      const r = await a.submit('/console/login', '/console/login', { username, password: NEW_PASSWORD });
      assert.equal(r.location, '/console/');
      return a;
    };
    const s = await login(sup.username);
    const refused = await s.submit('/console/', '/console/merchants/1/suspend', {});
    assert.equal(refused.status, 403);
    assert.match(refused.body, /Support operators can look but not change anything/);
    const ad = await login(adm.username);
    const ok = await ad.submit('/console/', '/console/merchants/1/suspend', {});
    assert.equal(ok.status, 200);
    assert.deepEqual(changed, ['admin']);
    // Without a session the page is not reached either.
    const anon = await new Agent(url).post('/console/merchants/1/suspend', {});
    assert.equal(anon.status, 403, 'no CSRF secret without a session');
  } finally {
    await app.close();
  }
});

/** A second app of the same install published at an https URL (behind a TLS proxy), reached by inject. */
async function httpsApp(deps: Deps) {
  const app = Fastify();
  await app.register(formbody);
  const d: Deps = { ...deps, config: { ...deps.config, publicUrl: 'https://pay.example' } };
  await app.register(portalPlugin, { deps: d });
  await app.register(consoleAuthPlugin, { deps: d });
  return app;
}

test('issue 12: behind https the session cookie is Secure although the proxy speaks http to Tender', async () => {
  const app = await httpsApp(env.deps);
  try {
    for (const path of ['/login', '/console/login']) {
      const r = await app.inject({ method: 'GET', url: path });
      const c = String(r.headers['set-cookie']);
      assert.match(c, /; Secure/, path);
      assert.match(c, /HttpOnly/);
    }
  } finally {
    await app.close();
  }
});

test(
  'issue 12: login posts are limited per address (loose: 100 per 15 minutes), other addresses ' + 'unaffected',
  async () => {
    const app = await httpsApp(env.deps);
    try {
      const page = await app.inject({ method: 'GET', url: '/login', remoteAddress: '198.51.100.7' });
      const cookie = String(page.headers['set-cookie']).split(';')[0]!;
      const csrf = csrfOf(page.body);
      const post = (ip: string) =>
        app.inject({
          method: 'POST',
          url: '/login',
          remoteAddress: ip,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, username: 'nobody', password: 'x' }).toString(),
        });
      for (let i = 0; i < 100; i++) assert.equal((await post('198.51.100.7')).statusCode, 401);
      const limited = await post('198.51.100.7');
      assert.equal(limited.statusCode, 429);
      assert.match(limited.body, /Too many/);
      assert.match(String(limited.headers['content-type']), /text\/html/);
      assert.equal((await post('198.51.100.8')).statusCode, 401, 'another address still gets through');
    } finally {
      await app.close();
    }
  },
);

test('issue 12: operator create <name> still makes a token-only payout approver (no console login)', async () => {
  const { createOperator } = await import('../src/core/operators.js');
  const { operator, token } = await createOperator(env.deps, 'approver-1');
  assert.match(token, /^op_/);
  const r = await env.deps.db.query('SELECT role, password_hash FROM operators WHERE id = $1', [operator.id]);
  assert.equal(r.rows[0].role, 'admin');
  assert.equal(r.rows[0].password_hash, null);
  const a = await new Agent(env.url).submit('/console/login', '/console/login', {
    username: 'approver-1',
    password: '',
  });
  assert.equal(a.status, 401);
  void operatorLogin;
});

test('issue 12: bad input to the login and account forms answers a page, never a 5xx', async () => {
  const a = new Agent(env.url);
  const page = await a.get('/login');
  const csrf = csrfOf(page.body);
  const raw = async (body: string, type: string) => {
    const res = await fetch(`${env.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `tender_portal=${a.cookie('tender_portal')}`, 'content-type': type },
      body,
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '' };
  };
  const form = 'application/x-www-form-urlencoded';
  const cases: Array<[string, string]> = [
    [`_csrf=${encodeURIComponent(csrf)}&username=a&username=b&password=x`, form],
    [`_csrf=${encodeURIComponent(csrf)}&username=${'u'.repeat(5000)}&password=${'p'.repeat(5000)}`, form],
    [`_csrf=${encodeURIComponent(csrf)}&username=%00%01&password=x`, form],
    [`_csrf=${encodeURIComponent(csrf)}&username=%E2%80%AE&password=%ff`, form],
    [JSON.stringify({ _csrf: csrf, username: 'a', password: 'b' }), 'application/json'],
    ['username=a', 'text/plain'],
    ['', form],
  ];
  for (const [body, type] of cases) {
    const r = await raw(body, type);
    assert.ok(r.status >= 400 && r.status < 500, `${type} ${body.slice(0, 60)} → ${r.status}`);
    assert.match(r.type, /text\/html/, `${body.slice(0, 60)}: a page`);
  }
  // Forms of a logged-in merchant with absent fields.
  const m = await newMerchant(env);
  const b = await merchantLogin(env, m.username, m.password);
  for (const path of ['/user-center/password', '/user-center/totp/confirm', '/user-center/security-key/reveal']) {
    const r = await b.submit('/user-center', path, {});
    assert.ok(r.status < 500, `${path} → ${r.status}`);
  }
});
