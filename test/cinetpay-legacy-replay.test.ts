// Issue 10: CinetPay's own published integrations complete a payment against Tender unchanged. The official
// PHP SDK (cinetpay/cinetpay-php-sdk src/cinetpay.php, up to 1.7.0) and cinetpay-nodejs 1.0.0 speak the legacy
// signature-form API: their requests are replayed here byte for byte (request line with its query, their
// headers, the PHP SDK's NOT url-encoded `key=value&...` body in its field order), then the cash-desk form the
// SDK's getPayButton() prints, the payment on the hosted page, the notification, and checkPayStatus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startTestEnv, newMerchant, webhookReceiver, type TestEnv } from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { xToken, type NotificationFields } from '../src/domain/cinetpay.js';
import { expireDueOrders } from '../src/core/payments.js';
import { SANDBOX_OTP, TEST_NUMBERS } from '../src/rails/mobile-money/index.js';

let env: TestEnv;
let dispatcher: Dispatcher;
before(async () => {
  env = await startTestEnv({ TENDER_WEBHOOK_BACKOFF: '0,1,1' });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await dispatcher.stop();
  await env.close();
});

interface Raw {
  status: number;
  head: string;
  text: string;
}

/** Writes `head` + `body` on a socket and resolves with the first complete answer (content-length framed). */
function rawExchange(head: string, body: Buffer): Promise<Raw> {
  const { port } = new URL(env.url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1');
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer to ${head.split('\r\n')[0]}`));
    }, 20_000);
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const split = got.indexOf('\r\n\r\n');
      if (split < 0) return;
      const h = got.subarray(0, split).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(h)?.[1] ?? Number.NaN);
      if (got.length - split - 4 < length) return;
      clearTimeout(timer);
      s.destroy();
      resolve({
        status: Number(h.split(' ')[1]),
        head: h,
        text: got.subarray(split + 4, split + 4 + length).toString(),
      });
    });
    s.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

/**
 * What the PHP SDK's callCinetpayWsMethod() puts on the wire with PHP's curl: each `$index . '=' . $value . "&"`
 * concatenated, last `&` cut, NOT url-encoded; CURLOPT_HTTP_VERSION 1.1, CURLOPT_ENCODING "" (Accept-Encoding),
 * its two CURLOPT_HTTPHEADER lines; the Host is CinetPay's, which the merchant points at Tender.
 */
function phpSdkPost(path: string, pairs: Array<[string, string]>): Promise<Raw> {
  const body = Buffer.from(pairs.map(([k, v]) => `${k}=${v}`).join('&'), 'utf8');
  const head =
    `POST ${path} HTTP/1.1\r\nHost: api.cinetpay.com\r\nAccept: */*\r\nAccept-Encoding: deflate, gzip, br\r\n` +
    'cache-control: no-cache\r\ncontent-type: application/x-www-form-urlencoded\r\n' +
    `Content-Length: ${body.length}\r\n\r\n`;
  return rawExchange(head, body);
}

/** cinetpay-nodejs checkPayStatus(): axios POST of querystring.stringify({username, password, cpm_trans_id}). */
function nodeLibCheck(apikey: string, siteId: number, transId: string): Promise<Raw> {
  const body = Buffer.from(
    new URLSearchParams({ username: apikey, password: String(siteId), cpm_trans_id: transId }).toString(),
  );
  const head =
    'POST /v1/?method=checkPayStatus HTTP/1.1\r\nAccept: application/json, text/plain, */*\r\n' +
    'Content-Type: application/x-www-form-urlencoded\r\nAccess-Control-Allow-Origin: *\r\n' +
    `User-Agent: axios/0.19.2\r\nContent-Length: ${body.length}\r\nHost: api.cinetpay.com\r\nConnection: close\r\n\r\n`;
  return rawExchange(head, body);
}

interface Cart {
  transId: string;
  amount: string;
  designation: string;
  custom?: string;
  transDate?: string;
  currency?: string;
  version?: 'V1' | 'V2';
}

/** The SDK's getPaySignatureArray(), in its order: cpm_custom only when not empty. */
function signaturePairs(c: MerchantCredentials, cart: Cart, apikey = c.apikey): Array<[string, string]> {
  const pairs: Array<[string, string]> = [
    ['apikey', apikey],
    ['cpm_site_id', c.siteId],
    ['cpm_currency', cart.currency ?? 'XOF'],
    ['cpm_payment_config', 'SINGLE'],
    ['cpm_page_action', 'PAYMENT'],
    ['cpm_version', cart.version ?? 'V2'],
    ['cpm_language', 'fr'],
    ['cpm_trans_date', cart.transDate ?? '20261204204100'],
    ['cpm_trans_id', cart.transId],
    ['cpm_designation', cart.designation],
    ['cpm_amount', cart.amount],
  ];
  if (cart.custom) pairs.push(['cpm_custom', cart.custom]);
  return pairs;
}

async function getSignature(c: MerchantCredentials, cart: Cart, apikey?: string): Promise<unknown> {
  const r = await phpSdkPost(
    `/${(cart.version ?? 'V2').toLowerCase()}/?method=getSignatureByPost`,
    signaturePairs(c, cart, apikey),
  );
  assert.equal(r.status, 200, r.text);
  assert.match(r.head, /\r\ncontent-type: application\/json/i);
  return JSON.parse(r.text);
}

/** getPayStatus(): apikey, cpm_site_id, cpm_trans_id; the body html_entity_decoded, then json_decoded. */
async function payStatus(c: MerchantCredentials, transId: string): Promise<any> {
  const r = await phpSdkPost('/v2/?method=checkPayStatus', [
    ['apikey', c.apikey],
    ['cpm_site_id', c.siteId],
    ['cpm_trans_id', transId],
  ]);
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text);
}

/**
 * The form getPayButton() prints, as the customer's browser posts it to secure.cinetpay.com (url-encoded,
 * from the merchant's page). Returns the status and where it sends the browser.
 */
async function cashDesk(
  fields: Array<[string, string]>,
): Promise<{ status: number; location: string | null; type: string; text: string }> {
  const res = await fetch(`${env.url}/`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://shop.example' },
    body: new URLSearchParams(fields).toString(),
  });
  return {
    status: res.status,
    location: res.headers.get('location'),
    type: res.headers.get('content-type') ?? '',
    text: await res.text(),
  };
}

