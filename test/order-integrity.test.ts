// Issue 9 defects 1 and 5 on a real PostgreSQL and real HTTP: a use-case writes all its rows in one
// transaction, one order that cannot be expired never holds up the others, the outbox builds notifications
// through its registry even for an order missing its dialect row, migration 006 repairs such orders, and
// amounts above a currency's maximum are refused before they can reach a shared ledger account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, postJson, postForm, signed, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { createOrder } from '../src/core/orders.js';
import { closeOrder, completeOrder, expireDueOrders } from '../src/core/payments.js';
import { getMerchant } from '../src/core/merchants.js';
import { latestDeliveries } from '../src/store/webhooks-repo.js';
import { workFailures } from '../src/store/work-failures-repo.js';
import { migrate } from '../src/store/migrate.js';
import { loadAssets } from '../src/store/assets-repo.js';
import { parseMaxAmounts } from '../src/config.js';
import { walletAddresses } from '../src/core/addresses.js';
import { confirmDeposit, recordSeenDeposit } from '../src/core/deposits.js';
import { getBalances } from '../src/core/balances.js';
import { offlineCryptoEnv } from './reference-keys.js';

let env: TestEnv;
let a: MerchantCredentials;
let b: MerchantCredentials;
before(async () => {
  env = await startTestEnv(offlineCryptoEnv());
  a = await newMerchant(env, { brand: 'Shop A' });
  b = await newMerchant(env, { brand: 'Shop B' });
});
after(async () => {
  await env.close();
});

let seq = 0;
const txId = () => `IT-${Date.now()}-${++seq}`;
const cinetpayInit = (c: MerchantCredentials, over: Record<string, unknown> = {}) =>
  postJson(`${env.url}/v2/payment`, {
    apikey: c.apikey,
    site_id: c.siteId,
    transaction_id: txId(),
    amount: 100,
    currency: 'XOF',
    description: 'Deux billets',
    notify_url: 'https://shop.example/notify',
    return_url: 'https://shop.example/return',
    channels: 'ALL',
    ...over,
  });
const ordersOfTradeNo = async (tradeNo: string) =>
  (await env.deps.db.query('SELECT id, status FROM orders WHERE merchant_trade_no = $1', [tradeNo])).rows;

async function orderFor(c: MerchantCredentials, currency = 'USD', amount = 1000n) {
  const merchant = await getMerchant(env.deps, String(c.merchantId));
  const tradeNo = `T-${Date.now()}-${++seq}`;
  return (
    await createOrder(env.deps, merchant, {
      dialect: 'openapi',
      merchantTradeNo: tradeNo,
      userId: null,
      currency,
      amount,
      amountText: amount.toString(),
      fingerprint: { tradeNo },
    })
  ).order;
}

test('defect 9.1: a CinetPay initialisation whose dialect row cannot be written leaves no order behind', async () => {
  // A real database fault on the second row (a trigger), as the NUL byte of the campaign caused one.
  await env.deps.db.query(`CREATE FUNCTION fail_cinetpay_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.description = 'poison' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$`);
  await env.deps.db.query(`CREATE TRIGGER fail_cinetpay_row BEFORE INSERT ON cinetpay_orders
    FOR EACH ROW EXECUTE FUNCTION fail_cinetpay_row()`);
  const transactionId = txId();
  try {
    const r = await cinetpayInit(a, { transaction_id: transactionId, description: 'poison' });
    assert.notEqual(r.body.code, '201', JSON.stringify(r.body));
    assert.deepEqual(await ordersOfTradeNo(`cp:${a.siteId}:${transactionId}`), [], 'no order without its row');
  } finally {
    await env.deps.db.query('DROP TRIGGER fail_cinetpay_row ON cinetpay_orders; DROP FUNCTION fail_cinetpay_row()');
  }
  // The merchant's retry of the same body now creates the order and its row together.
  const again = await cinetpayInit(a, { transaction_id: transactionId, description: 'poison' });
  assert.equal(again.body.code, '201', JSON.stringify(again.body));
  const [order] = await ordersOfTradeNo(`cp:${a.siteId}:${transactionId}`);
  const row = await env.deps.db.query('SELECT description FROM cinetpay_orders WHERE order_id = $1', [order.id]);
  assert.equal(row.rows[0]?.description, 'poison');
});

test("defect 9.1: the campaign's NUL description is refused with 624 and writes nothing", async () => {
  const transactionId = txId();
  const r = await cinetpayInit(a, { transaction_id: transactionId, description: 'a\u0000b' });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, '624', JSON.stringify(r.body));
  assert.deepEqual(await ordersOfTradeNo(`cp:${a.siteId}:${transactionId}`), []);
});

