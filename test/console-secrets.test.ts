// Issue 12, spec M9 items 4-5: the minimal-dialect merchant secret and the CinetPay apikey are stored sealed
// beside their look-up digest, so the portal can reveal them; the sealed columns never hold the plain text.
// Credentials issued before migration 018 (digest only) answer "rotate to see it".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, postJson, type TestEnv } from './harness.js';
import { revealCinetpayCredentials, revealMerchantSecret } from '../src/core/console-secrets.js';
import { rotateMerchantSecret } from '../src/core/merchants.js';
import { rotateCinetpayCredentials } from '../src/core/cinetpay-sites.js';
import { isTenderError } from '../src/domain/errors.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.close();
});

const stored = async (merchantId: number) =>
  (
    await env.deps.db.query(
      `SELECT m.merchant_secret_digest, m.merchant_secret_sealed, s.apikey_digest, s.apikey_sealed
         FROM merchants m JOIN cinetpay_sites s ON s.merchant_id = m.id WHERE m.id = $1`,
      [merchantId],
    )
  ).rows[0];

test(
  'issue 12: the sealed merchant secret and apikey never hold ' + 'the plain text, and reveal gives them back',
  async () => {
    const m = await newMerchant(env);
    const row = await stored(m.merchantId);
    assert.ok(row.merchant_secret_sealed && row.apikey_sealed);
    for (const [col, plain] of [
      ['merchant_secret_sealed', m.merchantSecret],
      ['apikey_sealed', m.apikey],
    ] as const) {
      assert.ok(!row[col].includes(plain), `${col} does not contain the secret`);
      assert.ok(!Buffer.from(row[col], 'base64').toString('latin1').includes(plain), `${col} is not an encoding of it`);
      assert.ok(!row[col].includes(Buffer.from(plain).toString('base64').slice(0, 16)));
    }
    const secret = await revealMerchantSecret(env.deps, String(m.merchantId));
    assert.equal(secret.reveal(), m.merchantSecret);
    assert.equal(String(secret), '[REDACTED]', 'a revealed secret does not print by accident');
    const sites = await revealCinetpayCredentials(env.deps, String(m.merchantId));
    assert.equal(sites.length, 1);
    assert.equal(sites[0]!.siteId, m.siteId);
    assert.equal(sites[0]!.apikey!.reveal(), m.apikey);
    assert.equal(sites[0]!.notifySecret.reveal(), m.notifySecret);
  },
);

test(
  'issue 12: revealed credentials work: the merchant secret in ' + 'start_payment, the apikey in /v2/payment',
  async () => {
    const m = await newMerchant(env);
    const secret = (await revealMerchantSecret(env.deps, String(m.merchantId))).reveal();
    const sp = await postJson(`${env.url}/api/start_payment`, { merchant_secret: secret, amount: 12 });
    assert.equal(sp.status, 200);
    const [site] = await revealCinetpayCredentials(env.deps, String(m.merchantId));
    const init = await postJson(`${env.url}/v2/payment`, {
      apikey: site!.apikey!.reveal(),
      site_id: site!.siteId,
      transaction_id: `SEC-${Date.now()}`,
      amount: 100,
      currency: 'XOF',
      description: 'Billet',
      notify_url: 'https://shop.example/notify',
      return_url: 'https://shop.example/return',
      channels: 'ALL',
    });
    assert.equal(init.body.code, '201', JSON.stringify(init.body));
  },
);

test('issue 12: rotation seals the new merchant secret and apikey; the old ones fail at once', async () => {
  const m = await newMerchant(env);
  const id = String(m.merchantId);
  const r = await rotateMerchantSecret(env.deps, id);
  assert.notEqual(r.merchantSecret, m.merchantSecret);
  assert.equal((await revealMerchantSecret(env.deps, id)).reveal(), r.merchantSecret);
  assert.equal(
    (await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: 1 })).status,
    401,
  );
  assert.equal(
    (await postJson(`${env.url}/api/start_payment`, { merchant_secret: r.merchantSecret, amount: 1 })).status,
    200,
  );
  const cp = await rotateCinetpayCredentials(env.deps, id);
  const [site] = await revealCinetpayCredentials(env.deps, id);
  assert.equal(site!.apikey!.reveal(), cp.apikey);
  assert.equal(site!.notifySecret.reveal(), cp.notifySecret);
  const row = await stored(m.merchantId);
  assert.ok(!row.merchant_secret_sealed.includes(r.merchantSecret));
  assert.ok(!row.apikey_sealed.includes(cp.apikey));
});

test(
  'issue 12: a secret issued before migration 018 (digest ' + 'only) answers SECRET_NOT_SEALED until rotated',
  async () => {
    const m = await newMerchant(env);
    const id = String(m.merchantId);
    // As an install upgraded from before 018 has them: only the digests.
    await env.deps.db.query('UPDATE merchants SET merchant_secret_sealed = NULL WHERE id = $1', [id]);
    await env.deps.db.query('UPDATE cinetpay_sites SET apikey_sealed = NULL WHERE merchant_id = $1', [id]);
    await assert.rejects(revealMerchantSecret(env.deps, id), (e) => isTenderError(e) && e.code === 'SECRET_NOT_SEALED');
    const [site] = await revealCinetpayCredentials(env.deps, id);
    assert.equal(site!.apikey, null, 'the apikey cannot be shown: rotate it');
    assert.equal(site!.notifySecret.reveal(), m.notifySecret, 'the notification secret was always sealed');
    // The digest-only credentials keep working.
    assert.equal(
      (await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: 1 })).status,
      200,
    );
    const r = await rotateMerchantSecret(env.deps, id);
    assert.equal((await revealMerchantSecret(env.deps, id)).reveal(), r.merchantSecret);
    await assert.rejects(
      revealMerchantSecret(env.deps, '99999999'),
      (e) => isTenderError(e) && e.code === 'MERCHANT_NOT_FOUND',
    );
  },
);
