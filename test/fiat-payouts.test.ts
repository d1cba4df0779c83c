// Issue 11 (spec M2): fiat payouts through POST /openapi/v1/createFiatPayoutOrder on the sandbox Pix and card
// rails, over real HTTP and PostgreSQL: seed 001 §5's example, every channel and key kind, the hold in
// getMerchantBalance, the sandbox test keys ending at 14/15 with webhooks in both formats, idempotency, 200
// concurrent payouts against a balance covering 10, and the ledger invariants in SQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  getJson,
  newMerchant,
  postForm,
  signed,
  startTestEnv,
  until,
  webhookReceiver,
  type TestEnv,
} from './harness.js';
import { ACCOUNTS, CARD, fiatParams, fiatPayout, fundFiat } from './fiat-payout-helpers.js';
import { balanceOf } from './payout-helpers.js';
import { sandboxSettle } from './sandbox-settle.js';
import { brokenInvariants } from './invariants.js';
import { startFiatPayoutSender } from '../src/workers/fiat-payout-sender.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { OPENAPI_CODES } from '../src/api/openapi/error-codes.js';
import { SANDBOX_TEST_KEYS } from '../src/rails/fiat-payout/sandbox-pix.js';
import { SANDBOX_TEST_CARDS } from '../src/rails/fiat-payout/sandbox-card.js';
import { SETTLE_MS, SLOW_MS } from '../src/rails/fiat-payout/sandbox-engine.js';
import { setPayoutFee } from '../src/core/payout-settings.js';

let env: TestEnv;
let dbUrl: string;
let sender: { stop(): Promise<void> };
let dispatcher: Dispatcher;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

before(async () => {
  env = await startTestEnv({ TENDER_PAYOUT_FEES: 'BRL:PIX=0.5+0,BRL:CARD=1+100,USD:CARD=0.3+0' });
  dbUrl = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  hooks = await webhookReceiver([{ status: 200, body: 'success' }]);
  sender = startFiatPayoutSender(env.deps, { pollMs: 50 });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await sender.stop();
  await dispatcher.stop();
  await hooks.close();
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  await env.close();
});

const row = async (orderId: string) =>
  (
    await env.deps.db.query(
      `SELECT o.status, o.hash, o.remark, p.stage, p.kind, p.network, p.rail, p.to_address, s.state AS submission
       FROM orders o JOIN payouts p ON p.order_id = o.id
       LEFT JOIN fiat_payout_submissions s ON s.payout_id = o.id WHERE o.id = $1`,
      [orderId],
    )
  ).rows[0];

/** Waits until the sender has handed the payout to its rail. */
const submitted = (orderId: string) => until('submitted', async () => (await row(orderId)).submission !== null);

/** Moves the clock past the sandbox rail's settle time, then waits for the final status. */
async function settled(orderId: string, seconds = SETTLE_MS / 1000 + 1): Promise<number> {
  await submitted(orderId);
  env.clock.advance(seconds);
  return until('final', async () => {
    const s = (await row(orderId)).status as number;
    return (s === 14 || s === 15) && s;
  });
}

async function detail(m: MerchantCredentials, q: Record<string, string>) {
  const p = signed({ merchantId: String(m.merchantId), ...q }, m.securityKey);
  return (await getJson(`${env.url}/openapi/v1/getOrderDetail`, p)).body;
}

async function balance(m: MerchantCredentials, currency: string) {
  const p = signed({ merchantId: String(m.merchantId) }, m.securityKey);
  return (await getJson(`${env.url}/openapi/v1/getMerchantBalance`, p)).body.data.find(
    (b: any) => b.currency === currency,
  );
}

const hooksOf = (orderId: string) =>
  hooks.calls
    .map((c) => (c.form.get('param') ? JSON.parse(c.form.get('param')!) : Object.fromEntries(c.form)))
    .filter((f) => f.orderId === orderId);