function payButtonFields(
  c: MerchantCredentials,
  cart: Cart,
  signature: string,
  urls: { notify?: string; ret?: string; cancel?: string },
): Array<[string, string]> {
  const sig = signaturePairs(c, cart).filter(([k]) => k !== 'cpm_custom');
  const out: Array<[string, string]> = [...sig, ['signature', signature]];
  if (cart.custom) out.push(['cpm_custom', cart.custom]);
  if (urls.notify) out.push(['notify_url', urls.notify]);
  if (urls.ret) out.push(['return_url', urls.ret]);
  if (urls.cancel) out.push(['cancel_url', urls.cancel]);
  return out;
}

async function pageForm(path: string, fields: Record<string, string>): Promise<number> {
  const res = await fetch(`${env.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  await res.text();
  return res.status;
}

const TRANSACTION_FIELDS = [
  'cpm_site_id',
  'signature',
  'cpm_amount',
  'cpm_trans_date',
  'cpm_trans_id',
  'cpm_custom',
  'cpm_currency',
  'cpm_payid',
  'cpm_payment_date',
  'cpm_payment_time',
  'cpm_error_message',
  'payment_method',
  'cpm_phone_prefixe',
  'cel_phone_num',
  'cpm_ipn_ack',
  'created_at',
  'updated_at',
  'cpm_result',
  'cpm_trans_status',
  'cpm_designation',
  'buyer_name',
];

/** Signature, cash desk, and the hosted page's URL for a new cart. */
async function openPayment(
  c: MerchantCredentials,
  cart: Cart,
  urls: { notify?: string; ret?: string; cancel?: string } = {},
) {
  const signature = await getSignature(c, cart);
  assert.equal(typeof signature, 'string', JSON.stringify(signature));
  const desk = await cashDesk(payButtonFields(c, cart, signature as string, urls));
  assert.equal(desk.status, 303, desk.text);
  assert.match(desk.location ?? '', /^\/payment\/[^/?]+\?lang=fr$/);
  return { signature: signature as string, page: desk.location!.split('?')[0]! };
}

test(
  "issue 10: the official PHP SDK's requests, byte for byte (un-encoded body), complete a payment: " +
    'getSignatureByPost → cash-desk form → hosted page → notification → checkPayStatus cpm_result 00',
  async () => {
    const c = await newMerchant(env, { brand: 'PHP SDK shop' });
    const rx = await webhookReceiver([{ status: 200, body: '' }]);
    try {
      // The SDK README's own cart: spaces, ':', '@' and '/' travel raw.
      const cart: Cart = {
        transId: '20261204204100',
        amount: '150',
        designation: 'Mon produit de ref: 20261204204100',
        custom: 'payeur@domaine.ci',
      };
      const signature = (await getSignature(c, cart)) as string;
      assert.match(signature, /^[A-Za-z0-9_-]{20,}$/, 'a JSON string, unguessable');
      assert.equal(await getSignature(c, cart), signature, 'the same cart again: the same signature');
      const desk = await cashDesk(
        payButtonFields(c, cart, signature, {
          notify: rx.url,
          ret: 'https://shop.example/return.php',
          cancel: 'https://shop.example/cancel.php',
        }),
      );
      assert.equal(desk.status, 303, desk.text);
      const page = desk.location!.split('?')[0]!;
      const html = await (await fetch(`${env.url}${desk.location}`)).text();
      assert.match(html, /Mon produit de ref: 20261204204100/);
      assert.match(html, /150/);

      const before = await payStatus(c, cart.transId);
      assert.deepEqual(Object.keys(before.transaction).sort(), [...TRANSACTION_FIELDS].sort());
      assert.equal(before.transaction.cpm_result, '662');
      assert.equal(before.transaction.cpm_trans_status, 'WAITING_FOR_CUSTOMER');

      // The customer pays with Orange Money's sandbox success number and the sandbox OTP.
      assert.equal(
        await pageForm(`${page}/mobile-money`, {
          operator: 'ORANGE',
          phone_prefix: '225',
          phone: TEST_NUMBERS.SUCCESS,
          lang: 'fr',
        }),
        303,
      );
      assert.equal(await pageForm(`${page}/otp`, { otp: SANDBOX_OTP, lang: 'fr' }), 303);

      // The notification: what the SDK's notify page reads ($_POST['cpm_trans_id']), x-token verifiable.
      const calls = await rx.waitFor(2);
      for (const call of calls) {
        const f = Object.fromEntries(call.form) as NotificationFields;
        assert.equal(f.cpm_trans_id, cart.transId);
        assert.equal(f.cpm_site_id, c.siteId);
        assert.equal(f.cpm_trans_date, '20261204204100', 'the trans date the signature bound');
        assert.equal(f.signature, signature);
        assert.equal(f.cpm_version, 'V2');
        assert.equal(f.cpm_custom, 'payeur@domaine.ci');
        assert.equal(call.headers['x-token'], xToken(f, c.notifySecret));
      }
      // Back to the merchant: its return page reads $_POST['cpm_trans_id'], so the way back is a form post.
      const paidPage = await fetch(`${env.url}${page}?lang=fr`);
      const paidHtml = await paidPage.text();
      assert.match(paidHtml, /<form method="post" action="https:\/\/shop\.example\/return\.php" id="back-form">/);
      assert.match(paidHtml, new RegExp(`name="cpm_trans_id" value="${cart.transId}"`));
      assert.match(paidHtml, new RegExp(`name="cpm_site_id" value="${c.siteId}"`));
      assert.match(paidPage.headers.get('content-security-policy') ?? '', /form-action 'self' https:\/\/shop\.example/);
      // The notify page's getPayStatus().
      const t = (await payStatus(c, cart.transId)).transaction;
      assert.equal(t.cpm_result, '00');
      assert.equal(t.cpm_trans_status, 'ACCEPTED');
      assert.equal(t.cpm_error_message, 'SUCCES');
      assert.equal(t.cpm_site_id, c.siteId, "getPayStatus throws unless it is the merchant's site");
      assert.equal(t.signature, signature);
      assert.equal(t.cpm_amount, '150', 'the notify page compares it with its own amount');
      assert.equal(t.cpm_currency, 'XOF');
      assert.equal(t.cpm_trans_id, cart.transId);
      assert.equal(t.cpm_trans_date, '20261204204100');
      assert.equal(t.cpm_designation, cart.designation);
      assert.equal(t.cpm_custom, 'payeur@domaine.ci');
      assert.equal(t.payment_method, 'OMCIV2');
      assert.equal(t.cel_phone_num, TEST_NUMBERS.SUCCESS);
      assert.equal(t.cpm_phone_prefixe, '225');
      assert.match(t.cpm_payid, /.+/);
      assert.match(t.cpm_payment_date, /^\d{4}-\d{2}-\d{2}$/);
      assert.match(t.cpm_payment_time, /^\d{2}:\d{2}:\d{2}$/);
      for (const k of TRANSACTION_FIELDS) assert.equal(typeof t[k], 'string', `${k} is a string`);
      // The receiver answered 200: once delivered, the acknowledgement shows.
      const acked = await (async () => {
        for (let i = 0; i < 200; i++) {
          const x = (await payStatus(c, cart.transId)).transaction;
          if (x.cpm_ipn_ack === 'Y') return x;
          await new Promise((r) => setTimeout(r, 50));
        }
        return undefined;
      })();
      assert.ok(acked, 'cpm_ipn_ack turns Y once the notification was acknowledged');

      // isAuthentified(): getSignatureByPost again with the check answer's fields gives the same signature.
      const again = await getSignature(c, {
        transId: t.cpm_trans_id,
        amount: t.cpm_amount,
        designation: t.cpm_designation,
        custom: t.cpm_custom,
        transDate: t.cpm_trans_date,
      });
      assert.equal(again, t.signature);
    } finally {
      await rx.close();
    }
  },
);

test(
  "issue 10: cinetpay-nodejs's checkPayStatus body (username = " + 'apikey, password = site id) reads the payment',
  async () => {
    const c = await newMerchant(env, { brand: 'Node lib shop' });
    const cart: Cart = { transId: 'node-1', amount: '200', designation: 'Abonnement', version: 'V1' };
    const { page } = await openPayment(c, cart);
    const pending = await nodeLibCheck(c.apikey, Number(c.siteId), 'node-1');
    assert.equal(pending.status, 200, pending.text);
    assert.equal(JSON.parse(pending.text).transaction.cpm_trans_status, 'WAITING_FOR_CUSTOMER');
    assert.equal(await pageForm(`${page}/card`, { outcome: 'pay', lang: 'fr' }), 303);
    const paid = JSON.parse((await nodeLibCheck(c.apikey, Number(c.siteId), 'node-1')).text).transaction;
    assert.equal(paid.cpm_result, '00');
    assert.equal(paid.cpm_trans_status, 'ACCEPTED');
    assert.equal(paid.payment_method, 'VISAM');
    const wrong = JSON.parse((await nodeLibCheck(`${c.apikey}x`, Number(c.siteId), 'node-1')).text);
    assert.deepEqual(wrong.status.code, '609');
  },
);

test(
  'issue 10: checkPayStatus reports refused and expired payments ' + 'with their codes, never as paid or pending',
  async () => {
    const c = await newMerchant(env, { brand: 'Refusals' });
    const refused = await openPayment(
      c,
      { transId: 'r-1', amount: '100', designation: 'Refused' },
      { ret: 'https://shop.example/return.php', cancel: 'https://shop.example/cancel.php' },
    );
    assert.equal(await pageForm(`${refused.page}/card`, { outcome: 'fail', lang: 'fr' }), 303);
    const failedHtml = await (await fetch(`${env.url}${refused.page}`)).text();
    assert.match(
      failedHtml,
      /action="https:\/\/shop\.example\/cancel\.php" id="back-form"/,
      'a failure goes to cancel_url',
    );
    const r = (await payStatus(c, 'r-1')).transaction;
    assert.equal(r.cpm_trans_status, 'REFUSED');
    assert.equal(r.cpm_result, '600');
    assert.equal(r.cpm_error_message, 'PAYMENT_FAILED');
    assert.match(r.cpm_payment_date, /^\d{4}-\d{2}-\d{2}$/);

    // Insufficient balance on mobile money: 602.
    const poor = await openPayment(c, { transId: 'r-2', amount: '100', designation: 'Poor' });
    await pageForm(`${poor.page}/mobile-money`, {
      operator: 'ORANGE',
      phone_prefix: '225',
      phone: TEST_NUMBERS.INSUFFICIENT_BALANCE,
      lang: 'fr',
    });
    await pageForm(`${poor.page}/otp`, { otp: SANDBOX_OTP, lang: 'fr' });
    const p = (await payStatus(c, 'r-2')).transaction;
    assert.equal(p.cpm_trans_status, 'REFUSED');
    assert.equal(p.cpm_result, '602');

    // Never paid, the order's time runs out: cancelled (627).
    await openPayment(c, { transId: 'r-3', amount: '100', designation: 'Expired' });
    env.clock.advance(env.deps.config.orderTtlSeconds + 60);
    try {
      await expireDueOrders(env.deps);
    } finally {
      env.clock.advance(-(env.deps.config.orderTtlSeconds + 60));
    }
    const e = (await payStatus(c, 'r-3')).transaction;
    assert.equal(e.cpm_trans_status, 'REFUSED');
    assert.equal(e.cpm_result, '627');
    assert.equal(e.cpm_error_message, 'TRANSACTION_CANCEL');
  },
);

test(
  'issue 10: a tampered cash-desk form is refused (other ' + 'amount, other signature, unknown transaction)',
  async () => {
    const c = await newMerchant(env, { brand: 'Tamper' });
    const cart: Cart = { transId: 't-1', amount: '1000', designation: 'Sac' };
    const signature = (await getSignature(c, cart)) as string;
    const cheaper = await cashDesk(payButtonFields(c, { ...cart, amount: '100' }, signature, {}));
    assert.equal(cheaper.status, 403);
    assert.match(cheaper.type, /^text\/html/, "the customer's browser gets a page");
    const otherText = await cashDesk(payButtonFields(c, { ...cart, designation: 'Sac (soldes)' }, signature, {}));
    assert.equal(otherText.status, 403);
    const forged = await cashDesk(payButtonFields(c, cart, `${signature.slice(0, -1)}A`, {}));
    assert.equal(forged.status, 403);
    const unknown = await cashDesk(payButtonFields(c, { ...cart, transId: 't-404' }, signature, {}));
    assert.equal(unknown.status, 403);
    // Another merchant's site cannot open this payment with its own apikey.
    const other = await newMerchant(env, { brand: 'Other' });
    const crossed = await cashDesk(payButtonFields({ ...other, siteId: c.siteId }, cart, signature, {}));
    assert.equal(crossed.status, 400);
    // Nothing was changed by the refused forms: the genuine one still opens it.
    const good = await cashDesk(payButtonFields(c, cart, signature, { ret: 'https://shop.example/ok' }));
    assert.equal(good.status, 303, good.text);
    // Its addresses are set once: a form replayed with another notify_url is refused.
    const redirected = await cashDesk(
      payButtonFields(c, cart, signature, { ret: 'https://shop.example/ok', notify: 'http://127.0.0.1:9/steal' }),
    );
    assert.equal(redirected.status, 403);
    const same = await cashDesk(payButtonFields(c, cart, signature, { ret: 'https://shop.example/ok' }));
    assert.equal(same.status, 303, 'the same form again (a reload) opens the page');
    // return_url and cancel_url follow the redirect rules: only the merchant's registered hosts.
    const c2 = await newMerchant(env, { brand: 'Redirects' });
    const cart2: Cart = { transId: 't-2', amount: '100', designation: 'x' };
    const sig2 = (await getSignature(c2, cart2)) as string;
    const evil = await cashDesk(payButtonFields(c2, cart2, sig2, { ret: 'https://evil.example/phish' }));
    assert.equal(evil.status, 403);
    const evilCancel = await cashDesk(payButtonFields(c2, cart2, sig2, { cancel: 'https://evil.example/c' }));
    assert.equal(evilCancel.status, 403);
  },
);

test(
  'issue 10: getSignatureByPost is idempotent per site and cpm_trans_id: other fields → TRANSACTION_EXIST; ' +
    'bad apikey 609, bad site 613, missing fields 608, unknown method, all in the legacy envelope',
  async () => {
    const c = await newMerchant(env, { brand: 'Idempotency' });
    const cart: Cart = { transId: 'i-1', amount: '500', designation: 'Livre' };
    const sig = await getSignature(c, cart);
    assert.equal(await getSignature(c, cart), sig);
    assert.deepEqual(await getSignature(c, { ...cart, amount: '505' }), {
      status: {
        code: '624',
        message: 'TRANSACTION_EXIST',
        description: 'cpm_trans_id was already used with different fields',
      },
    });
    // The same cpm_trans_id on another site of another merchant is another payment.
    const other = await newMerchant(env, { brand: 'Other site' });
    const otherSig = await getSignature(other, cart);
    assert.equal(typeof otherSig, 'string');
    assert.notEqual(otherSig, sig);
    // A v2 initialisation cannot take over a legacy transaction id.
    const v2 = await fetch(`${env.url}/v2/payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apikey: c.apikey,
        site_id: c.siteId,
        transaction_id: 'i-1',
        amount: 500,
        currency: 'XOF',
        description: 'Livre',
        notify_url: 'https://shop.example/n',
        return_url: 'https://shop.example/r',
      }),
    });
    assert.equal(((await v2.json()) as any).message, 'TRANSACTION_EXIST');

    const refusal = (x: any) => `${x.status?.code} ${x.status?.message}`;
    assert.equal(refusal(await getSignature(c, cart, 'not-a-key')), '609 AUTH_NOT_FOUND');
    assert.equal(refusal(await getSignature({ ...c, siteId: '999' }, cart)), '613 ERROR_SITE_ID_NOTVALID');
    assert.equal(
      refusal(await getSignature(c, { ...cart, transId: 'i-2', amount: '' })),
      '608 MINIMUM_REQUIRED_FIELDS',
    );
    assert.equal(refusal(await getSignature(c, { ...cart, transId: 'i-3', amount: '10' })), '624 ERROR_AMOUNT_TOO_LOW');
    assert.equal(
      refusal(await getSignature(c, { ...cart, transId: 'i-4', amount: '101' })),
      '624 ERROR_AMOUNT_MULTIPLE_OF_5',
    );
    assert.equal(
      refusal(await getSignature(c, { ...cart, transId: 'i-5', currency: 'EUR' })),
      '624 ERROR_CURRENCY_NOTVALID',
    );
    // "CFA" (the Node library's default) is XOF.
    assert.equal(typeof (await getSignature(c, { ...cart, transId: 'i-6', currency: 'CFA' })), 'string');
    assert.equal((await payStatus(c, 'i-6')).transaction.cpm_currency, 'XOF');
    assert.equal(refusal(await payStatus(c, 'nope')), '404 TRANSACTION_NOT_FOUND');

    const unknown = await phpSdkPost('/v1/?method=getTransHistory', [['apikey', c.apikey]]);
    assert.equal(unknown.status, 200);
    assert.match(JSON.parse(unknown.text).status.description, /getTransHistory is not served/);
    const none = await phpSdkPost('/v1/', [['apikey', c.apikey]]);
    assert.equal(JSON.parse(none.text).status.code, '624');
    // Fastify's own refusals (no route) in the same envelope.
    const get = await fetch(`${env.url}/v1/?method=checkPayStatus`);
    assert.equal(get.status, 404);
    assert.equal(((await get.json()) as any).status.message, 'TRANSACTION_NOT_FOUND');
  },
);

