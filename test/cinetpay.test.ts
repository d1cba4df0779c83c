// The CinetPay dialect over real HTTP on a real PostgreSQL: init, check, duplicates, every refusal with
// its CinetPay code, credentials and rotation, the hosted page's mobile-money flows with each sandbox test
// number and the card outcome, and status-less notifications with a valid x-token retried until HTTP 200.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, postJson, webhookReceiver, sleep, hmacHex, type TestEnv } from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { NOTIFICATION_FIELDS, xToken, type NotificationFields } from '../src/domain/cinetpay.js';
import { rotateCinetpayCredentials } from '../src/core/cinetpay-sites.js';
import { TEST_NUMBERS } from '../src/rails/mobile-money/index.js';

let env: TestEnv;
let dispatcher: Dispatcher;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv({ TENDER_WEBHOOK_BACKOFF: '0,1,1,1' });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
  m = await newMerchant(env, { brand: 'Boutique Abidjan' });
});
after(async () => {
  await dispatcher.stop();
  await env.close();
});

let seq = 0;
const txId = (p = 'TX') => `${p}-${Date.now()}-${++seq}`;
const initBody = (c: MerchantCredentials, over: Record<string, unknown> = {}) => ({
  apikey: c.apikey,
  site_id: c.siteId,
  transaction_id: txId(),
  amount: 100,
  currency: 'XOF',
  description: 'Deux billets de concert',
  notify_url: 'https://shop.example/notify',
  return_url: 'https://shop.example/return',
  channels: 'ALL',
  lang: 'fr',
  metadata: 'order-42',
  ...over,
});
const init = (body: unknown) => postJson(`${env.url}/v2/payment`, body);
const check = (c: MerchantCredentials, by: Record<string, string>) =>
  postJson(`${env.url}/v2/payment/check`, { apikey: c.apikey, site_id: c.siteId, ...by });

async function created(body: Record<string, unknown>) {
  const r = await init(body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.code, '201', JSON.stringify(r.body));
  return r.body.data as { payment_token: string; payment_url: string; transaction_id?: string };
}