test('issue 11: seed 001 §5 example is accepted on both paths, answers all strings with status "11"', async () => {
  const m = await newMerchant(env);
  await fundFiat(env, m, 'BRL', '100');
  for (const path of ['/openapi/v1/createFiatPayoutOrder', '/openapi/v1/openapi/v1/createFiatPayoutOrder']) {
    // The seed's request, its masked toAccount replaced by a valid CPF.
    const p = {
      merchantId: String(m.merchantId),
      merchantTradeNo: `test07${path.length}`,
      createTime: String(Date.now()),
      userId: '1001',
      currency: 'BRL',
      payoutChannel: '1',
      amount: '5',
      country: 'BRA',
      accountType: '1',
      toAccount: '52998224725',
      callBackURL: 'https://www.baidu.com',
      successURL: 'https://cashier.cpay.ltd/succed',
      failURL: 'https://cashier.cpay.ltd/lose',
      remark: 'remark',
      extInfo: '',
    };
    const r = await postForm(`${env.url}${path}`, signed(p, m.securityKey));
    assert.equal(r.status, 200);
    assert.equal(r.body.code, 0, JSON.stringify(r.body));
    assert.equal(r.body.msg, 'success');
    assert.equal(typeof r.body.traceid, 'string');
    const d = r.body.data;
    assert.deepEqual(
      Object.keys(d).sort(),
      [
        'createTime',
        'currency',
        'fee',
        'merchantId',
        'merchantTradeNo',
        'merchantUserId',
        'orderAmount',
        'orderId',
        'receivedAmount',
        'remark',
        'status',
      ],
      "the seed's fields, no more",
    );
    for (const [k, v] of Object.entries(d)) assert.equal(typeof v, 'string', `${k} is a string`);
    assert.deepEqual(
      [d.merchantId, d.merchantUserId, d.merchantTradeNo, d.currency, d.status, d.remark],
      [String(m.merchantId), '1001', p.merchantTradeNo, 'BRL', '11', 'remark'],
    );
    // The seed's numbers: 5 received + 0.5 fee = 5.5 held.
    assert.deepEqual([Number(d.orderAmount), Number(d.receivedAmount), Number(d.fee)], [5.5, 5, 0.5]);
    assert.match(d.createTime, /^[0-9]{13}$/);
    assert.equal(await settled(d.orderId), 14);
  }
  const b = await balanceOf(env, m, 'BRL');
  assert.deepEqual(b, { available: 8900n, frozen: 0n }, '100 − 2 × 5.50 in centavos');
});

test('issue 11: every channel and Pix key kind pays out and settles 14; getOrderDetail shows the payout', async () => {
  const m = await newMerchant(env);
  await fundFiat(env, m, 'BRL', '1000');
  await fundFiat(env, m, 'USD', '100');
  const cases: Array<[string, Record<string, string>, string]> = [
    ...Object.entries(ACCOUNTS).map(
      ([k, a]) => [`pix ${k}`, a, 'pix-sandbox'] as [string, Record<string, string>, string],
    ),
    ['card BRL', { payoutChannel: '2', toAccount: CARD, accountCode: '001', accountType: '' }, 'card-sandbox'],
    [
      'card USD',
      { payoutChannel: '2', toAccount: CARD, currency: 'USD', country: 'USA', accountType: '' },
      'card-sandbox',
    ],
  ];
  for (const [name, fields, rail] of cases) {
    const r = await fiatPayout(env, m, { amount: '20', ...fields });
    assert.equal(r.body.code, 0, `${name}: ${JSON.stringify(r.body)}`);
    const id = r.body.data.orderId;
    assert.equal(await settled(id), 14, name);
    const o = await row(id);
    assert.deepEqual([o.kind, o.rail, o.stage, o.submission], ['fiat', rail, 'closed', 'succeeded'], name);
    assert.match(o.to_address, /\*/, `${name}: only the masked account is beside the payout`);
    const det = await detail(m, { cpayOrderId: id });
    assert.equal(det.code, 0);
    assert.equal(det.data.orderStatus, 14, name);
    assert.equal(det.data.status, '14');
    assert.equal(det.data.hash, o.hash, `${name}: the rail's reference is the payout's hash`);
    assert.match(det.data.hash, rail === 'pix-sandbox' ? /^E99999999[0-9]{12}[0-9A-Z]{11}$/ : /^C[0-9]{12}/);
    assert.equal(det.data.cryptoCurrency, '');
    assert.equal(det.data.cashierURL, '', `${name}: a payout has no hosted page`);
    const code = (await env.deps.db.query('SELECT pay_code FROM orders WHERE id = $1', [id])).rows[0].pay_code;
    assert.equal((await fetch(`${env.url}/pay/${code}`)).status, 404, `${name}: its pay code opens no page`);
    assert.equal(det.data.currency, fields.currency ?? 'BRL');
    assert.equal(Number(det.data.receivedAmount), 20);
    assert.equal((await detail(m, { merchantTradeNo: r.body.data.merchantTradeNo })).data.orderId, id);
    assert.equal((await detail(m, { hash: det.data.hash })).data.orderId, id);
  }
  // Fees: Pix 0.5 fixed; card BRL 1 + 1 % of 20 = 1.20; card USD 0.30.
  assert.deepEqual(await balanceOf(env, m, 'BRL'), { available: 100000n - 5n * 2050n - 2120n, frozen: 0n });
  assert.deepEqual(await balanceOf(env, m, 'USD'), { available: 10000n - 2030n, frozen: 0n });
});

