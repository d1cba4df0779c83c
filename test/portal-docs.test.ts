// Issue 12 (portal reference): one page per dialect rendered from its OpenAPI document, the error and status
// tables from the catalog, and the signature page whose external script signs in the browser exactly as
// signParams() does on the server. Real HTTP, real headless Chromium, axe-core on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { startTestEnv, type TestEnv } from './harness.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import { assertAccessible, assertFitsWidth, screenshotPath, testSessions } from './portal-page-helpers.js';
import { CONTRACTS } from '../src/api/contract/index.js';
import { ERRORS, type ErrorCode } from '../src/domain/errors.js';
import { OPENAPI_CODES } from '../src/api/openapi/error-codes.js';
import { canonicalString, SIGNATURE_RECIPES, signParams, type SignatureRecipe } from '../src/domain/signature.js';
import { operationAnchor } from '../src/web/portal/docs-openapi.js';
import { esc } from '../src/web/html.js';

const skip = browserSkipReason();
const sessions = testSessions();
let env: TestEnv;
let browser: TestBrowser | undefined;

before(async () => {
  env = await startTestEnv({}, { portalSessionOf: sessions.sessionOf });
  if (!skip) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await env?.close();
});

const get = async (path: string) => {
  const res = await fetch(`${env.url}${path}`, { redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
};

const PAGES = [
  '/docs',
  ...CONTRACTS.map((c) => `/docs/api/${c.name}`),
  '/docs/errors',
  '/docs/statuses',
  '/docs/signature',
];

test(
  'issue 12: each dialect page lists every operation, parameter, body field and answer of its ' + 'OpenAPI document',
  async () => {
    for (const c of CONTRACTS) {
      const doc = (await (await fetch(`${env.url}/openapi/${c.name}.json`)).json()) as any;
      const page = await get(`/docs/api/${c.name}`);
      assert.equal(page.status, 200, c.name);
      const resolve = (s: any): any =>
        s?.$ref ? resolve(doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]) : s;
      let operations = 0;
      for (const [path, methods] of Object.entries<any>(doc.paths))
        for (const [method, op] of Object.entries<any>(methods)) {
          operations++;
          const id = operationAnchor(method, path);
          const start = page.text.indexOf(`id="${id}"`);
          assert.ok(start >= 0, `${c.name}: ${method} ${path} has no section`);
          const section = page.text.slice(start, page.text.indexOf('</section>', start));
          assert.ok(section.includes(`<code>${esc(path)}</code>`), `${c.name}: ${path}`);
          for (const p of op.parameters ?? [])
            assert.ok(section.includes(`<code>${esc(`${p.name} (${p.in})`)}</code>`), `${path}: parameter ${p.name}`);
          for (const media of Object.values<any>(op.requestBody?.content ?? {}).slice(0, 1)) {
            const s = resolve(media.schema);
            for (const [name, f] of Object.entries<any>(s.properties ?? {})) {
              assert.ok(section.includes(`<code>${esc(name)}</code>`), `${path}: body field ${name}`);
              // The required flag of each top-level field is the document's.
              const row = section.slice(section.indexOf(`<code>${esc(name)}</code>`));
              const required = (s.required ?? []).includes(name) ? 'yes' : 'no';
              assert.match(row, new RegExp(`^<code>[^<]*</code></th><td>[^<]*</td><td>${required}</td>`), `${name}`);
              assert.ok(f, name);
            }
          }
          for (const status of Object.keys(op.responses))
            assert.ok(section.includes(`<dt><code>${status}</code>`), `${c.name}: ${method} ${path} answer ${status}`);
        }
      assert.ok(operations > 0 && operations === c.routes.length, `${c.name}: ${operations} operations`);
      assert.ok(page.text.includes(`href="/openapi/${c.name}.json"`));
    }
  },
);

test(
  'issue 12: the error table has every catalog code with each dialect wire form; the status table ' + 'all four',
  async () => {
    const page = await get('/docs/errors');
    assert.equal(page.status, 200);
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const start = page.text.indexOf(`<tr id="error-${code.toLowerCase()}">`);
      assert.ok(start >= 0, code);
      const row = page.text.slice(start, page.text.indexOf('</tr>', start));
      assert.ok(row.includes(`<code>${OPENAPI_CODES[code]}</code>`), `${code}: openapi code`);
      assert.ok(row.includes(`<code>${code.toLowerCase()}</code>`), `${code}: minimal code`);
      assert.ok(row.includes(esc(ERRORS[code].message)), `${code}: message`);
    }
    // The openapi page carries the openapi column of the same table.
    const openapi = await get('/docs/api/openapi');
    assert.ok(openapi.text.includes('<tr id="error-bad_sign">'));
    const statuses = await get('/docs/statuses');
    for (const [code, name] of [
      [0, 'PENDING'],
      [11, 'PROCESSING'],
      [14, 'COMPLETED'],
      [15, 'CLOSED'],
    ] as const)
      assert.ok(statuses.text.includes(`<tr id="status-${code}"><th scope="row"><code>${code}</code> ${name}</th>`));
    // Final states can become nothing; PENDING can become the three others.
    assert.match(statuses.text, /<tr id="status-14">.*?<td>yes<\/td><td>—<\/td>/);
    assert.match(statuses.text, /<tr id="status-0">.*?<td>no<\/td><td>11, 14, 15<\/td>/);
  },
);

