// Issue 13: card pay-ins over real HTTP and PostgreSQL: createOrderByCreditCard (§14), pwpp v1 (form) and v2
// (JSON) with every test card and every refusal, idempotency and a 20-way race, stored cards, the reserve and the
// ledger, webhooks, getOrderDetail, the sandbox helpers, and no card number or CVV in any log, row or answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { signParams } from '../src/domain/signature.js';
import { countAuths } from '../src/store/sandbox-card-repo.js';
import { type TestEnv, signed, startTestEnv, postForm } from './harness.js';
import {
  CARD,
  TEST_CVV,
  balances,
  byCardParams,
  cardMerchant,
  createByCard,
  ledgerBroken,
  orderDetail,
  pwppParams,
  pwppV1,
  pwppV2,
} from './card-helpers.js';

let env: TestEnv;
let m: MerchantCredentials;
const logs: string[] = [];
const answers: string[] = [];

before(async () => {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  env = await startTestEnv({}, { log: pino({ level: 'debug' }, sink) });
  m = await cardMerchant(env, ['card-user-1', 'card-user-2']);
});
after(() => env.close());

const keep = <T>(body: T): T => {
  answers.push(JSON.stringify(body));
  return body;
};
const v1 = async (over: Record<string, string> = {}, who = m) => keep(await pwppV1(env, who, over));
const v2 = async (over: Record<string, string> = {}, who = m) => keep(await pwppV2(env, who, over));

test(
  'issue 13: createOrderByCreditCard answers a signed order with orderStatus "0" as a ' +
    'string and the hosted card page',
  async () => {
    const p = byCardParams(m, { successURL: 'https://shop.example/ok', failURL: 'https://shop.example/ko' });
    const r = keep((await postForm(`${env.url}/openapi/v1/createOrderByCreditCard`, signed(p, m.securityKey))).body);
    assert.equal(r.code, 0, JSON.stringify(r));
    assert.equal(r.data.orderStatus, '0');
    assert.equal(r.data.status, '0');
    assert.equal(r.data.merchantId, m.merchantId);
    assert.equal(r.data.orderAmount, '25.00');
    assert.equal(r.data.receivedAmount, '0.00');
    assert.equal(r.data.orderCurrency, 'USD');
    assert.match(r.data.cashierURL, /\/pay\/[A-Za-z0-9_-]+$/);
    const { sign, ...rest } = r.data;
    const text = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)]));
    assert.equal(sign, signParams(text, m.securityKey), 'the answer is signed with the merchant key');
    // The cashierURL leads to the card page.
    const page = await fetch(r.data.cashierURL, { redirect: 'manual' });
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location') ?? '', /\/card$/);
    // An identical retry answers the same order; other fields are a duplicate.
    const again = (await postForm(`${env.url}/openapi/v1/createOrderByCreditCard`, signed(p, m.securityKey))).body;
    assert.equal(again.data.orderId, r.data.orderId);
    const other = await createByCard(env, m, { merchantTradeNo: p.merchantTradeNo!, amount: '26.00' });
    assert.equal(other.code, 20001);
  },
);

test('issue 13: createOrderByCreditCard refuses each malformed field with its own code', async () => {
  const cases: Array<[Record<string, string>, number]> = [
    [{ currency: 'GBP' }, 10013],
    [{ amount: '1.234' }, 10011],
    [{ amount: '0' }, 10044],
    [{ products: 'not json' }, 10131],
    [{ products: '{"a":1}' }, 10131],
    [{ products: '' }, 10010],
    [{ country: 'QQ' }, 10128],
    [{ country: 'CN' }, 10127],
    [{ email: 'nobody' }, 10130],
    [{ ip: '999.1.1.1' }, 10129],
    [{ lanuage: 'de-DE' }, 10011],
    [{ userId: '' }, 10010],
  ];
  for (const [over, code] of cases) {
    const r = keep(await createByCard(env, m, over));
    assert.equal(r.code, code, `${JSON.stringify(over)} → ${JSON.stringify(r)}`);
    assert.equal(r.data, null);
  }
});

test(
  'issue 13: pwpp v1, an approving card: 14 at once, the success page in pageData, ' + 'money booked, webhook queued',
  async () => {
    const r = await v1({ successURL: 'https://shop.example/ok' });
    assert.equal(r.code, 0, JSON.stringify(r));
    assert.equal(r.data.orderStatus, 14);
    assert.equal(r.data.redirectURL, '');
    assert.match(r.data.pageData, new RegExp(`shop\\.example/ok\\?txnRef=${r.data.orderId}`));
    const rows = await env.deps.db.query('SELECT state, card_bin, card_last4 FROM card_payments WHERE order_id = $1', [
      r.data.orderId,
    ]);
    assert.deepEqual(rows.rows[0], { state: 'captured', card_bin: '424242', card_last4: '4242' });
    const hooks = await env.deps.db.query('SELECT order_status FROM webhook_deliveries WHERE order_id = $1', [
      r.data.orderId,
    ]);
    assert.deepEqual(
      hooks.rows.map((h) => h.order_status),
      [14],
    );
  },
);