/** Posts a form of the hosted page like a browser would (no redirect following). */
async function pageForm(
  token: string,
  action: string,
  fields: Record<string, string>,
): Promise<{ status: number; location: string | null }> {
  const res = await fetch(`${env.url}/payment/${token}/${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  await res.text();
  return { status: res.status, location: res.headers.get('location') };
}
const pageHtml = async (token: string, q = '') => {
  const r = await fetch(`${env.url}/payment/${token}${q}`);
  return { status: r.status, html: await r.text() };
};

test(
  'x-token: HMAC-SHA256 keyed by the notification secret over the 16 fields concatenated in the spec ' +
    'order (fixed vector)',
  () => {
    const f: NotificationFields = {
      cpm_site_id: '5000001',
      cpm_trans_id: 'TX-1',
      cpm_trans_date: '2023-05-10 13:24:11',
      cpm_amount: '100',
      cpm_currency: 'XOF',
      signature: 'sig',
      payment_method: 'OMCIV2',
      cel_phone_num: '0700000001',
      cpm_phone_prefixe: '225',
      cpm_language: 'fr',
      cpm_version: 'V4',
      cpm_payment_config: 'Single',
      cpm_page_action: 'Payment',
      cpm_custom: 'order-42',
      cpm_designation: 'Deux billets',
      cpm_error_message: '',
    };
    // By hand: "5000001" + "TX-1" + "2023-05-10 13:24:11" + "100" + "XOF" + "sig" + "OMCIV2" + "0700000001" +
    // "225" + "fr" + "V4" + "Single" + "Payment" + "order-42" + "Deux billets" + "" — computed with
    // `openssl dgst -sha256 -hmac notify-secret-1`.
    const expected = '23b3abc4ca6fccf41d050322bb285062345c7c3b7ef8d1a844c0530388ffbc80';
    assert.equal(
      hmacHex(
        'notify-secret-1',
        '5000001TX-12023-05-10 13:24:11100XOFsigOMCIV20700000001225frV4SinglePaymentorder-42Deux billets',
      ),
      expected,
    );
    assert.equal(xToken(f, 'notify-secret-1'), expected);
    assert.deepEqual(
      [...NOTIFICATION_FIELDS],
      [
        'cpm_site_id',
        'cpm_trans_id',
        'cpm_trans_date',
        'cpm_amount',
        'cpm_currency',
        'signature',
        'payment_method',
        'cel_phone_num',
        'cpm_phone_prefixe',
        'cpm_language',
        'cpm_version',
        'cpm_payment_config',
        'cpm_page_action',
        'cpm_custom',
        'cpm_designation',
        'cpm_error_message',
      ],
    );
  },
);

test(
  'merchant creation returns CinetPay credentials; init answers 201 CREATED with token and URL; check ' +
    'says WAITING_FOR_CUSTOMER',
  async () => {
    assert.match(m.siteId, /^[0-9]+$/);
    assert.ok(m.apikey.length >= 20 && m.notifySecret.length >= 20);
    const body = initBody(m);
    const r = await init(body);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['api_response_id', 'code', 'data', 'description', 'message']);
    assert.equal(r.body.code, '201');
    assert.equal(r.body.message, 'CREATED');
    assert.equal(typeof r.body.api_response_id, 'string');
    const { payment_token, payment_url } = r.body.data;
    assert.equal(payment_url, `${env.url}/payment/${payment_token}?lang=fr`);
    const { rows } = await env.deps.db.query(
      'SELECT dialect, merchant_trade_no, amount, currency, callback_url FROM orders WHERE pay_code = $1',
      [payment_token],
    );
    assert.deepEqual(rows[0], {
      dialect: 'cinetpay',
      merchant_trade_no: `cp:${m.siteId}:${body.transaction_id}`,
      amount: '100',
      currency: 'XOF',
      callback_url: 'https://shop.example/notify',
    });
    for (const by of [{ transaction_id: body.transaction_id }, { token: payment_token as string }] as Record<
      string,
      string
    >[]) {
      const c = await check(m, by);
      assert.equal(c.status, 200);
      assert.equal(c.body.code, '662');
      assert.equal(c.body.message, 'WAITING_CUSTOMER_PAYMENT');
      assert.deepEqual(c.body.data, {
        amount: '100',
        currency: 'XOF',
        status: 'WAITING_FOR_CUSTOMER',
        payment_method: null,
        description: 'Deux billets de concert',
        metadata: 'order-42',
        operator_id: null,
        payment_date: '',
        fund_availability_date: '',
        phone_number: null,
        phone_prefix: null,
      });
    }
    const page = await pageHtml(payment_token, '?lang=fr');
    assert.equal(page.status, 200);
    assert.match(page.html, /Mobile money/);
    assert.match(page.html, /Payer avec mobile money/);
    assert.match(page.html, /Carte bancaire/);
    assert.match((await pageHtml(payment_token, '?lang=en')).html, /Pay with mobile money/);
  },
);

test(
  'transaction_id is unique per site: the same body again → same token and URL; a different body → 624 ' +
    'TRANSACTION_EXIST',
  async () => {
    const body = initBody(m);
    const a = await created(body);
    const b = await created({ ...body });
    assert.deepEqual(b, a);
    const c = await init({ ...body, amount: 200 });
    assert.equal(c.body.code, '624');
    assert.equal(c.body.message, 'TRANSACTION_EXIST');
    // Another site (another merchant) may use the same transaction_id.
    const other = await newMerchant(env, { brand: 'Autre boutique' });
    const d = await created({ ...body, apikey: other.apikey, site_id: other.siteId });
    assert.notEqual(d.payment_token, a.payment_token);
  },
);

test('every validation refusal answers with its CinetPay code and message', async () => {
  const card = {
    customer_name: 'Kouassi',
    customer_surname: 'Ama',
    customer_email: 'ama@example.ci',
    customer_phone_number: '0700000001',
    customer_address: 'Rue 12',
    customer_city: 'Abidjan',
    customer_country: 'CI',
    customer_state: 'CI',
    customer_zip_code: '00225',
  };
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['no amount', { amount: undefined }, '608', 'MINIMUM_REQUIRED_FIELDS'],
    ['no currency', { currency: '' }, '608', 'MINIMUM_REQUIRED_FIELDS'],
    ['no description', { description: undefined }, '608', 'MINIMUM_REQUIRED_FIELDS'],
    ['no notify_url', { notify_url: undefined }, '608', 'MINIMUM_REQUIRED_FIELDS'],
    ['no return_url', { return_url: undefined }, '608', 'MINIMUM_REQUIRED_FIELDS'],
    ['amount not an integer', { amount: 100.5 }, '624', 'ERROR_AMOUNT_TYPE'],
    ['amount text', { amount: 'cent' }, '624', 'ERROR_AMOUNT_TYPE'],
    ['negative amount', { amount: -100 }, '624', 'ERROR_AMOUNT_TYPE'],
    ['amount not a multiple of 5', { amount: 101 }, '624', 'ERROR_AMOUNT_MULTIPLE_OF_5'],
    ['XOF below 100', { amount: 95 }, '624', 'ERROR_AMOUNT_TOO_LOW'],
    ['CDF below 400', { amount: 395, currency: 'CDF' }, '624', 'ERROR_AMOUNT_TOO_LOW'],
    ['GNF below 1000', { amount: 995, currency: 'GNF' }, '624', 'ERROR_AMOUNT_TOO_LOW'],
    ['USD below 0.2', { amount: 0.15, currency: 'USD' }, '624', 'ERROR_AMOUNT_TOO_LOW'],
    ['USD with 3 decimals', { amount: 1.005, currency: 'USD' }, '624', 'ERROR_AMOUNT_TYPE'],
    ['currency not offered', { currency: 'EUR' }, '624', 'ERROR_CURRENCY_NOTVALID'],
    ['description with #', { description: 'Commande #12' }, '624', 'ERROR_DESCRIPTION_CHARACTERS'],
    ['description with /', { description: 'a/b' }, '624', 'ERROR_DESCRIPTION_CHARACTERS'],
    ['description with $', { description: '5$' }, '624', 'ERROR_DESCRIPTION_CHARACTERS'],
    ['description with _', { description: 'a_b' }, '624', 'ERROR_DESCRIPTION_CHARACTERS'],
    ['description with &', { description: 'a & b' }, '624', 'ERROR_DESCRIPTION_CHARACTERS'],
    ['unknown channel', { channels: 'BITCOIN' }, '624', 'ERROR_CHANNELS_NOTVALID'],
    ['bad lang', { lang: 'de' }, '624', 'ERROR_LANG_NOTVALID'],
    ['relative notify_url', { notify_url: '/notify' }, '624', 'ERROR_URL_NOTVALID'],
    ['metadata over 4096 characters', { metadata: { a: 'x'.repeat(4096) } }, '624', 'INVALID_PARAMETER'],
    ['invoice_data with 4 keys', { invoice_data: { a: '1', b: '2', c: '3', d: '4' } }, '624', 'ERROR_INVOICE_DATA'],
    ['invoice_data not an object', { invoice_data: 'x' }, '624', 'ERROR_INVOICE_DATA'],
    ['card without customer fields', { channels: 'CREDIT_CARD' }, '608', 'MINIMUM_REQUIRED_FIELDS'],
    [
      'card with one customer field missing',
      { channels: 'MOBILE_MONEY,CREDIT_CARD', ...card, customer_city: undefined },
      '608',
      'MINIMUM_REQUIRED_FIELDS',
    ],
    [
      'card with a bad country',
      { channels: 'CREDIT_CARD', ...card, customer_country: 'CIV' },
      '624',
      'INVALID_PARAMETER',
    ],
    ['locked phone without number', { lock_phone_number: true }, '608', 'MINIMUM_REQUIRED_FIELDS'],
  ];
  for (const [what, over, code, message] of cases) {
    const r = await init(initBody(m, over));
    assert.equal(r.body.code, code, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.message, message, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(typeof r.body.description, 'string', what);
    assert.equal(typeof r.body.api_response_id, 'string', what);
    assert.ok(r.status >= 400 && r.status < 500, `${what}: HTTP ${r.status}`);
  }
  // Accepted edge cases: multiples of 5 at the minimum, USD decimals, combined channels, invoice_data with 3 keys,
  // string amount.
  await created(initBody(m, { amount: 400, currency: 'CDF' }));
  await created(initBody(m, { amount: 0.2, currency: 'USD' }));
  await created(
    initBody(m, {
      amount: '1000',
      currency: 'GNF',
      channels: 'MOBILE_MONEY, WALLET',
      invoice_data: { a: '1', b: 2, c: '3' },
    }),
  );
  await created(initBody(m, { channels: 'CREDIT_CARD', ...card }));
  // Issue 10.3 (spec, compatibility section): no transaction_id → one is generated; metadata may be an object.
  assert.match((await created(initBody(m, { transaction_id: undefined }))).transaction_id!, /^[0-9a-f]{32}$/);
  await created(initBody(m, { metadata: { cart: [1, 2] } }));
  const malformed = await init('{"apikey":');
  assert.equal(malformed.body.code, '608');
  const notJson = await postJson(`${env.url}/v2/payment`, '');
  assert.equal(notJson.body.code, '608');
});

test(
  'credentials: bad apikey → 609 AUTH_NOT_FOUND; unknown or foreign site_id → 613 ' +
    'ERROR_SITE_ID_NOTVALID; check by unknown id → not found',
  async () => {
    const bad = await init(initBody(m, { apikey: 'nope' }));
    assert.equal(bad.body.code, '609');
    assert.equal(bad.body.message, 'AUTH_NOT_FOUND');
    const noKey = await init(initBody(m, { apikey: undefined }));
    assert.equal(noKey.body.code, '608');
    const site = await init(initBody(m, { site_id: '999999999' }));
    assert.equal(site.body.code, '613');
    assert.equal(site.body.message, 'ERROR_SITE_ID_NOTVALID');
    const other = await newMerchant(env, { brand: 'Tierce' });
    const foreign = await init(initBody(m, { site_id: other.siteId }));
    assert.equal(foreign.body.code, '613');
    assert.equal((await check(m, { transaction_id: 'never' })).body.code, '404');
    assert.equal((await check(m, {})).body.code, '608');
    // A site cannot read another site's transactions.
    const body = initBody(m);
    const { payment_token } = await created(body);
    assert.equal((await check(other, { transaction_id: body.transaction_id })).body.code, '404');
    assert.equal((await check(other, { token: payment_token })).body.code, '404');
    const checkBadKey = await postJson(`${env.url}/v2/payment/check`, {
      apikey: 'x',
      site_id: m.siteId,
      transaction_id: body.transaction_id,
    });
    assert.equal(checkBadKey.body.code, '609');
  },
);

interface Flow {
  rx: Awaited<ReturnType<typeof webhookReceiver>>;
  c: MerchantCredentials;
  body: ReturnType<typeof initBody>;
  token: string;
}

async function flow(channels = 'ALL', replies = [{ status: 200, body: '' }]): Promise<Flow> {
  const rx = await webhookReceiver(replies);
  const c = await newMerchant(env, { brand: 'Maquis' });
  const body = initBody(c, { notify_url: rx.url, channels });
  const { payment_token } = await created(body);
  return { rx, c, body, token: payment_token };
}

function assertNotification(
  call: { form: URLSearchParams; headers: Record<string, unknown> },
  f: Flow,
  secret: string,
) {
  assert.deepEqual([...call.form.keys()], [...NOTIFICATION_FIELDS], 'exactly the spec fields, in order');
  const fields = Object.fromEntries(call.form) as NotificationFields;
  assert.equal(call.headers['x-token'], xToken(fields, secret), 'x-token valid with the site secret');
  assert.equal(fields.cpm_site_id, f.c.siteId);
  assert.equal(fields.cpm_trans_id, f.body.transaction_id);
  assert.equal(fields.cpm_amount, '100');
  assert.equal(fields.cpm_currency, 'XOF');
  assert.equal(fields.cpm_version, 'V4');
  assert.equal(fields.cpm_payment_config, 'Single');
  assert.equal(fields.cpm_page_action, 'Payment');
  assert.equal(fields.cpm_custom, 'order-42');
  assert.equal(fields.cpm_designation, 'Deux billets de concert');
  assert.equal(fields.cpm_error_message, '', 'status-less');
  assert.ok(!/SUCCES|ACCEPTED|REFUSED|FAILED|status/i.test(call.form.toString()), `no status in ${call.form}`);
}

async function checkUntil(f: Flow, code: string) {
  for (let i = 0; i < 100; i++) {
    const r = await check(f.c, { transaction_id: f.body.transaction_id });
    if (r.body.code === code) return r.body;
    await sleep(50);
  }
  throw new Error(`check never answered ${code}`);
}

test(
  'Orange Money success (OTP): WAITING with a first notification, wrong OTP retried, then ACCEPTED; ' +
    'notifications retried until HTTP 200',
  async () => {
    const f = await flow('MOBILE_MONEY', [
      { status: 500, body: 'down' },
      { status: 200, body: '' },
    ]);
    try {
      const start = await pageForm(f.token, 'mobile-money', {
        operator: 'ORANGE',
        phone_prefix: '225',
        phone: TEST_NUMBERS.SUCCESS,
        lang: 'fr',
      });
      assert.equal(start.status, 303);
      const waiting = await check(f.c, { transaction_id: f.body.transaction_id });
      assert.equal(waiting.body.code, '623');
      assert.equal(waiting.body.data.status, 'WAITING_FOR_CUSTOMER');
      assert.equal(waiting.body.data.payment_method, 'OMCIV2');
      assert.match(waiting.body.data.operator_id, /^OM\d{12}\.\d{6}$/);
      // The first notification goes out while the customer confirms; the 500 is retried.
      const first = await f.rx.waitFor(2);
      assertNotification(first[0]!, f, f.c.notifySecret);
      assert.equal(first[1]!.body, first[0]!.body, 'the retry carries the same notification');
      assert.equal(first[0]!.form.get('payment_method'), 'OMCIV2');
      assert.equal(first[0]!.form.get('cel_phone_num'), TEST_NUMBERS.SUCCESS);
      assert.equal(first[0]!.form.get('cpm_phone_prefixe'), '225');
      assert.match((await pageHtml(f.token)).html, /Saisissez le code de confirmation/);
      const wrong = await pageForm(f.token, 'otp', { otp: '000000', lang: 'en' });
      assert.match(wrong.location!, /otp_left=2/);
      assert.match((await pageHtml(f.token, '?lang=en&otp_left=2')).html, /Wrong code\. 2 attempts left/);
      await pageForm(f.token, 'otp', { otp: '123456', lang: 'en' });
      const ok = await check(f.c, { transaction_id: f.body.transaction_id });
      assert.equal(ok.body.code, '00');
      assert.equal(ok.body.message, 'SUCCES');
      assert.equal(ok.body.data.status, 'ACCEPTED');
      assert.equal(ok.body.data.operator_id, waiting.body.data.operator_id);
      assert.match(ok.body.data.payment_date, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      const calls = await f.rx.waitFor(3);
      assertNotification(calls[2]!, f, f.c.notifySecret);
      await sleep(300);
      assert.equal(f.rx.calls.length, 3, 'acknowledged with HTTP 200: nothing more');
      const { rows } = await env.deps.db.query(
        `SELECT d.order_status, d.state, d.format FROM webhook_deliveries d JOIN orders o ON o.id = d.order_id WHERE
      o.pay_code = $1 ORDER BY d.id`,
        [f.token],
      );
      assert.deepEqual(rows, [
        { order_status: 11, state: 'delivered', format: 'cinetpay' },
        { order_status: 14, state: 'delivered', format: 'cinetpay' },
      ]);
      assert.match((await pageHtml(f.token)).html, /Paiement réussi/);
      const { rows: bal } = await env.deps.db.query(
        `SELECT balance FROM ledger_accounts WHERE merchant_id = $1 AND currency = 'XOF'`,
        [String(f.c.merchantId)],
      );
      assert.equal(bal[0].balance, '100', 'the ledger credited the merchant');
    } finally {
      await f.rx.close();
    }
  },
);

test('MTN MoMo insufficient balance (approve on phone): WAITING, then REFUSED 602 INSUFFICIENT_BALANCE', async () => {
  const f = await flow();
  try {
    await pageForm(f.token, 'mobile-money', {
      operator: 'MTN',
      phone_prefix: '+225',
      phone: TEST_NUMBERS.INSUFFICIENT_BALANCE,
    });
    assert.equal((await check(f.c, { token: f.token })).body.code, '623');
    assert.match((await pageHtml(f.token)).html, /Validez sur votre téléphone/);
    env.clock.advance(3);
    const r = await checkUntil(f, '602');
    assert.equal(r.message, 'INSUFFICIENT_BALANCE');
    assert.equal(r.data.status, 'REFUSED');
    assert.equal(r.data.payment_method, 'MOMO');
    const calls = await f.rx.waitFor(2);
    for (const c of calls) assertNotification(c, f, f.c.notifySecret);
    assert.match((await pageHtml(f.token, '?lang=en')).html, /Insufficient balance/);
  } finally {
    await f.rx.close();
  }
});

test('Moov wrong OTP: three wrong codes → REFUSED 600 PAYMENT_FAILED', async () => {
  const f = await flow();
  try {
    await pageForm(f.token, 'mobile-money', { operator: 'MOOV', phone_prefix: '229', phone: TEST_NUMBERS.WRONG_OTP });
    for (let i = 0; i < 3; i++) await pageForm(f.token, 'otp', { otp: '123456' });
    const r = (await check(f.c, { transaction_id: f.body.transaction_id })).body;
    assert.equal(r.code, '600');
    assert.equal(r.data.status, 'REFUSED');
    assert.equal(r.data.payment_method, 'FLOOZ');
    await f.rx.waitFor(2);
  } finally {
    await f.rx.close();
  }
});

test(
  'Wave customer timeout: pending until the confirmation window ends, never reported as failed before; ' +
    'then REFUSED 627',
  async () => {
    const f = await flow();
    try {
      await pageForm(f.token, 'mobile-money', {
        operator: 'WAVE',
        phone_prefix: '221',
        phone: TEST_NUMBERS.CUSTOMER_TIMEOUT,
      });
      env.clock.advance(60);
      const mid = (await check(f.c, { transaction_id: f.body.transaction_id })).body;
      assert.equal(mid.data.status, 'WAITING_FOR_CUSTOMER');
      env.clock.advance(61);
      const r = (await check(f.c, { transaction_id: f.body.transaction_id })).body;
      assert.equal(r.code, '627');
      assert.equal(r.message, 'TRANSACTION_CANCEL');
      assert.equal(r.data.payment_method, 'WAVECI');
      await f.rx.waitFor(2);
    } finally {
      await f.rx.close();
    }
  },
);

test(
  'channels: MOBILE_MONEY-only pages offer no card, CREDIT_CARD-only pages no mobile money; sandbox ' +
    'card outcome → ACCEPTED / REFUSED',
  async () => {
    const mmOnly = await flow('MOBILE_MONEY');
    const cardFields = {
      customer_name: 'K',
      customer_surname: 'A',
      customer_email: 'a@b.ci',
      customer_phone_number: '0700000001',
      customer_address: 'R',
      customer_city: 'Abidjan',
      customer_country: 'CI',
      customer_state: 'CI',
      customer_zip_code: '1',
    };
    try {
      const html = (await pageHtml(mmOnly.token)).html;
      assert.match(html, /id="mobile-money"/);
      assert.doesNotMatch(html, /id="card"/);
      const refused = await pageForm(mmOnly.token, 'card', { outcome: 'pay' });
      assert.equal(refused.status, 400);
      const c = await newMerchant(env, { brand: 'Carte' });
      const body = initBody(c, { channels: 'CREDIT_CARD', ...cardFields });
      const { payment_token } = await created(body);
      const page = (await pageHtml(payment_token, '?lang=en')).html;
      assert.match(page, /id="card"/);
      assert.doesNotMatch(page, /id="mobile-money"/);
      assert.equal(
        (
          await pageForm(payment_token, 'mobile-money', {
            operator: 'ORANGE',
            phone_prefix: '225',
            phone: '0700000001',
          })
        ).status,
        400,
      );
      await pageForm(payment_token, 'card', { outcome: 'pay' });
      const ok = (await check(c, { transaction_id: body.transaction_id })).body;
      assert.equal(ok.code, '00');
      assert.equal(ok.data.payment_method, 'VISAM');
      const body2 = initBody(c, { channels: 'CREDIT_CARD', ...cardFields });
      const second = await created(body2);
      await pageForm(second.payment_token, 'card', { outcome: 'fail' });
      const ko = (await check(c, { transaction_id: body2.transaction_id })).body;
      assert.equal(ko.code, '600');
      assert.equal(ko.data.status, 'REFUSED');
      // An invalid phone number shows the page again with an error, and the order stays pending.
      const bad = await pageForm(mmOnly.token, 'mobile-money', {
        operator: 'ORANGE',
        phone_prefix: '225',
        phone: '12',
      });
      assert.match(bad.location!, /error=phone/);
      assert.equal((await check(mmOnly.c, { transaction_id: mmOnly.body.transaction_id })).body.code, '662');
    } finally {
      await mmOnly.rx.close();
    }
  },
);

test(
  'rotation: a new apikey and notification secret; the old apikey stops working and notifications use ' +
    'the new secret',
  async () => {
    const f = await flow();
    try {
      const before = await check(f.c, { token: f.token });
      assert.equal(before.body.code, '662');
      const res = await fetch(`${env.url}/admin/merchants/${f.c.merchantId}/rotate-cinetpay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.adminToken}` },
      });
      assert.equal(res.status, 200);
      const r = (await res.json()) as { siteId: string; apikey: string; notifySecret: string };
      assert.equal(r.siteId, f.c.siteId);
      assert.notEqual(r.apikey, f.c.apikey);
      assert.equal((await check(f.c, { token: f.token })).body.code, '609', 'old apikey refused');
      const fresh = { ...f.c, apikey: r.apikey, notifySecret: r.notifySecret };
      assert.equal((await check(fresh, { token: f.token })).body.code, '662');
      await pageForm(f.token, 'mobile-money', { operator: 'ORANGE', phone_prefix: '225', phone: TEST_NUMBERS.SUCCESS });
      const [call] = await f.rx.waitFor(1);
      assertNotification(call!, f, r.notifySecret);
      assert.notEqual(
        call!.headers['x-token'],
        xToken(Object.fromEntries(call!.form) as NotificationFields, f.c.notifySecret),
      );
      // The core use-case the CLI calls.
      const again = await rotateCinetpayCredentials(env.deps, String(f.c.merchantId));
      assert.equal((await check(fresh, { token: f.token })).body.code, '609');
      assert.equal((await check({ ...f.c, apikey: again.apikey }, { token: f.token })).body.code, '623');
    } finally {
      await f.rx.close();
    }
  },
);