test(
  'issue 10: un-encoded bodies are read leniently; control ' + 'characters are refused in the envelope, never a 5xx',
  async () => {
    const c = await newMerchant(env, { brand: 'Raw bodies' });
    // A raw '&' followed by a blank stays in the value; '+' and '%' are literal in a raw body.
    const cart: Cart = { transId: 'raw-1', amount: '100', designation: 'Pain & beurre + 10% de remise' };
    assert.equal(typeof (await getSignature(c, cart)), 'string');
    assert.equal((await payStatus(c, 'raw-1')).transaction.cpm_designation, 'Pain & beurre + 10% de remise');
    // The PHP SDK's file_get_contents fallback url-encodes (http_build_query): the same cart, the same signature.
    const encoded = await rawExchange(
      'POST /v2/?method=getSignatureByPost HTTP/1.1\r\nHost: api.cinetpay.com\r\n' +
        'Content-Type: application/x-www-form-urlencoded\r\n' +
        `Content-Length: ${Buffer.byteLength(new URLSearchParams(signaturePairs(c, cart)).toString())}\r\n\r\n`,
      Buffer.from(new URLSearchParams(signaturePairs(c, cart)).toString()),
    );
    assert.equal(JSON.parse(encoded.text), await getSignature(c, cart));
    for (const bad of ['Pain\u0000', 'Pain\u001b[31m', '\uFFFE']) {
      const r = await phpSdkPost('/v2/?method=getSignatureByPost', signaturePairs(c, { ...cart, designation: bad }));
      assert.equal(r.status, 200, r.text);
      assert.equal(JSON.parse(r.text).status.code, '624', r.text);
    }
    const garbage = await phpSdkPost('/v2/?method=checkPayStatus', [['%%%', '\u00ff=&&==']]);
    assert.ok(garbage.status < 500, garbage.text);
    assert.equal(JSON.parse(garbage.text).status.code, '608');
    // No Content-Type at all, or another one: still a form.
    for (const type of ['', 'Content-Type: text/plain\r\n', 'Content-Type: application/json\r\n']) {
      const body = Buffer.from(
        signaturePairs(c, cart)
          .map(([k, v]) => `${k}=${v}`)
          .join('&'),
      );
      const r = await rawExchange(
        `POST /v1/?method=getSignatureByPost HTTP/1.1\r\nHost: api.cinetpay.com\r\n${type}` +
          `Content-Length: ${body.length}\r\n\r\n`,
        body,
      );
      assert.equal(r.status, 200, r.text);
      assert.equal(JSON.parse(r.text), await getSignature(c, cart), type);
    }
    // An empty body.
    const empty = await phpSdkPost('/v2/?method=getSignatureByPost', []);
    assert.equal(JSON.parse(empty.text).status.code, '608');
  },
);