test(
  'issue 13: pwpp with each declining test card: v1 90751015 with empty strings, v2 ' +
    '90751019 with data null; the order is closed (15), found by getOrderDetail, with its webhook',
  async () => {
    const declines: Array<[string, string]> = [
      [CARD.insufficient, 'insufficient_funds'],
      [CARD.stolen, 'stolen_card'],
      [CARD.expired, 'expired_card'],
      [CARD.declined, 'do_not_honour'],
      [CARD.timeout, 'acquirer_timeout'],
    ];
    for (const [i, [number, reason]] of declines.entries()) {
      const tradeNo1 = `dec1-${i}-${Date.now()}`;
      const r1 = await v1({ cardNumber: number, merchantTradeNo: tradeNo1 });
      assert.equal(r1.code, 90751015, JSON.stringify(r1));
      assert.equal(r1.msg, `pay fail: ${reason}`);
      assert.deepEqual(r1.data, { orderId: '', pageData: '', ccStorageID: '' });
      const d = await orderDetail(env, m, tradeNo1);
      assert.equal(d.orderStatus, 15);
      assert.equal(d.remark, reason);
      assert.equal(d.receivedAmount, '0.00');
      const hooks = await env.deps.db.query('SELECT order_status FROM webhook_deliveries WHERE order_id = $1', [
        d.orderId,
      ]);
      assert.deepEqual(
        hooks.rows.map((h) => h.order_status),
        [15],
      );
      const tradeNo2 = `dec2-${i}-${Date.now()}`;
      const r2 = await v2({ cardNumber: number, merchantTradeNo: tradeNo2 });
      assert.equal(r2.code, 90751019, JSON.stringify(r2));
      assert.equal(r2.msg, `create order fail: pay fail: ${reason}`);
      assert.equal(r2.data, null);
      assert.equal((await orderDetail(env, m, tradeNo2)).orderStatus, 15);
      // A retry of a declined request answers the same failure, with no second order.
      assert.equal((await v1({ cardNumber: number, merchantTradeNo: tradeNo1 })).code, 90751015);
    }
    const closed = await env.deps.db.query(
      `SELECT count(*)::int AS n FROM journal_entries j JOIN orders o ON o.id = j.order_id WHERE o.status = 15`,
    );
    assert.equal(closed.rows[0].n, 0, 'on 15 nothing moves');
  },
);

test(
  'issue 13: a challenge card answers 11 with pageData (payChannel1/2, payChannel3 ' +
    'txMode 2) or redirectURL (payChannel4, payChannel3 txMode 1)',
  async () => {
    const page = await v1({ cardNumber: CARD.challenge, payChannel: 'payChannel1', country: 'FR' });
    assert.equal(page.code, 0, JSON.stringify(page));
    assert.equal(page.data.orderStatus, 11);
    assert.equal(page.data.redirectURL, '');
    assert.match(page.data.pageData, /<form id="tender-3ds" method="post" action="[^"]+\/sandbox-acs\/ch_/);
    const redirect = await v2({ cardNumber: CARD.challengeMaster, payChannel: 'payChannel4', country: 'FR' });
    assert.equal(redirect.data.orderStatus, 11);
    assert.equal(redirect.data.pageData, '');
    assert.match(redirect.data.redirectURL, /\/sandbox-acs\/ch_/);
    const brl1 = await v1({
      cardNumber: CARD.challenge,
      payChannel: 'payChannel3',
      txMode: '1',
      country: 'BR',
      currency: 'BRL',
    });
    assert.match(brl1.data.redirectURL, /sandbox-acs/);
    const brl2 = await v1({
      cardNumber: CARD.challenge,
      payChannel: 'payChannel3',
      txMode: '2',
      country: 'BR',
      currency: 'BRL',
    });
    assert.match(brl2.data.pageData, /sandbox-acs/);
    const headers = {
      payChannel: 'payChannel2',
      clientHTTPAccept: 'text%2Fhtml',
      clientHTTPUserAgent: 'Mozilla%2F5.0',
    };
    const ch2 = await v2({ cardNumber: CARD.challenge, ...headers });
    assert.equal(ch2.data.orderStatus, 11);
    // cpay-legacy merchants hear about 11; the default cpay format only about 14 and 15 (the outbox decides).
    const d = await orderDetail(
      env,
      m,
      (await env.deps.db.query('SELECT merchant_trade_no FROM orders WHERE id = $1', [page.data.orderId])).rows[0]
        .merchant_trade_no,
    );
    assert.equal(d.orderStatus, 11);
    assert.equal(d.remark, '3DS pending');
  },
);