test(
  'defect 9.1: one order that cannot be expired does ' + 'not hold up the expiry of 150 others of two merchants',
  async () => {
    // Drain anything due from earlier tests so this pass only sees these orders.
    while ((await expireDueOrders(env.deps)) > 0);
    const orders = [];
    for (let i = 0; i < 150; i++) orders.push(await orderFor(i % 2 ? a : b));
    const poisoned = orders[0]!;
    await env.deps.db.query(`CREATE FUNCTION fail_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF OLD.id = '${poisoned.id}' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$`);
    await env.deps.db.query(
      'CREATE TRIGGER fail_expiry BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION fail_expiry()',
    );
    try {
      env.clock.advance(env.deps.config.orderTtlSeconds + 1);
      let passes = 0;
      while ((await expireDueOrders(env.deps)) > 0) passes++;
      assert.ok(passes >= 2, 'the batches went on after the failing order');
      const statuses = await env.deps.db.query<{ id: string; status: number }>(
        'SELECT id, status FROM orders WHERE id = ANY($1)',
        [orders.map((o) => o.id)],
      );
      const open = statuses.rows.filter((r) => r.status !== 15).map((r) => r.id);
      assert.deepEqual(open, [poisoned.id], 'every order but the failing one is closed');
      const failures = await workFailures(env.deps.db, 'order-expiry');
      const f = failures.find((x) => x.item_id === poisoned.id);
      assert.ok(f, 'the failing order is recorded for the operator');
      assert.match(f.last_error, /injected fault/);
      assert.ok(f.retry_at > env.clock.now(), 'and set aside until its retry time');
      assert.equal(await expireDueOrders(env.deps), 0, 'a pass before that time does not touch it');
    } finally {
      await env.deps.db.query('DROP TRIGGER fail_expiry ON orders; DROP FUNCTION fail_expiry()');
    }
    env.clock.advance(3600);
    assert.equal(await expireDueOrders(env.deps), 1, 'after its retry time it is expired like the others');
    const after = await env.deps.db.query('SELECT status FROM orders WHERE id = $1', [poisoned.id]);
    assert.equal(after.rows[0].status, 15);
    const left = (await workFailures(env.deps.db, 'order-expiry')).filter((x) => x.item_id === poisoned.id);
    assert.deepEqual(left, [], 'once expired it is no longer listed as stuck');
  },
);

test('defect 9.1: the outbox builds a CinetPay notification for an order whose dialect row is missing', async () => {
  const transactionId = txId();
  const r = await cinetpayInit(a, { transaction_id: transactionId });
  assert.equal(r.body.code, '201');
  const [order] = await ordersOfTradeNo(`cp:${a.siteId}:${transactionId}`);
  await env.deps.db.query('DELETE FROM cinetpay_orders WHERE order_id = $1', [order.id]);
  const closed = await closeOrder(env.deps, order.id, 'declined');
  assert.equal(closed.status, 15, 'the status change is not blocked by the missing row');
  const [delivery] = await latestDeliveries(env.deps.db, order.id);
  assert.equal(delivery?.format, 'cinetpay');
  assert.equal(delivery?.payload.cpm_site_id, a.siteId);
  assert.equal(delivery?.payload.cpm_trans_id, transactionId);
});

test('defect 9.1: migration 006 repairs and closes CinetPay orders left without their dialect row', async () => {
  const pending = txId();
  const paid = txId();
  for (const t of [pending, paid]) assert.equal((await cinetpayInit(a, { transaction_id: t })).body.code, '201');
  const [p] = await ordersOfTradeNo(`cp:${a.siteId}:${pending}`);
  const [q] = await ordersOfTradeNo(`cp:${a.siteId}:${paid}`);
  await completeOrder(env.deps, q.id, { rail: 'sandbox' });
  // The state the old code could leave: orders without their row. Then the migration runs (again).
  await env.deps.db.query('DELETE FROM webhook_deliveries WHERE order_id = ANY($1)', [[p.id, q.id]]);
  await env.deps.db.query('DELETE FROM cinetpay_orders WHERE order_id = ANY($1)', [[p.id, q.id]]);
  await env.deps.db.query("DELETE FROM schema_migrations WHERE name = '006_repair_cinetpay_orphans.sql'");
  assert.deepEqual(await migrate(env.deps.db), ['006_repair_cinetpay_orphans.sql']);

  const rows = await env.deps.db.query(
    'SELECT order_id, site_id, transaction_id FROM cinetpay_orders WHERE order_id = ANY($1) ORDER BY transaction_id',
    [[p.id, q.id]],
  );
  assert.deepEqual(
    rows.rows.map((r) => [r.site_id, r.transaction_id]),
    [
      [a.siteId, pending],
      [a.siteId, paid],
    ].sort((x, y) => x[1]!.localeCompare(y[1]!)),
  );
  const st = await env.deps.db.query('SELECT id, status, remark FROM orders WHERE id = ANY($1)', [[p.id, q.id]]);
  const byId = new Map(st.rows.map((r) => [r.id, r]));
  assert.equal(byId.get(p.id).status, 15, 'the pending orphan is closed');
  assert.equal(byId.get(p.id).remark, 'initialisation incomplete');
  assert.equal(byId.get(q.id).status, 14, 'a paid one keeps its status');
  const ev = await env.deps.db.query('SELECT from_status, to_status, reason FROM order_events WHERE order_id = $1', [
    p.id,
  ]);
  assert.deepEqual(ev.rows.at(-1), { from_status: 0, to_status: 15, reason: 'repaired: initialisation incomplete' });
  const check = await postJson(`${env.url}/v2/payment/check`, {
    apikey: a.apikey,
    site_id: a.siteId,
    transaction_id: pending,
  });
  assert.equal(check.status, 200, 'the repaired order can be checked again');
  assert.equal(check.body.data.status, 'REFUSED');
});

