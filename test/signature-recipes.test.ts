// Issue 10.1: requests signed by the recipes of the demo code merchants copy (every parameter including
// empty ones; PHP `!empty()`) are accepted, counted per recipe (metrics and the operator's merchant view),
// and a wrong signature is still refused under every recipe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, postForm, getJson, until, type TestEnv } from './harness.js';
import { SIGNATURE_RECIPES, signParams, type SignatureRecipe } from '../src/domain/signature.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { flushRecipeCounts } from '../src/core/signature-tally.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.close();
});

const signedBy = (recipe: SignatureRecipe, p: Record<string, string>, key: string) => ({
  ...p,
  sign: signParams(p, key, recipe),
});

const orderParams = (m: MerchantCredentials, tradeNo: string, extra: Record<string, string> = {}) => ({
  merchantId: String(m.merchantId),
  merchantTradeNo: tradeNo,
  createTime: String(env.clock.now().getTime()),
  userId: 'user-1',
  amount: '12.5',
  cryptoCurrency: 'USDT',
  ...extra,
});

const createOrder = (p: Record<string, string>) => postForm(`${env.url}/openapi/v1/createOrder`, p);

const merchantView = async (m: MerchantCredentials) => {
  const res = await fetch(`${env.url}/admin/merchants/${m.merchantId}`, {
    headers: { authorization: `Bearer ${env.adminToken}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()) as any;
};

const metricValue = async (recipe: string): Promise<number> => {
  const text = await (
    await fetch(`${env.url}/metrics`, { headers: { authorization: `Bearer ${env.adminToken}` } })
  ).text();
  const m = new RegExp(`^tender_signature_recipe_total\\{recipe="${recipe}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

test(
  'issue 10.1: a createOrder signed with every parameter including empty ones (seed 001 PHP/Java demos) ' +
    'is accepted',
  async () => {
    const m = await newMerchant(env);
    // The Java demo puts every parameter in its map; empty ones are signed as `failURL=` and `network=`.
    const p = orderParams(m, 'ALL-1', { failURL: '', network: '', successURL: 'https://shop.example/ok' });
    const r = await createOrder(signedBy('all-params', p, m.securityKey));
    assert.equal(r.body.code, 0, JSON.stringify(r.body));
    assert.equal(r.body.data.merchantTradeNo, 'ALL-1');
    // A signed read with an empty parameter, signed the same way.
    const read = await getJson(
      `${env.url}/openapi/v1/getOrderDetail`,
      signedBy('all-params', { merchantId: String(m.merchantId), merchantTradeNo: 'ALL-1', hash: '' }, m.securityKey),
    );
    assert.equal(read.body.code, 0, JSON.stringify(read.body));
    assert.equal(read.body.data.orderId, r.body.data.orderId);
  },
);

test('issue 10.1: a createOrder signed by the PHP `!empty()` demo (drops "" and "0") is accepted', async () => {
  const m = await newMerchant(env);
  // userId "0" is a real user id; PHP's empty("0") leaves it out of the signed text.
  const p = orderParams(m, 'PHP-1', { userId: '0', failURL: '' });
  const text = signParams(p, m.securityKey, 'text');
  const php = signParams(p, m.securityKey, 'php-empty');
  assert.notEqual(php, text, 'the recipes really differ on these parameters');
  const r = await createOrder({ ...p, sign: php });
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  assert.equal(r.body.data.merchantUserId, '0');
  // Upper-case hex (some PHP code prints it so) is accepted too.
  const again = await createOrder({ ...p, sign: php.toUpperCase() });
  assert.equal(again.body.data.orderId, r.body.data.orderId);
});

test(
  'issue 10.1: a wrong signature is refused under every ' + 'recipe (other key, other value, a parameter added)',
  async () => {
    const m = await newMerchant(env);
    const other = await newMerchant(env);
    const p = orderParams(m, 'BAD-1', { failURL: '', userId: '0' });
    for (const recipe of SIGNATURE_RECIPES) {
      const wrongKey = await createOrder({ ...p, sign: signParams(p, other.securityKey, recipe) });
      assert.equal(wrongKey.body.code, 10004, `${recipe}: another merchant's key`);
      const tampered = await createOrder({ ...p, amount: '13', sign: signParams(p, m.securityKey, recipe) });
      assert.equal(tampered.body.code, 10004, `${recipe}: amount changed after signing`);
      // A non-empty, non-"0" parameter that was not signed is never ignored by any recipe.
      const added = await createOrder({
        ...p,
        successURL: 'https://evil.example/',
        sign: signParams(p, m.securityKey, recipe),
      });
      assert.equal(added.body.code, 10004, `${recipe}: a parameter added after signing`);
    }
    // php-empty does not sign "0" values: a captured request with a "0" optional parameter added must still
    // be refused by the endpoint's own rules, never turned into a different order.
    const php = signParams(p, m.securityKey, 'php-empty');
    for (const extra of ['network', 'callbackURL', 'successURL', 'failURL']) {
      const r = await createOrder({ ...p, [extra]: '0', sign: php });
      assert.notEqual(r.body.code, 0, `${extra}=0 added: ${JSON.stringify(r.body)}`);
    }
    const { rows } = await env.deps.db.query('SELECT count(*)::int AS n FROM orders WHERE merchant_trade_no = $1', [
      'BAD-1',
    ]);
    assert.equal(rows[0].n, 0);
    const view = await merchantView(m);
    // Only the four "0"-added requests passed the signature check (then the endpoint refused them).
    assert.equal(view.signatureRecipes.text.count, 0);
    assert.equal(view.signatureRecipes['all-params'].count, 0);
    assert.equal(view.signatureRecipes['php-empty'].count, 4);
  },
);

test(
  'issue 10.1: the matched recipe is counted in /metrics and per merchant in the operator view, exactly ' +
    'under concurrency',
  async () => {
    const m = await newMerchant(env);
    const before = Object.fromEntries(await Promise.all(SIGNATURE_RECIPES.map(async (r) => [r, await metricValue(r)])));
    const fresh = await merchantView(m);
    assert.deepEqual(fresh.signatureRecipes, {
      text: { count: 0, lastSeenAt: null },
      'all-params': { count: 0, lastSeenAt: null },
      'php-empty': { count: 0, lastSeenAt: null },
    });
    const balance = (recipe: SignatureRecipe, extra: Record<string, string>) =>
      getJson(
        `${env.url}/openapi/v1/getMerchantBalance`,
        signedBy(recipe, { merchantId: String(m.merchantId), ...extra }, m.securityKey),
      );
    // 20 concurrent all-params requests, 7 php-empty ones, 3 text ones; one without empty values counts as text.
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => balance('all-params', { note: '', n: String(i + 1) })),
      ...Array.from({ length: 7 }, (_, i) => balance('php-empty', { flag: '0', n: String(i + 1) })),
      ...Array.from({ length: 2 }, (_, i) => balance('text', { note: '', n: String(i + 1) })),
      balance('all-params', {}),
    ]);
    for (const r of results) assert.equal(r.body.code, 0, JSON.stringify(r.body));
    const view = await merchantView(m);
    assert.equal(view.signatureRecipes.text.count, 3);
    assert.equal(view.signatureRecipes['all-params'].count, 20);
    assert.equal(view.signatureRecipes['php-empty'].count, 7);
    const seen = Date.parse(view.signatureRecipes['all-params'].lastSeenAt);
    assert.ok(Math.abs(seen - env.clock.now().getTime()) < 60_000, view.signatureRecipes['all-params'].lastSeenAt);
    assert.equal((await metricValue('all-params')) - before['all-params'], 20);
    assert.equal((await metricValue('php-empty')) - before['php-empty'], 7);
    assert.equal((await metricValue('text')) - before.text, 3);
    // Without the operator looking, the batch reaches the table on its own.
    await balance('php-empty', { flag: '0' });
    await until('the batched count in the table', async () => {
      const { rows } = await env.deps.db.query(
        `SELECT count::int AS n FROM merchant_signature_recipes WHERE merchant_id = $1 AND recipe = 'php-empty'`,
        [m.merchantId],
      );
      return rows[0]?.n === 8;
    });
  },
);

test('issue 10.1: counts survive a failed write: they are kept and written by the next flush', async () => {
  const m = await newMerchant(env);
  const p = orderParams(m, 'KEEP-1', { failURL: '' });
  // The table is out of reach while the request is counted: every flush until it is back must fail.
  await env.deps.db.query('ALTER TABLE merchant_signature_recipes RENAME TO merchant_signature_recipes_away');
  try {
    assert.equal(
      (await createOrder(signedBy('all-params', p, m.securityKey))).body.code,
      0,
      'the order path is untouched',
    );
    await assert.rejects(flushRecipeCounts(env.deps), /merchant_signature_recipes/);
  } finally {
    await env.deps.db.query('ALTER TABLE merchant_signature_recipes_away RENAME TO merchant_signature_recipes');
  }
  const view = await merchantView(m);
  assert.equal(view.signatureRecipes['all-params'].count, 1);
});

test('issue 10.1: counts still in memory are written when the server closes', async () => {
  const e2 = await startTestEnv();
  try {
    const m = await newMerchant(e2);
    const p = {
      merchantId: String(m.merchantId),
      merchantTradeNo: 'CLOSE-1',
      createTime: String(e2.clock.now().getTime()),
      userId: 'u',
      amount: '1',
      cryptoCurrency: 'USDT',
      failURL: '',
    };
    assert.equal(
      (await postForm(`${e2.url}/openapi/v1/createOrder`, signedBy('all-params', p, m.securityKey))).body.code,
      0,
    );
    await e2.app.close();
    const { rows } = await e2.deps.db.query(
      `SELECT count::int AS n FROM merchant_signature_recipes WHERE merchant_id = $1 AND recipe = 'all-params'`,
      [m.merchantId],
    );
    assert.equal(rows[0]?.n, 1);
  } finally {
    await e2.close();
  }
});