test(
  'issue 13: webhooks of card orders: cpay-legacy merchants hear 11 (3DS pending) then 15; ' +
    'both formats through the outbox',
  async () => {
    const legacy = await cardMerchant(env, ['card-user-1']);
    await env.deps.db.query("UPDATE merchants SET webhook_format = 'cpay-legacy' WHERE id = $1", [legacy.merchantId]);
    const r = await v1({ cardNumber: CARD.challenge, payChannel: 'payChannel1' }, legacy);
    assert.equal(r.data.orderStatus, 11);
    const settle = await fetch(`${env.url}/sandbox/orders/${r.data.orderId}/fail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.adminToken}` },
    });
    assert.equal(((await settle.json()) as { code: number }).code, 0);
    const hooks = await env.deps.db.query(
      'SELECT order_status, format FROM webhook_deliveries WHERE order_id = $1 ORDER BY id',
      [r.data.orderId],
    );
    assert.deepEqual(hooks.rows, [
      { order_status: 11, format: 'cpay-legacy' },
      { order_status: 15, format: 'cpay-legacy' },
    ]);
  },
);

test(
  'issue 13: amounts: v1 rounds down (1.528 → 1.52), v2 rounds half-up (1.528 → 1.53; 19.011 ' + '→ 19.01)',
  async () => {
    const a = await v1({ amount: '1.528' });
    const b = await v2({ amount: '1.528' });
    const c = await v2({ amount: '19.011' });
    const amountOf = async (id: string) =>
      (await env.deps.db.query('SELECT amount::text FROM orders WHERE id = $1', [id])).rows[0].amount;
    assert.equal(await amountOf(a.data.orderId), '152');
    assert.equal(await amountOf(b.data.orderId), '153');
    assert.equal(await amountOf(c.data.orderId), '1901');
    assert.equal((await v1({ amount: '0.004' })).code, 10044, 'nothing left after rounding');
  },
);

test(
  'issue 13: pwpp refuses each malformed or disallowed field with its own code, before ' + 'any order exists',
  async () => {
    const before = (await env.deps.db.query('SELECT count(*)::int AS n FROM orders')).rows[0].n;
    const cases: Array<[Record<string, string>, number]> = [
      [{ cardNumber: '' }, 10010],
      [{ cardNumber: '4242424242424241' }, 10120],
      [{ cardNumber: '4242 4242 4242 4242' }, 10120],
      [{ expDate: '2039-12' }, 10121],
      [{ expDate: '13/39' }, 10121],
      [{ expDate: '01/20' }, 10122],
      [{ cvv: '12' }, 10123],
      [{ cvv: 'abc' }, 10123],
      [{ cardNumber: '6011111111111117' }, 10124],
      [{ payChannel: 'payChannel9' }, 10125],
      [{ payChannel: 'payChannel1', currency: 'BRL' }, 10126],
      [{ payChannel: 'payChannel3', currency: 'EUR' }, 10126],
      [{ payChannel: 'payChannel1', country: 'US' }, 10127],
      [{ payChannel: 'payChannel1', country: 'US', cardNumber: CARD.approveMaster }, 10127],
      [{ payChannel: 'payChannel4', country: 'CN' }, 10127],
      [{ payChannel: 'payChannel3', country: 'ES', currency: 'BRL' }, 10127],
      [{ country: 'QQ' }, 10128],
      [{ ip: '2001:db8::1' }, 10129],
      [{ email: 'joe@' }, 10130],
      [{ products: '[1,2]' }, 10131],
      [{ txMode: '1' }, 10132],
      [{ payChannel: 'payChannel3', currency: 'BRL', country: 'BR', txMode: '3' }, 10132],
      [{ storeCc: '2' }, 10133],
      [{ ccStorageID: 'cc_nope', cardNumber: '' }, 10135],
      [{ userId: 'no-kyc-user' }, 10110],
      [{ payChannel: 'payChannel2' }, 10137],
      [{ city: 'Dubai 9' }, 10138],
      [{ zip: 'zip#1' }, 10138],
      [{ mobile: '+34 644' }, 10138],
      [{ addressLine: 'a<b' }, 10138],
      [{ firstName: 'A'.repeat(21) }, 10011],
      [{ lastName: '' }, 10010],
      [{ currency: 'GBP' }, 10013],
      [{ amount: '1e3' }, 10011],
      [{ createTime: '' }, 10010],
      [{ successURL: 'https://evil.example/x' }, 10020],
      [{ retURL: 'https://evil.example/x' }, 10020],
    ];
    for (const [over, code] of cases) {
      const r = await v1(over);
      assert.equal(r.code, code, `${JSON.stringify(over)} → ${JSON.stringify(r)}`);
      assert.equal(r.data, null);
      assert.equal((await v2(over)).code, code, `v2 ${JSON.stringify(over)}`);
    }
    assert.equal((await env.deps.db.query('SELECT count(*)::int AS n FROM orders')).rows[0].n, before);
  },
);