const openapiOrder = (c: MerchantCredentials, amount: string, currency = 'USDT') =>
  postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed(
      {
        merchantId: String(c.merchantId),
        merchantTradeNo: `MAX-${Date.now()}-${++seq}`,
        createTime: String(env.clock.now().getTime()),
        userId: 'u1',
        amount,
        cryptoCurrency: currency,
      },
      c.securityKey,
    ),
  );

test('defect 9.5: amounts above the currency maximum are refused with their own code in every dialect', async () => {
  // Beyond 30 integer digits the edge schema refuses the text itself (10011); within it, the maximum (10015).
  assert.equal((await openapiOrder(a, `1${'0'.repeat(59)}`)).body.code, 10011);
  for (const amount of [`1${'0'.repeat(29)}`, '1000000.000001']) {
    const r = await openapiOrder(a, amount);
    assert.equal(r.status, 200);
    assert.equal(r.body.code, 10015, JSON.stringify(r.body));
  }
  assert.equal((await openapiOrder(a, '1000000')).body.code, 0, 'the maximum itself is accepted');

  const minimal = await postJson(`${env.url}/api/start_payment`, {
    merchant_secret: a.merchantSecret,
    amount: 1000001,
  });
  assert.equal(minimal.status, 400);
  assert.equal(minimal.body.code, 'amount_too_large');

  const cp = await cinetpayInit(a, { amount: 500000005 });
  assert.equal(cp.status, 400);
  assert.equal(cp.body.code, '624');
  assert.match(cp.body.description, /maximum/);
});

test(
  'defect 9.5: no merchant can break a shared account: ' + 'after the largest order is paid, others still complete',
  async () => {
    const big = await openapiOrder(a, '1000000');
    await completeOrder(env.deps, big.body.data.orderId, { rail: 'sandbox' });
    const small = await openapiOrder(b, '5');
    const done = await completeOrder(env.deps, small.body.data.orderId, { rail: 'sandbox' });
    assert.equal(done.status, 14);
    const clearing = await env.deps.db.query(
      "SELECT balance FROM ledger_accounts WHERE code LIKE 'rail:sandbox:%' AND currency = 'USDT'",
    );
    assert.ok(clearing.rows.length > 0);
    for (const r of clearing.rows) assert.ok(BigInt(r.balance) > -(10n ** 40n), 'the clearing balance stays small');
  },
);

test('defect 9.5: TENDER_MAX_AMOUNTS overrides the defaults and is checked at start', async () => {
  const assets = await loadAssets(env.deps.db, parseMaxAmounts('USD=100, BTC=0.5'));
  assert.equal(assets.ledger('USD').maxAmount, 10000n);
  assert.equal(assets.ledger('BTC').maxAmount, 50000000n);
  assert.throws(() => assets.assertWithinMax('USD', 10001n), /maximum/);
  assets.assertWithinMax('USD', 10000n);
  assert.throws(() => parseMaxAmounts('USD=-1'), /TENDER_MAX_AMOUNTS/);
  assert.throws(() => parseMaxAmounts('USD'), /TENDER_MAX_AMOUNTS/);
  await assert.rejects(loadAssets(env.deps.db, { USD: '0.00' }), /above zero/);
  await assert.rejects(loadAssets(env.deps.db, { ZZZ: '1' }), /ZZZ/);
  await assert.rejects(loadAssets(env.deps.db, { USD: '1.001' }), /decimals/);
  // Every ledger currency of a fresh install has a default maximum.
  const unbounded = await env.deps.db.query("SELECT code FROM assets WHERE network = '' AND max_amount IS NULL");
  assert.deepEqual(unbounded.rows, []);
});