test('issue 11: the hold shows in getMerchantBalance (freezeBalance) until the payout settles', async () => {
  const m = await newMerchant(env);
  await fundFiat(env, m, 'BRL', '50');
  const r = await fiatPayout(env, m, { amount: '12.34' });
  assert.equal(r.body.code, 0);
  const b = await balance(m, 'BRL');
  assert.deepEqual([b.availableBalance, b.freezeBalance], ['37.16', '12.84']);
  assert.equal(await settled(r.body.data.orderId), 14);
  const after = await balance(m, 'BRL');
  assert.deepEqual([after.availableBalance, after.freezeBalance], ['37.16', '0.00']);
});

test('issue 11: sandbox test keys end at 14 or 15 with webhooks in both formats and the right ledger', async () => {
  for (const format of ['cpay', 'cpay-legacy'] as const) {
    const m = await newMerchant(env, { webhookFormat: format, callbackUrl: hooks.url });
    await fundFiat(env, m, 'BRL', '1000');
    const failing: Array<[string, Record<string, string>, string]> = [
      [
        'key_not_found (e-mail)',
        { accountType: '2', toAccount: SANDBOX_TEST_KEYS.key_not_found.email },
        'key_not_found',
      ],
      ['account_closed (cpf)', { toAccount: SANDBOX_TEST_KEYS.account_closed.cpf }, 'account_closed'],
      [
        'account_blocked (phone)',
        { accountType: '3', toAccount: SANDBOX_TEST_KEYS.account_blocked.phone },
        'account_blocked',
      ],
      [
        'rejected_by_receiver (random)',
        { accountType: '4', toAccount: SANDBOX_TEST_KEYS.rejected_by_receiver.random },
        'rejected_by_receiver',
      ],
      [
        'insufficient_funds (card)',
        { payoutChannel: '2', toAccount: SANDBOX_TEST_CARDS.insufficient_funds },
        'insufficient_funds',
      ],
    ];
    for (const [name, fields, reason] of failing) {
      const before = await balanceOf(env, m, 'BRL');
      const r = await fiatPayout(env, m, { amount: '10', ...fields });
      assert.equal(r.body.code, 0, `${name}: ${JSON.stringify(r.body)}`);
      const id = r.body.data.orderId;
      assert.equal(await settled(id), 15, name);
      assert.deepEqual(await balanceOf(env, m, 'BRL'), before, `${name}: the hold went back`);
      const want = format === 'cpay' ? ['15'] : ['11', '15'];
      const got = await until(`${name} webhooks`, async () => {
        const h = hooksOf(id);
        return h.length >= want.length && h;
      });
      assert.deepEqual(
        got.map((h) => String(h.orderStatus)),
        want,
        name,
      );
      assert.equal(got.at(-1)!.remark, `payout failed: ${reason}`);
      assert.equal((await detail(m, { cpayOrderId: id })).data.remark, `payout failed: ${reason}`);
    }
    // slow succeeds, timeout fails, each only after an hour.
    for (const [scenario, fields, end] of [
      ['slow', { toAccount: SANDBOX_TEST_KEYS.slow.cpf }, 14],
      ['timeout', { payoutChannel: '2', toAccount: SANDBOX_TEST_CARDS.timeout }, 15],
    ] as const) {
      const r = await fiatPayout(env, m, { amount: '7', ...fields });
      const id = r.body.data.orderId;
      await submitted(id);
      env.clock.advance(SETTLE_MS / 1000 + 1);
      await new Promise((res) => setTimeout(res, 300));
      assert.equal((await row(id)).status, 11, `${scenario}: still processing after the usual delay`);
      assert.equal(await settled(id, SLOW_MS / 1000), end, scenario);
      const want = format === 'cpay' ? [String(end)] : ['11', String(end)];
      const got = await until(`${scenario} webhooks`, async () => {
        const h = hooksOf(id);
        return h.length >= want.length && h;
      });
      assert.deepEqual(
        got.map((h) => String(h.orderStatus)),
        want,
      );
      // Pix: 7 + 0.50; card: 7 + 1 + 1 % of 7. Webhook amounts carry two decimals.
      if (format === 'cpay') assert.equal(got[0]!.orderAmount, scenario === 'slow' ? '7.50' : '8.07');
    }
    // 1000 − slow (7.50) paid; everything else released.
    assert.deepEqual(await balanceOf(env, m, 'BRL'), { available: 100000n - 750n, frozen: 0n }, format);
  }
  // Paid means: frozen −total, the rail's clearing +amount, fee revenue +fee (one entry).
  const { rows } = await env.deps.db.query(
    `SELECT a.code, p.amount::text FROM journal_entries e JOIN postings p ON p.entry_id = e.id
     JOIN ledger_accounts a ON a.id = p.account_id
     WHERE e.kind = 'payout_settle' AND e.order_id = (SELECT order_id FROM payouts WHERE kind = 'fiat'
       AND to_address = '***.000.001-**' ORDER BY created_at DESC LIMIT 1) ORDER BY a.code`,
  );
  assert.deepEqual(
    rows.map((r) => [r.code.replace(/[0-9]+/, 'M'), r.amount]),
    [
      ['merchant:M:frozen:BRL', '-750'],
      ['platform:fee_revenue:BRL', '50'],
      ['rail:payout-pix-sandbox:clearing:BRL', '700'],
    ],
  );
});