test(
  'issue 13: pwpp is idempotent on merchantTradeNo: a replay answers the same; other ' +
    'fields are 20001; 20 concurrent identical calls make one order and one authorisation',
  async () => {
    const p = { merchantTradeNo: `idem-${Date.now()}`, cardNumber: CARD.challenge, payChannel: 'payChannel1' };
    const first = await v1(p);
    const again = await v1(p);
    assert.deepEqual(again.data, first.data);
    assert.equal((await v1({ ...p, amount: '20.00' })).code, 20001);
    // The race: one request body, sent 20 times at once.
    const body = signed(pwppParams(m, { merchantTradeNo: `race-${Date.now()}` }), m.securityKey);
    const all = await Promise.all(
      Array.from({ length: 20 }, () => postForm(`${env.url}/openapi/v1/pwpp`, body).then((r) => keep(r.body))),
    );
    const ok = all.filter((r) => r.code === 0);
    assert.ok(ok.length >= 1, JSON.stringify(all.filter((r) => r.code !== 0)));
    for (const r of all) assert.ok(r.code === 0 || r.code === 30001, JSON.stringify(r));
    assert.equal(new Set(ok.map((r) => r.data.orderId)).size, 1);
    const orders = await env.deps.db.query('SELECT id, status FROM orders WHERE merchant_trade_no = $1', [
      body.merchantTradeNo,
    ]);
    assert.equal(orders.rows.length, 1);
    assert.equal(orders.rows[0].status, 14);
    assert.equal(await countAuths(env.deps.db, orders.rows[0].id), 1);
    const entries = await env.deps.db.query('SELECT count(*)::int AS n FROM journal_entries WHERE order_id = $1', [
      orders.rows[0].id,
    ]);
    assert.equal(entries.rows[0].n, 1);
  },
);

test(
  'issue 13: stored cards: storeCc=1 answers a ccStorageID; a later pwpp with it and no ' +
    'card data pays; the vault holds only a sealed number, BIN and last four',
  async () => {
    const first = await v2({ storeCc: '1', cardNumber: CARD.approveMaster });
    assert.equal(first.code, 0, JSON.stringify(first));
    const id = first.data.ccStorageID;
    assert.match(id, /^cc_/);
    const again = await v1({ storeCc: '1', cardNumber: CARD.approveMaster });
    assert.equal(again.data.ccStorageID, id, 'the same card of the same user is stored once');
    const paid = await v1({ ccStorageID: id, cardNumber: '', cvv: '', expDate: '', amount: '5.00' });
    assert.equal(paid.code, 0, JSON.stringify(paid));
    assert.equal(paid.data.orderStatus, 14);
    assert.equal(paid.data.ccStorageID, id);
    const row = (await env.deps.db.query('SELECT * FROM card_vault WHERE id = $1', [id])).rows[0];
    assert.equal(row.bin, '555555');
    assert.equal(row.last4, '4444');
    assert.ok(!JSON.stringify(row).includes(CARD.approveMaster));
    assert.throws(() => env.deps.box.open(row.pan_sealed), 'the master key does not open the vault');
    assert.equal(env.deps.vault!.open(row.pan_sealed).reveal(), CARD.approveMaster);
    // Another user of the same merchant cannot use it.
    const other = await v1({ ccStorageID: id, cardNumber: '', userId: 'card-user-2' });
    assert.equal(other.code, 10135);
    // A challenge card stored while its 3-D Secure step is pending still answers its id (the reference's example 2).
    const pending = await v2({ storeCc: '1', cardNumber: CARD.challenge, payChannel: 'payChannel4' });
    assert.equal(pending.data.orderStatus, 11);
    assert.match(pending.data.ccStorageID, /^cc_/);
    // Storage off for the merchant: refused.
    await env.deps.db.query(
      `INSERT INTO card_settings (merchant_id, storage_enabled, updated_at) VALUES ($1, false, now())
     ON CONFLICT (merchant_id) DO UPDATE SET storage_enabled = false`,
      [m.merchantId],
    );
    assert.equal((await v1({ storeCc: '1' })).code, 10134);
    assert.equal((await v1({ ccStorageID: id, cardNumber: '' })).code, 10134);
    await env.deps.db.query('UPDATE card_settings SET storage_enabled = NULL WHERE merchant_id = $1', [m.merchantId]);
  },
);