test(
  'defect 9.5: money that arrived on chain is credited ' + 'whatever its size (the maximum is for orders only)',
  async () => {
    const tron = env.deps.config.crypto.networks.find((n) => n.family === 'tron')!;
    const [addr] = (await walletAddresses(env.deps, String(b.merchantId), 'whale')).filter(
      (w) => w.currency === 'USDT' && w.network === tron.name,
    );
    const before =
      (await getBalances(env.deps, String(b.merchantId))).find((r) => r.currency === 'USDT')?.available ?? 0n;
    const seen = await recordSeenDeposit(env.deps, {
      network: tron,
      txHash: `${Date.now()}`.padStart(64, 'a'),
      logIndex: 0,
      blockNumber: 1n,
      blockHash: 'b'.repeat(64),
      address: addr!.address,
      asset: 'USDT',
      chainAmount: 2_000_000n * 10n ** 6n,
    });
    const done = await confirmDeposit(env.deps, tron, seen!.id);
    assert.equal(done?.status, 14);
    const after = (await getBalances(env.deps, String(b.merchantId))).find((r) => r.currency === 'USDT')!.available;
    assert.equal(after - before, 2_000_000n * 10n ** 18n);
  },
);

test('defect 9.1: creating a merchant writes the merchant and its CinetPay site in one transaction', async () => {
  await env.deps.db.query(`CREATE FUNCTION fail_site() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'injected fault'; END $$`);
  await env.deps.db.query('CREATE TRIGGER fail_site BEFORE INSERT ON cinetpay_sites EXECUTE FUNCTION fail_site()');
  try {
    await assert.rejects(newMerchant(env, { brand: 'Half Made' }), /injected fault/);
  } finally {
    await env.deps.db.query('DROP TRIGGER fail_site ON cinetpay_sites; DROP FUNCTION fail_site()');
  }
  const left = await env.deps.db.query("SELECT id FROM merchants WHERE brand = 'Half Made'");
  assert.deepEqual(left.rows, [], 'no merchant without its site');
});

test(
  'defect 9.1: crediting a deposit and marking it confirmed ' + 'are one transaction (a fault between changes nothing)',
  async () => {
    const tron = env.deps.config.crypto.networks.find((n) => n.family === 'tron')!;
    const r = await postForm(
      `${env.url}/openapi/v1/createOrder`,
      signed(
        {
          merchantId: String(a.merchantId),
          merchantTradeNo: `DEP-${Date.now()}`,
          createTime: String(env.clock.now().getTime()),
          userId: 'u1',
          amount: '25',
          cryptoCurrency: 'USDT',
          network: tron.name,
        },
        a.securityKey,
      ),
    );
    assert.equal(r.body.code, 0, JSON.stringify(r.body));
    const seen = await recordSeenDeposit(env.deps, {
      network: tron,
      txHash: `${Date.now()}`.padStart(64, 'c'),
      logIndex: 0,
      blockNumber: 2n,
      blockHash: 'd'.repeat(64),
      address: r.body.data.address,
      asset: 'USDT',
      chainAmount: 25_000_000n,
    });
    await env.deps.db.query(`CREATE FUNCTION fail_mark() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.status = 'confirmed' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$`);
    await env.deps.db.query(
      'CREATE TRIGGER fail_mark BEFORE UPDATE ON chain_deposits FOR EACH ROW EXECUTE FUNCTION fail_mark()',
    );
    const orderId = r.body.data.orderId as string;
    const entries = async () =>
      Number(
        (await env.deps.db.query('SELECT count(*) FROM journal_entries WHERE order_id = $1', [orderId])).rows[0].count,
      );
    try {
      await assert.rejects(confirmDeposit(env.deps, tron, seen!.id), /injected fault/);
      const o = await env.deps.db.query('SELECT status FROM orders WHERE id = $1', [orderId]);
      assert.equal(o.rows[0].status, 11, 'the order is not completed without its deposit marked');
      assert.equal(await entries(), 0, 'and nothing is credited');
    } finally {
      await env.deps.db.query('DROP TRIGGER fail_mark ON chain_deposits; DROP FUNCTION fail_mark()');
    }
    const done = await confirmDeposit(env.deps, tron, seen!.id);
    assert.equal(done?.status, 14);
    assert.equal(await entries(), 1);
    assert.equal(await confirmDeposit(env.deps, tron, seen!.id), undefined, 'a second confirmation does nothing');
    assert.equal(await entries(), 1);
  },
);