test(
  'issue 11: the sandbox helper completes or fails a fiat payout at once; a payout not yet ' + 'sent only fails',
  async () => {
    const m = await newMerchant(env, { webhookFormat: 'cpay', callbackUrl: hooks.url });
    await fundFiat(env, m, 'BRL', '100');
    const a = await fiatPayout(env, m, { toAccount: SANDBOX_TEST_KEYS.slow.cpf });
    await submitted(a.body.data.orderId);
    const c = await sandboxSettle(env, a.body.data.orderId, 'complete');
    assert.equal(c.body.code, 0, JSON.stringify(c.body));
    assert.equal(c.body.data.orderStatus, 14);
    const b = await fiatPayout(env, m, { payoutChannel: '2', toAccount: CARD });
    await submitted(b.body.data.orderId);
    const f = await sandboxSettle(env, b.body.data.orderId, 'fail');
    assert.equal(f.body.data.orderStatus, 15);
    assert.equal(f.body.data.remark, 'payout failed: rejected_by_receiver');
    const again = await sandboxSettle(env, b.body.data.orderId, 'complete');
    assert.equal(again.body.code, OPENAPI_CODES.ILLEGAL_TRANSITION);
    assert.deepEqual(await balanceOf(env, m, 'BRL'), { available: 10000n - 1050n, frozen: 0n });
  },
);

test(
  'issue 11: idempotent on merchantTradeNo; other fields 20001; insufficient balance 10030 ' + 'moves nothing',
  async () => {
    const m = await newMerchant(env);
    await fundFiat(env, m, 'BRL', '30');
    const p = fiatParams(m, { amount: '10', toAccount: '529.982.247-25' });
    const first = await postForm(`${env.url}/openapi/v1/createFiatPayoutOrder`, signed(p, m.securityKey));
    assert.equal(first.body.code, 0);
    // Same fields (the key in its other written form is the same key), even on the doubled path: the same payout.
    for (const [path, q] of [
      ['/openapi/v1/createFiatPayoutOrder', p],
      [
        '/openapi/v1/openapi/v1/createFiatPayoutOrder',
        { ...p, toAccount: '52998224725', createTime: String(Date.now()) },
      ],
    ] as const) {
      const r = await postForm(`${env.url}${path}`, signed(q, m.securityKey));
      assert.equal(r.body.code, 0);
      assert.equal(r.body.data.orderId, first.body.data.orderId);
      assert.equal(r.body.data.orderAmount, first.body.data.orderAmount);
    }
    assert.deepEqual(await balanceOf(env, m, 'BRL'), { available: 1950n, frozen: 1050n }, 'frozen once');
    const changes: Record<string, string>[] = [
      { amount: '11' },
      { toAccount: '11144477735' },
      { accountType: '2', toAccount: 'other@example.com' },
      { payoutChannel: '2', toAccount: CARD, accountType: '' },
      { remark: 'another' },
    ];
    for (const changed of changes) {
      const r = await postForm(
        `${env.url}/openapi/v1/createFiatPayoutOrder`,
        signed({ ...p, ...changed }, m.securityKey),
      );
      assert.equal(r.body.code, OPENAPI_CODES.DUPLICATE_TRADE_NO, JSON.stringify(changed));
      assert.equal(r.body.data, null);
    }
    // 19.50 left: 19.00 + 0.50 fee fits exactly, 19.01 does not.
    const poor = fiatParams(m, { amount: '19.01' });
    const refused = await postForm(`${env.url}/openapi/v1/createFiatPayoutOrder`, signed(poor, m.securityKey));
    assert.equal(refused.body.code, OPENAPI_CODES.INSUFFICIENT_BALANCE);
    assert.deepEqual(await balanceOf(env, m, 'BRL'), { available: 1950n, frozen: 1050n }, 'nothing moved');
    const none = await env.deps.db.query('SELECT 1 FROM orders WHERE merchant_trade_no = $1', [poor.merchantTradeNo]);
    assert.equal(none.rowCount, 0, 'no order was kept');
    // The refused merchantTradeNo is free again.
    const ok = await postForm(
      `${env.url}/openapi/v1/createFiatPayoutOrder`,
      signed({ ...poor, amount: '19' }, m.securityKey),
    );
    assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
    assert.deepEqual(await balanceOf(env, m, 'BRL'), { available: 0n, frozen: 3000n });
    // A stale createTime is refused by the replay window.
    const stale = await fiatPayout(env, m, { createTime: String(Date.now() - 3 * 86_400_000) });
    assert.equal(stale.body.code, OPENAPI_CODES.REPLAY_WINDOW);
  },
);