test(
  'issue 13: money on 14: orderAmount = receivedAmount + serviceFee, the reserve frozen ' +
    'in the same entry with its release row; balances and getOrderDetail agree',
  async () => {
    const mm = await cardMerchant(env, ['card-user-1']);
    await env.deps.db.query('UPDATE merchants SET fee_bps = 250 WHERE id = $1', [mm.merchantId]);
    await env.deps.db.query(
      'INSERT INTO card_settings (merchant_id, reserve_bps, hold_days, updated_at) VALUES ($1, 1000, 30, now())',
      [mm.merchantId],
    );
    const tradeNo = `money-${Date.now()}`;
    const r = await v1({ merchantTradeNo: tradeNo, amount: '200.00' }, mm);
    assert.equal(r.data.orderStatus, 14);
    const d = await orderDetail(env, mm, tradeNo);
    assert.equal(d.orderAmount, '200.00');
    assert.equal(d.serviceFee, '5.00');
    assert.equal(d.fee, '5.00');
    assert.equal(d.receivedAmount, '195.00');
    assert.equal(d.pledgeAmount, '20.00');
    assert.deepEqual((await balances(env, mm)).USD, { available: '175.00', frozen: '20.00' });
    const reserve = (
      await env.deps.db.query(
        `SELECT amount::text, reserve_bps, release_at - reserved_at AS hold, released_at FROM card_reserves
       WHERE order_id = $1`,
        [r.data.orderId],
      )
    ).rows[0];
    assert.equal(reserve.amount, '2000');
    assert.equal(reserve.reserve_bps, 1000);
    assert.equal(reserve.hold.days, 30);
    assert.equal(reserve.released_at, null);
    // A declined card moves nothing.
    await v1({ cardNumber: CARD.insufficient, amount: '50.00' }, mm);
    assert.deepEqual((await balances(env, mm)).USD, { available: '175.00', frozen: '20.00' });
    assert.deepEqual(await ledgerBroken(env), []);
  },
);

test(
  'issue 13: /sandbox/orders/{id}/complete and /fail settle hosted card orders as card ' +
    'payments (reserve included)',
  async () => {
    const paid = await createByCard(env, m);
    const failed = await createByCard(env, m);
    const settle = async (id: string, what: string) =>
      (
        await fetch(`${env.url}/sandbox/orders/${id}/${what}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${env.adminToken}` },
        })
      ).json() as Promise<{ code: number; data: { orderStatus: number } }>;
    assert.equal((await settle(paid.data.orderId, 'complete')).data.orderStatus, 14);
    assert.equal((await settle(failed.data.orderId, 'fail')).data.orderStatus, 15);
    assert.equal((await settle(failed.data.orderId, 'complete')).code, 20004);
    const states = await env.deps.db.query(
      'SELECT order_id, state FROM card_payments WHERE order_id = ANY($1) ORDER BY state',
      [[paid.data.orderId, failed.data.orderId]],
    );
    assert.deepEqual(
      states.rows.map((x) => x.state),
      ['captured', 'declined'],
    );
    assert.deepEqual(await ledgerBroken(env), []);
  },
);

test('issue 13: no card number or CVV in any log line, stored row or answer of this file', async () => {
  const numbers = [...Object.values(CARD), '6011111111111117', '4242424242424241'];
  const dump = async (table: string) => JSON.stringify((await env.deps.db.query(`SELECT * FROM ${table}`)).rows);
  const rows = [
    await dump('orders'),
    await dump('card_payments'),
    await dump('card_vault'),
    await dump('sandbox_card_auths'),
    await dump('webhook_deliveries'),
    await dump('order_events'),
    await dump('journal_entries'),
  ].join('\n');
  const text = `${logs.join('')}\n${answers.join('\n')}\n${rows}`;
  assert.ok(logs.length > 0);
  for (const n of numbers) assert.ok(!text.includes(n), `card number ${n.slice(0, 6)}… leaked`);
  assert.ok(!/cvv"?\s*[:=]\s*"?739/.test(text), 'the CVV leaked');
  assert.ok(!text.includes(`"${TEST_CVV}"`), 'the CVV leaked');
});