test(
  'issue 12: the reference is public, strict-CSP, with no inline script or style; a session adds ' + 'the portal menu',
  async () => {
    sessions.set(undefined);
    for (const path of PAGES) {
      const page = await get(path);
      assert.equal(page.status, 200, path);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/, path);
      assert.match(csp, /style-src 'self'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: inline script`);
      assert.doesNotMatch(page.text, /\sstyle=|<style/, `${path}: inline style`);
      assert.ok(page.text.includes('href="/login"'), `${path}: public menu`);
    }
    sessions.set({ merchantId: '1', csrf: 'csrf-token-1' });
    const withSession = await get('/docs/errors');
    assert.ok(withSession.text.includes('href="/webhooks"'));
    assert.ok(withSession.text.includes('name="_csrf" value="csrf-token-1"'));
    sessions.set(undefined);
    const js = await get('/assets/signature.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    const css = await get('/assets/portal-docs.css');
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  },
);

test('issue 12: the signature page shows the server-computed seed vector', async () => {
  const page = await get('/docs/signature');
  const sign = signParams({ aa: 'hello', xx: '1001', yy: '' }, 'abc123');
  assert.equal(sign, '1c4492e23f7812c5781a30046c5d760ba3ae344de99a5700542715866f448825');
  assert.ok(page.text.includes(`<code id="server-sign">${sign}</code>`));
  assert.ok(page.text.includes('<code id="server-canonical">aa=hello&amp;xx=1001&amp;key=abc123</code>'));
  for (const r of SIGNATURE_RECIPES)
    assert.ok(page.text.includes(signParams({ aa: 'hello', xx: '1001', yy: '', zz: '0' }, 'abc123', r)), r);
});

/** Random parameters: names and values from a mix of ASCII, Latin, CJK and astral characters, empty and "0". */
function randomParams(): Record<string, string> {
  const alphabet = ['a', 'B', 'z', 'Z', '_', '0', '9', 'é', 'ß', '中', '文', '😀', '𝄞', '~', ' ', '=', '&', '+', '%'];
  const word = (min: number, max: number, noEq = false) => {
    let s = '';
    const n = randomInt(min, max + 1);
    while (s.length < n) {
      const ch = alphabet[randomInt(alphabet.length)]!;
      if (noEq && ch === '=') continue;
      s += ch;
    }
    return s;
  };
  const p: Record<string, string> = {};
  const n = randomInt(0, 8);
  for (let i = 0; i < n; i++) {
    const name = word(1, 6, true).replace(/^ +| +$/g, 'x') || 'n';
    const roll = randomInt(10);
    p[name] = roll === 0 ? '' : roll === 1 ? '0' : word(1, 12);
  }
  if (randomInt(4) === 0) p.sign = 'ignored';
  return p;
}

test('issue 12: the browser computes the same signature as signParams(): seed vector and random inputs', {
  skip,
}, async () => {
  const ctx = await browser!.context();
  const page = await ctx.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') violations.push(m.text());
  });
  const sent: string[] = [];
  page.on('request', (r) => sent.push(`${r.url()} ${r.postData() ?? ''}`));
  await page.goto(`${env.url}/docs/signature`);
  // The form starts with the seed vector: the script's result equals the server's, shown on the same page.
  await page.waitForFunction(() => document.getElementById('sig-form')?.dataset.state === 'done');
  const first = await page.textContent('#sig-sign');
  assert.equal(first, await page.textContent('#server-sign'));
  assert.equal(first, signParams({ aa: 'hello', xx: '1001', yy: '' }, 'abc123'));
  assert.equal(await page.textContent('#sig-canonical'), 'aa=hello&xx=1001&key=abc123');

  // Through the form, as a merchant types.
  for (let i = 0; i < 25; i++) {
    const params = randomParams();
    const key = `k${randomBytes(randomInt(1, 24)).toString('base64url')}`;
    const recipe = SIGNATURE_RECIPES[i % SIGNATURE_RECIPES.length]!;
    await page.fill(
      '#sig-params',
      Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    await page.fill('#sig-key', key);
    await page.selectOption('#sig-recipe', recipe);
    const expected = signParams(params, key, recipe);
    await page.fill('#sig-expected', expected.toUpperCase());
    await page.click('#sig-compute');
    await page.waitForFunction(() => document.getElementById('sig-form')?.dataset.state === 'done');
    const label = JSON.stringify({ params, key, recipe });
    assert.equal(await page.textContent('#sig-canonical'), canonicalString(params, key, recipe), label);
    assert.equal(await page.textContent('#sig-sign'), expected, label);
    assert.equal(await page.textContent('#sig-compare'), 'matches', label);
  }
  // Many more through the same functions the form calls.
  const cases = Array.from({ length: 300 }, (_, i) => ({
    params: randomParams(),
    key: randomBytes(randomInt(1, 40)).toString('hex'),
    recipe: SIGNATURE_RECIPES[i % 3]! as SignatureRecipe,
  }));
  const browserSigns = await page.evaluate(async (list) => {
    const t = (globalThis as any).TenderSignature;
    return Promise.all(list.map((c) => t.sign(c.params, c.key, c.recipe) as Promise<string>));
  }, cases);
  for (const [i, c] of cases.entries())
    assert.equal(browserSigns[i], signParams(c.params, c.key, c.recipe), JSON.stringify(c));

  // A line that is not name=value is named; the key never left the browser.
  await page.fill('#sig-params', 'aa=hello\nnot a pair');
  await page.click('#sig-compute');
  await page.waitForFunction(() => document.getElementById('sig-form')?.dataset.state === 'done');
  assert.equal(await page.textContent('#sig-error'), 'line 2 is not name=value');
  assert.deepEqual(violations, []);
  assert.ok(
    sent.every((s) => !/sig-|abc123|\bkey=/.test(s.replace(`${env.url}/docs/signature`, ''))),
    `requests: ${sent.join(' | ')}`,
  );
  await page.fill('#sig-params', 'aa=hello\nxx=1001\nyy=');
  await page.fill('#sig-key', 'abc123');
  await page.fill('#sig-expected', signParams({ aa: 'hello', xx: '1001' }, 'abc123'));
  await page.click('#sig-compute');
  await page.waitForFunction(() => document.getElementById('sig-form')?.dataset.state === 'done');
  await page.screenshot({ path: screenshotPath('portal-signature.png'), fullPage: true });
  await ctx.close();
});

test('issue 12: every reference page passes axe-core (no serious or critical) and fits a phone screen', {
  skip,
}, async () => {
  // axe is injected as a script of its own, which the pages' CSP would (rightly) block.
  const ctx = await browser!.context({ bypassCSP: true, viewport: { width: 375, height: 740 } });
  const page = await ctx.newPage();
  for (const path of PAGES) {
    await page.goto(`${env.url}${path}`);
    await assertFitsWidth(page, path);
    await assertAccessible(page, path);
  }
  await ctx.close();
  const wide = await browser!.context({ viewport: { width: 1280, height: 900 } });
  const shot = await wide.newPage();
  await shot.goto(`${env.url}/docs/api/openapi`);
  await shot.screenshot({ path: screenshotPath('portal-docs.png') });
  await wide.close();
});

test('issue 12: the signature script runs under the strict CSP, and an injected inline script does not', {
  skip,
}, async () => {
  const ctx = await browser!.context();
  const page = await ctx.newPage();
  await page.goto(`${env.url}/docs/signature`);
  await page.waitForFunction(() => document.getElementById('sig-form')?.dataset.state === 'done');
  const pwned = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__pwned = 1;';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 50));
    return (window as any).__pwned ?? null;
  });
  assert.equal(pwned, null);
  await ctx.close();
});