test('issue 11: 200 concurrent fiat payouts against a balance that covers 10 → exactly 10 accepted', async () => {
  const m = await newMerchant(env);
  await setPayoutFee(env.deps, String(m.merchantId), 'BRL', 'PIX', '1', 0);
  await fundFiat(env, m, 'BRL', '110'); // 10 × (10 + 1 fee)
  // A client retries "service unavailable, retry later" (30001: no database connection within the wait, which a
  // loaded machine can answer) with the same merchantTradeNo, as the API tells it to.
  const pay = async (i: number) => {
    const p = fiatParams(m, { amount: '10', merchantTradeNo: `race-${i}`, toAccount: SANDBOX_TEST_KEYS.slow.cpf });
    for (;;) {
      const r = await postForm(`${env.url}/openapi/v1/createFiatPayoutOrder`, signed(p, m.securityKey));
      if (r.body.code !== OPENAPI_CODES.SERVICE_UNAVAILABLE) return r;
    }
  };
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => pay(i)));
  const codes = results.map((r) => r.body.code);
  assert.equal(codes.filter((c) => c === 0).length, 10, JSON.stringify(codes.filter((c) => c !== 0 && c !== 10030)));
  assert.equal(codes.filter((c) => c === OPENAPI_CODES.INSUFFICIENT_BALANCE).length, 190);
  assert.deepEqual(await balanceOf(env, m, 'BRL'), { available: 0n, frozen: 11000n });
  const b = await balance(m, 'BRL');
  assert.deepEqual([b.availableBalance, b.freezeBalance], ['0.00', '110.00']);
});

test('issue 11: refusals keep their own codes and never echo the account', async () => {
  const m = await newMerchant(env);
  await fundFiat(env, m, 'BRL', '100');
  const C = OPENAPI_CODES;
  const cases: Array<[Record<string, string>, number]> = [
    [{ payoutChannel: '3' }, C.PAYOUT_CHANNEL_INVALID],
    [{ toAccount: '52998224726' }, C.PIX_CPF_INVALID],
    [{ currency: 'USD' }, C.PIX_CURRENCY_NOT_BRL],
    [{ country: 'BR' }, C.COUNTRY_CODE_INVALID],
    [{ amount: '5.001' }, C.PAYOUT_AMOUNT_PRECISION],
    [{ payoutChannel: '2', toAccount: '4111111111111112' }, C.CARD_NUMBER_INVALID],
    [{ extInfo: '[1]' }, C.EXT_INFO_INVALID],
    [{ callBackURL: 'ftp://x.example' }, C.INVALID_PARAM],
    [{ amount: '' }, C.MISSING_PARAM],
  ];
  for (const [fields, code] of cases) {
    const r = await fiatPayout(env, m, fields);
    assert.equal(r.body.code, code, JSON.stringify(fields) + JSON.stringify(r.body));
    assert.equal(r.body.data, null);
    if (fields.toAccount) assert.ok(!r.body.msg.includes(fields.toAccount), 'the message does not repeat the account');
  }
  assert.deepEqual(await balanceOf(env, m, 'BRL'), { available: 10000n, frozen: 0n });
  const bad = await postForm(`${env.url}/openapi/v1/createFiatPayoutOrder`, signed(fiatParams(m), `${m.securityKey}x`));
  assert.equal(bad.body.code, C.BAD_SIGN);
});