/** Runs PHP's own HTTP client (the SDK's path when the curl extension is missing, as here). */
function php(script: string, args: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cinetpay-php-'));
  const file = join(dir, 'client.php');
  writeFileSync(file, script);
  return new Promise((resolve, reject) =>
    execFile('php', [file, ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

// Our own script, doing what the SDK does without curl: http_build_query + stream_context_create + file_get_contents,
// then json_decode; and the curl path's un-encoded body sent through the same stream wrapper.
const PHP_CLIENT = `<?php
[$_, $base, $apikey, $site] = $argv;
function call($url, $content) {
  $ctx = stream_context_create(['http' => ['method' => 'POST', 'content' => $content,
    'header' => "Content-Type: application/x-www-form-urlencoded\\r\\n"
      . "Content-Length: " . strlen($content) . "\\r\\n"]]);
  return trim(file_get_contents($url, false, $ctx));
}
$cart = ['apikey' => $apikey, 'cpm_site_id' => $site, 'cpm_currency' => 'XOF', 'cpm_payment_config' => 'SINGLE',
  'cpm_page_action' => 'PAYMENT', 'cpm_version' => 'V1', 'cpm_language' => 'fr', 'cpm_trans_date' => date('YmdHis'),
  'cpm_trans_id' => 'php-' . $site, 'cpm_designation' => 'Mon produit de ref: été', 'cpm_amount' => 150,
  'cpm_custom' => 'payeur@domaine.ci'];
$sig = json_decode(call("$base/v1/?method=getSignatureByPost", http_build_query($cart)), true);
$raw = ''; foreach ($cart as $k => $v) { $raw .= $k . '=' . $v . '&'; }
$sig2 = json_decode(call("$base/v1/?method=getSignatureByPost", substr($raw, 0, -1)), true);
$status = json_decode(html_entity_decode(call("$base/v1/?method=checkPayStatus",
  http_build_query(['apikey' => $apikey, 'cpm_site_id' => $site, 'cpm_trans_id' => 'php-' . $site]))), true);
$bad = json_decode(call("$base/v1/?method=getSignatureByPost", http_build_query(['apikey' => 'x'] + $cart)), true);
echo json_encode(['sig' => $sig, 'sig2' => $sig2, 'status' => $status, 'bad' => $bad]);
`;

test(
  "issue 10: PHP's own HTTP client (the SDK's file_get_contents " + 'path) gets a signature and reads the status',
  async () => {
    const c = await newMerchant(env, { brand: 'PHP client' });
    const out = JSON.parse(await php(PHP_CLIENT, [env.url, c.apikey, c.siteId]));
    assert.equal(typeof out.sig, 'string', JSON.stringify(out));
    assert.equal(out.sig2, out.sig, 'the un-encoded body of the curl path is the same cart');
    assert.equal(out.status.transaction.cpm_site_id, c.siteId);
    assert.equal(out.status.transaction.cpm_designation, 'Mon produit de ref: été');
    assert.equal(out.status.transaction.cpm_trans_status, 'WAITING_FOR_CUSTOMER');
    assert.equal(out.status.transaction.signature, out.sig);
    assert.deepEqual(out.bad.status.code, '609', 'a refusal reaches the SDK (HTTP 200), so it can show the code');
  },
);

test(
  'issue 10: a database outage is 503 SERVICE_UNAVAILABLE in ' + 'the legacy envelope (a page at the cash desk)',
  async () => {
    const c = await newMerchant(env, { brand: 'Outage' });
    const cart: Cart = { transId: 'o-1', amount: '100', designation: 'x' };
    const signature = (await getSignature(c, cart)) as string;
    const db = env.deps.db as unknown as { query: (...a: unknown[]) => Promise<unknown> };
    const query = db.query;
    db.query = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    };
    try {
      const sig = await phpSdkPost('/v2/?method=getSignatureByPost', signaturePairs(c, cart));
      assert.equal(sig.status, 503, sig.text);
      assert.deepEqual(JSON.parse(sig.text).status.code, '503');
      const status = await phpSdkPost('/v1/?method=checkPayStatus', [
        ['apikey', c.apikey],
        ['cpm_site_id', c.siteId],
        ['cpm_trans_id', 'o-1'],
      ]);
      assert.equal(status.status, 503, status.text);
      const desk = await cashDesk(payButtonFields(c, cart, signature, {}));
      assert.equal(desk.status, 503);
      assert.match(desk.type, /^text\/html/);
    } finally {
      db.query = query;
    }
    assert.equal((await payStatus(c, 'o-1')).transaction.cpm_trans_status, 'WAITING_FOR_CUSTOMER');
  },
);

test('issue 10: concurrent identical getSignatureByPost calls make one order and one signature', async () => {
  const c = await newMerchant(env, { brand: 'Race' });
  const cart: Cart = { transId: 'race-1', amount: '100', designation: 'Course' };
  const sigs = await Promise.all(Array.from({ length: 8 }, () => getSignature(c, cart)));
  assert.equal(new Set(sigs).size, 1, JSON.stringify(sigs));
  assert.equal(typeof sigs[0], 'string');
  const { rows } = await env.deps.db.query(
    `SELECT count(*)::int AS n FROM orders o JOIN cinetpay_legacy_orders l ON l.order_id = o.id
      WHERE o.merchant_trade_no = $1`,
    [`cp:${c.siteId}:race-1`],
  );
  assert.equal(rows[0].n, 1);
});
