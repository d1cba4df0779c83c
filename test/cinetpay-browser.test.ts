// The CinetPay hosted page in a real headless Chromium, French and English: choose an operator, type the
// phone, confirm (OTP for Orange Money, approval on the phone for MTN MoMo), land on the success page whose
// link goes back to return_url; the merchant's check answers ACCEPTED.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, postJson, type TestEnv } from './harness.js';
import { browserSkipReason, launchBrowser, type TestBrowser } from './browser.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { TEST_NUMBERS } from '../src/rails/mobile-money/index.js';

const skip = browserSkipReason();
let env: TestEnv;
let browser: TestBrowser;
let m: MerchantCredentials;

before(async () => {
  if (skip) return;
  env = await startTestEnv();
  m = await newMerchant(env, { brand: 'Boutique Plateau' });
  browser = await launchBrowser();
});
after(async () => {
  if (skip) return;
  await browser.close();
  await env.close();
});

async function init(lang: 'fr' | 'en', transactionId: string) {
  const r = await postJson(`${env.url}/v2/payment`, {
    apikey: m.apikey,
    site_id: m.siteId,
    transaction_id: transactionId,
    amount: 1500,
    currency: 'XOF',
    description: 'Panier du jour',
    notify_url: 'http://127.0.0.1:9/notify',
    return_url: 'https://shop.example/merci',
    channels: 'ALL',
    lang,
  });
  assert.equal(r.body.code, '201', JSON.stringify(r.body));
  return r.body.data.payment_url as string;
}

const check = async (transactionId: string) =>
  (
    await postJson(`${env.url}/v2/payment/check`, {
      apikey: m.apikey,
      site_id: m.siteId,
      transaction_id: transactionId,
    })
  ).body;

test('French page: Orange Money with the OTP step → Paiement réussi, check ACCEPTED', { skip }, async () => {
  const url = await init('fr', 'BR-FR-1');
  const ctx = await browser.context({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  await page.goto(url);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.match((await page.textContent('#amount')) ?? '', /1500/);
  assert.ok(await page.isVisible('#mobile-money'));
  assert.ok(await page.isVisible('#card'), 'ALL offers the card too');
  await page.check('#op-ORANGE');
  await page.selectOption('#prefix', '225');
  await page.fill('#phone', TEST_NUMBERS.SUCCESS);
  await page.click('#pay-mm');
  await page.waitForSelector('#otp-step');
  assert.match((await page.textContent('#otp-step')) ?? '', /Saisissez le code de confirmation/);
  assert.equal((await check('BR-FR-1')).data.status, 'WAITING_FOR_CUSTOMER');
  await page.fill('#otp', '123456');
  await page.click('#confirm-otp');
  await page.waitForSelector('#result-title');
  assert.equal(await page.textContent('#result-title'), 'Paiement réussi');
  assert.equal(await page.getAttribute('#back', 'href'), 'https://shop.example/merci');
  const r = await check('BR-FR-1');
  assert.equal(r.code, '00');
  assert.equal(r.data.payment_method, 'OMCIV2');
  await ctx.close();
});

test('English page: MTN MoMo waits for the approval on the phone and updates by itself → Payment successful', {
  skip,
}, async () => {
  const url = await init('en', 'BR-EN-1');
  const ctx = await browser.context();
  const page = await ctx.newPage();
  await page.goto(url);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match((await page.textContent('#pay-mm')) ?? '', /Pay with mobile money/);
  await page.check('#op-MTN');
  await page.selectOption('#prefix', '221');
  await page.fill('#phone', TEST_NUMBERS.SUCCESS);
  await page.click('#pay-mm');
  await page.waitForSelector('#push-step');
  assert.match((await page.textContent('#push-step')) ?? '', /Approve on your phone/);
  // The sandbox approves 2 s later; the page polls and reloads by itself.
  await page.waitForSelector('#result-title', { timeout: 15_000 });
  assert.equal(await page.textContent('#result-title'), 'Payment successful');
  const r = await check('BR-EN-1');
  assert.equal(r.code, '00');
  assert.equal(r.data.payment_method, 'MOMO');
  // The language link switches the same page to French.
  await page.click('#switch-lang');
  await page.waitForSelector('html[lang="fr"]');
  assert.equal(await page.textContent('#result-title'), 'Paiement réussi');
  await ctx.close();
});
