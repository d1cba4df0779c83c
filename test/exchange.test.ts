// Issue 11 exchange (seed 001 §10, spec M5) over real HTTP and PostgreSQL: one journal entry through the
// treasury accounts, the fee in the target currency, idempotency on merchantTradeNo, racing exchanges
// against one balance, refusals that move nothing, and the ledger invariants after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, getJson, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { inTx } from '../src/store/db.js';
import { postEntry } from '../src/store/ledger-repo.js';
import { setOperatorRate } from '../src/core/rates/operator-rates.js';
import { setMerchantRateSettings } from '../src/core/rates/merchant-rates.js';
import { brokenInvariants } from './invariants.js';

let env: TestEnv;
let m: MerchantCredentials;
before(async () => {
  // The operator's table is the only source, so a test can let its rate go stale.
  env = await startTestEnv({
    TENDER_RATE_SOURCES: 'operator',
    TENDER_EXCHANGE_FEE_BPS: '30',
    TENDER_RATE_MAX_AGE_SECONDS: '600',
  });
  await setOperatorRate(env.deps, 'BTC', 'USDT', '40000');
  await setOperatorRate(env.deps, 'BTC', 'USD', '40000');
  m = await newMerchant(env);
});
after(async () => {
  await env.close();
});

const dbUrl = () => (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;

/** Credits a merchant's available balance as a settled payment would (a balanced entry from a rail). */
async function fund(mc: MerchantCredentials, currency: string, minor: bigint) {
  await inTx(env.deps.db, (tx) =>
    postEntry(
      tx,
      {
        kind: 'test_funding',
        orderId: null,
        memo: 'test funding',
        postings: [
          { account: { kind: 'merchant_available', merchantId: String(mc.merchantId), currency }, amount: minor },
          { account: { kind: 'rail_clearing', rail: 'test', currency }, amount: -minor },
        ],
      },
      env.clock.now(),
    ),
  );
}

async function balances(mc: MerchantCredentials): Promise<Record<string, string>> {
  const r = await getJson(
    `${env.url}/openapi/v1/getMerchantBalance`,
    signed({ merchantId: String(mc.merchantId) }, mc.securityKey),
  );
  return Object.fromEntries(r.body.data.map((b: any) => [b.currency, b.availableBalance]));
}

const exchangeParams = (mc: MerchantCredentials, tradeNo: string, extra: Record<string, string> = {}) =>
  signed(
    {
      merchantId: String(mc.merchantId),
      userId: 'user-1',
      merchantTradeNo: tradeNo,
      createTime: String(env.clock.now().getTime()),
      sourceCurrency: 'USDT',
      sourceAmount: '4000',
      targetCurrency: 'BTC',
      ...extra,
    },
    mc.securityKey,
  );

async function exchangeRaw(params: Record<string, string>): Promise<{ body: any; text: string }> {
  const res = await fetch(`${env.url}/openapi/v1/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  assert.equal(res.status, 200);
  return { body: JSON.parse(text), text };
}
const dataText = (text: string) => text.slice(text.indexOf('"data":'), text.indexOf(',"traceid"'));

async function accounts(): Promise<Record<string, string>> {
  const { rows } = await env.deps.db.query<{ code: string; balance: string }>(
    'SELECT code, balance::text FROM ledger_accounts',
  );
  return Object.fromEntries(rows.map((r) => [r.code, r.balance]));
}

test('issue 11: exchange converts in one entry through treasury accounts, fee in the target currency', async () => {
  await fund(m, 'USDT', 10_000n * 10n ** 18n);
  const { body } = await exchangeRaw(exchangeParams(m, 'X-1'));
  assert.equal(body.code, 0, JSON.stringify(body));
  assert.equal(body.msg, 'ok');
  // 4000 USDT at 40000 = 0.1 BTC gross; fee 30 bps = 0.0003 BTC (rounded up to the satoshi); 0.0997 credited.
  assert.deepEqual(body.data, {
    targetCurrency: 'BTC',
    targetAmount: '0.0997',
    exchangeRate: '40000.000000',
    fee: '0.0003',
  });
  const bal = await balances(m);
  assert.equal(bal.USDT, '6000.00');
  assert.equal(bal.BTC, '0.0997');
  const acc = await accounts();
  assert.equal(acc['platform:treasury:USDT'], (4000n * 10n ** 18n).toString());
  assert.equal(acc['platform:treasury:BTC'], '-10000000');
  assert.equal(acc['platform:fee_revenue:BTC'], '30000');
  const { rows } = await env.deps.db.query(
    `SELECT e.id, count(p.id)::int AS n FROM journal_entries e JOIN postings p ON p.entry_id = e.id
     WHERE e.kind = 'exchange' GROUP BY e.id`,
  );
  assert.deepEqual(
    rows.map((r: any) => r.n),
    [5],
  );
  const rec = await env.deps.db.query('SELECT rate, rate_source FROM exchanges WHERE merchant_trade_no = $1', ['X-1']);
  assert.deepEqual(rec.rows[0], { rate: '40000.000000', rate_source: 'operator' });
});

test('issue 11: exchange is idempotent on merchantTradeNo: same → same answer byte for byte; different → 20001', async () => {
  const first = await exchangeRaw(exchangeParams(m, 'X-2', { sourceAmount: '400' }));
  assert.equal(first.body.code, 0, first.text);
  const before = await balances(m);
  // The rate changes meanwhile: the retry still answers what was done.
  await setOperatorRate(env.deps, 'BTC', 'USDT', '50000');
  try {
    const again = await exchangeRaw(exchangeParams(m, 'X-2', { sourceAmount: '400.000' }));
    assert.equal(dataText(again.text), dataText(first.text));
    assert.notEqual(again.body.traceid, first.body.traceid);
    for (const change of [{ sourceAmount: '401' }, { targetCurrency: 'ETH' }, { userId: 'user-2' }] as Record<
      string,
      string
    >[]) {
      const dup = await exchangeRaw(exchangeParams(m, 'X-2', change));
      assert.equal(dup.body.code, 20001, JSON.stringify([change, dup.body]));
      assert.equal(dup.body.data, null);
    }
    assert.deepEqual(await balances(m), before);
  } finally {
    await setOperatorRate(env.deps, 'BTC', 'USDT', '40000');
  }
});

test('issue 11: insufficient balance answers its own code and moves nothing', async () => {
  const poor = await newMerchant(env, { brand: 'Poor' });
  await fund(poor, 'USD', 1000n);
  const before = await accounts();
  const r = await exchangeRaw(exchangeParams(poor, 'P-1', { sourceCurrency: 'USD', sourceAmount: '10.01' }));
  assert.equal(r.body.code, 10030, r.text);
  // A merchant that never held the currency at all.
  const empty = await newMerchant(env, { brand: 'Empty' });
  const none = await exchangeRaw(exchangeParams(empty, 'P-2', { sourceCurrency: 'USD', sourceAmount: '1' }));
  assert.equal(none.body.code, 10030, none.text);
  assert.deepEqual(await accounts(), before);
  const { rows } = await env.deps.db.query('SELECT 1 FROM exchanges WHERE merchant_id = $1', [poor.merchantId]);
  assert.equal(rows.length, 0);
  // The same merchantTradeNo works once the money is there (a refusal is not stored).
  const ok = await exchangeRaw(exchangeParams(poor, 'P-1', { sourceCurrency: 'USD', sourceAmount: '10' }));
  assert.equal(ok.body.code, 0, ok.text);
  assert.equal(ok.body.data.targetAmount, '0.00024925');
  assert.equal((await balances(poor)).USD, '0.00');
});

test('issue 11: 50 exchanges racing against a balance that covers 10: exactly 10 succeed, never negative', async () => {
  const racer = await newMerchant(env, { brand: 'Racer' });
  await fund(racer, 'USDT', 1000n * 10n ** 18n);
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => exchangeRaw(exchangeParams(racer, `R-${i}`, { sourceAmount: '100' }))),
  );
  const codes = results.map((r) => r.body.code);
  assert.equal(codes.filter((c) => c === 0).length, 10, JSON.stringify(codes));
  assert.equal(codes.filter((c) => c === 10030).length, 40, JSON.stringify(codes));
  const bal = await balances(racer);
  assert.equal(bal.USDT, '0.00');
  // 10 × (100/40000 BTC = 250000 sat) less 30 bps each (750 sat).
  assert.equal(bal.BTC, '0.024925');
  // Twins with one merchantTradeNo: one exchange, the same answer for all.
  await fund(racer, 'USDT', 100n * 10n ** 18n);
  const twins = await Promise.all(
    Array.from({ length: 10 }, () => exchangeRaw(exchangeParams(racer, 'TWIN', { sourceAmount: '100' }))),
  );
  assert.ok(
    twins.every((t) => t.body.code === 0),
    JSON.stringify(twins.map((t) => t.body)),
  );
  assert.equal(new Set(twins.map((t) => dataText(t.text))).size, 1);
  const { rows } = await env.deps.db.query('SELECT count(*)::int AS n FROM exchanges WHERE merchant_id = $1', [
    racer.merchantId,
  ]);
  assert.equal(rows[0].n, 11);
  const neg = await env.deps.db.query(
    "SELECT code FROM ledger_accounts WHERE kind = 'merchant_available' AND balance < 0",
  );
  assert.deepEqual(neg.rows, []);
});

test('issue 11: every invalid exchange pair and amount has its own code, and nothing moves', async () => {
  const before = await accounts();
  const cases: [Record<string, string>, number][] = [
    [{ sourceCurrency: 'DOGE' }, 10013],
    [{ targetCurrency: 'USDT' }, 10043],
    [{ targetCurrency: 'USD' }, 10042],
    [{ sourceAmount: '0' }, 10044],
    [{ sourceAmount: '-5' }, 10011],
    [{ sourceAmount: '1,5' }, 10011],
    [{ sourceCurrency: 'USD', sourceAmount: '1.001' }, 10014],
    [{ sourceAmount: '0.000000000000000001' }, 10045],
    [{ sourceAmount: '' }, 10010],
    [{ merchantTradeNo: '' }, 10010],
    [{ userId: '' }, 10010],
    [{ createTime: '' }, 10010],
    [{ createTime: String(env.clock.now().getTime() - 3 * 86400_000) }, 10005],
  ];
  for (const [extra, code] of cases) {
    const r = await exchangeRaw(exchangeParams(m, `BAD-${code}`, extra));
    assert.equal(r.body.code, code, `${JSON.stringify(extra)}: ${r.text}`);
    assert.equal(r.body.data, null);
  }
  const tampered = { ...exchangeParams(m, 'BAD-SIGN'), sourceAmount: '1' };
  assert.equal((await exchangeRaw(tampered)).body.code, 10004);
  assert.deepEqual(await accounts(), before);
});

test('issue 11: a stale rate refuses the exchange (RATE_STALE), nothing moves; a stored one still replays', async () => {
  const before = await accounts();
  const earlier = await exchangeRaw(exchangeParams(m, 'X-1'));
  env.clock.advance(601);
  try {
    const r = await exchangeRaw(exchangeParams(m, 'STALE-1', { sourceAmount: '1' }));
    assert.equal(r.body.code, 10041, r.text);
    assert.deepEqual(await accounts(), before);
    const replay = await exchangeRaw(exchangeParams(m, 'X-1'));
    assert.equal(dataText(replay.text), dataText(earlier.text));
    const missing = await exchangeRaw(exchangeParams(m, 'NONE-1', { targetCurrency: 'TRX', sourceAmount: '1' }));
    assert.equal(missing.body.code, 10040, missing.text);
  } finally {
    env.clock.advance(-601);
  }
});

test('issue 11: per-merchant exchange fee, and ledger invariants hold after every exchange', async () => {
  const vip = await newMerchant(env, { brand: 'VIP' });
  await setMerchantRateSettings(env.deps, String(vip.merchantId), { exchangeFeeBps: 0, spreadBps: 50 });
  await fund(vip, 'USD', 4020_00n);
  const r = await exchangeRaw(exchangeParams(vip, 'V-1', { sourceCurrency: 'USD', sourceAmount: '4020' }));
  // 40000 × 1.005 = 40200: 4020 USD buy exactly 0.1 BTC, no fee.
  assert.deepEqual(r.body.data, {
    targetCurrency: 'BTC',
    targetAmount: '0.10',
    exchangeRate: '40200.000000',
    fee: '0.00',
  });
  assert.deepEqual(await brokenInvariants(dbUrl(), [], 3600), {});
  const { rows } = await env.deps.db.query(
    `SELECT e.kind, p.currency, sum(p.amount)::text AS total FROM journal_entries e JOIN postings p ON p.entry_id = e.id
     WHERE e.kind = 'exchange' GROUP BY e.id, e.kind, p.currency HAVING sum(p.amount) <> 0`,
  );
  assert.deepEqual(rows, []);
});
