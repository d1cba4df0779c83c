// Issue 11, crypto payouts through POST /openapi/v1/withdraw on the sandbox payout rail: lifecycle to 14 with
// webhooks in both formats, 15 releasing the hold, balances, every refusal's own code, idempotency, and 200
// concurrent withdrawals against a balance that covers 10. Ledger invariants are checked in SQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, newMerchant, signed, startTestEnv, until, webhookReceiver, type TestEnv } from './harness.js';
import { ADDR, balanceOf, fundMerchant, withdraw } from './payout-helpers.js';
import { sandboxSettle } from './sandbox-settle.js';
import { brokenInvariants } from './invariants.js';
import { startPayoutSender } from '../src/workers/payout-sender.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { OPENAPI_CODES } from '../src/api/openapi/error-codes.js';
import { expireDueOrders } from '../src/core/payments.js';
import { setApprovalThreshold } from '../src/core/payout-settings.js';

let env: TestEnv;
let dbUrl: string;
let sender: { stop(): Promise<void> };
let dispatcher: Dispatcher;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

before(async () => {
  env = await startTestEnv({
    TENDER_SANDBOX_PAYOUT_DELAY_MS: '300',
    TENDER_PAYOUT_FEES: 'USDT:TRON=1+0,BTC:BITCOIN=0.0001+50',
  });
  dbUrl = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  hooks = await webhookReceiver([{ status: 200, body: 'success' }]);
  sender = startPayoutSender(env.deps, { pollMs: 50 });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await sender.stop();
  await dispatcher.stop();
  await hooks.close();
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  await env.close();
});

const status = async (orderId: string) =>
  (await env.deps.db.query('SELECT status FROM orders WHERE id = $1', [orderId])).rows[0].status as number;

async function detail(m: MerchantCredentials, q: Record<string, string>) {
  const p = signed({ merchantId: String(m.merchantId), ...q }, m.securityKey);
  return (await getJson(`${env.url}/openapi/v1/getOrderDetail`, p)).body;
}

const hooksOf = (orderId: string) =>
  hooks.calls
    .map((c) => (c.form.get('param') ? JSON.parse(c.form.get('param')!) : Object.fromEntries(c.form)))
    .filter((f) => f.orderId === orderId);

test(
  'issue 11: a withdrawal on the sandbox rail freezes, broadcasts (11), confirms (14) with ' +
    'webhooks in both formats',
  async () => {
    for (const format of ['cpay', 'cpay-legacy'] as const) {
      const m = await newMerchant(env, { webhookFormat: format, callbackUrl: hooks.url });
      await fundMerchant(env, m, 'USDT', '100');
      const r = await withdraw(env, m, { totalAmount: '25.5', receivedAmount: '24.5' });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      const d = r.body.data;
      assert.deepEqual(
        { s: d.status, o: d.orderAmount, rcv: d.receivedAmount, fee: d.fee, net: d.network, cur: d.cryptoCurrency },
        { s: '0', o: '25.50', rcv: '24.50', fee: '1.00', net: 'TRON(TRC-20)', cur: 'USDT' },
      );
      for (const v of Object.values(d)) assert.equal(typeof v, 'string', 'every field of the answer is a string');
      // The hold is visible at once.
      const bal = (
        await getJson(
          `${env.url}/openapi/v1/getMerchantBalance`,
          signed({ merchantId: String(m.merchantId) }, m.securityKey),
        )
      ).body.data.find((b: any) => b.currency === 'USDT');
      assert.equal(bal.availableBalance, '74.50');
      assert.equal(bal.freezeBalance, '25.50');
      await until('payout confirmed', async () => (await status(d.orderId)) === 14);
      const o = await detail(m, { cpayOrderId: d.orderId });
      assert.equal(o.data.orderStatus, 14);
      assert.match(o.data.hash, /^[0-9a-f]{64}$/);
      assert.equal(o.data.network, 'TRON(TRC-20)');
      // getOrderDetail finds the payout by its hash and by its merchantTradeNo too.
      assert.equal((await detail(m, { hash: o.data.hash })).data.orderId, d.orderId);
      assert.equal((await detail(m, { merchantTradeNo: d.merchantTradeNo })).data.orderId, d.orderId);
      const b = await balanceOf(env, m, 'USDT');
      assert.equal(b.frozen, 0n);
      assert.equal(b.available, 74_500_000_000_000_000_000n);
      const chain = await env.deps.db.query(
        'SELECT amount::text, to_address FROM sandbox_chain_txs WHERE payout_id = $1',
        [d.orderId],
      );
      assert.deepEqual(chain.rows, [{ amount: '24500000', to_address: ADDR.tron }], 'paid once, in the chain units');
      const want = format === 'cpay' ? ['14'] : ['11', '14'];
      const got = await until('webhooks', async () => {
        const h = hooksOf(d.orderId);
        return h.length >= want.length && h;
      });
      assert.deepEqual(
        got.map((h) => String(h.orderStatus)),
        want,
      );
      assert.equal(got.at(-1)!.hash, o.data.hash);
      assert.equal(got.at(-1)!.network, 'TRON(TRC-20)');
    }
  },
);

test(
  'issue 11: a payout failed on the sandbox chain closes at 15 and releases the hold (webhook ' + 'carries 15)',
  async () => {
    const m = await newMerchant(env, { webhookFormat: 'cpay', callbackUrl: hooks.url });
    await fundMerchant(env, m, 'USDT', '50');
    env.deps.config.payout.sandboxDelayMs = 60_000; // the helper settles it, not the delay
    try {
      const r = await withdraw(env, m, { totalAmount: '20', receivedAmount: '19' });
      assert.equal(r.body.code, 0);
      const id = r.body.data.orderId;
      await until('broadcast', async () => (await status(id)) === 11);
      const f = await sandboxSettle(env, id, 'fail');
      assert.equal(f.body.code, 0, JSON.stringify(f.body));
      assert.equal(f.body.data.orderStatus, 15);
      assert.deepEqual(await balanceOf(env, m, 'USDT'), { available: 50n * 10n ** 18n, frozen: 0n });
      const h = await until('webhook 15', async () => hooksOf(id).find((x) => x.orderStatus === 15));
      assert.match(h.remark, /failed/);
      // And the helper completes another at once.
      const r2 = await withdraw(env, m, { totalAmount: '20', receivedAmount: '19' });
      await until('broadcast', async () => (await status(r2.body.data.orderId)) === 11);
      const c = await sandboxSettle(env, r2.body.data.orderId, 'complete');
      assert.equal(c.body.data.orderStatus, 14);
    } finally {
      env.deps.config.payout.sandboxDelayMs = 300;
    }
  },
);

test('issue 11: every invalid address, amount and pair has its own code, and nothing moves', async () => {
  const m = await newMerchant(env);
  await fundMerchant(env, m, 'USDT', '100');
  await fundMerchant(env, m, 'BTC', '1');
  const C = OPENAPI_CODES;
  const cases: Array<[string, Record<string, string>, number]> = [
    ['EIP-55 checksum wrong', { network: 'Ethereum(ERC-20)', toAddress: ADDR.evmBadChecksum }, C.ADDRESS_CHECKSUM],
    [
      'EVM not hex',
      { network: 'BSC(BEP-20)', toAddress: '0xZZC17F958D2ee523a2206206994597C13D831ec7' },
      C.INVALID_ADDRESS,
    ],
    [
      'EVM too short',
      { network: 'Ethereum(ERC-20)', toAddress: '0xdAC17F958D2ee523a2206206994597C13D831e' },
      C.INVALID_ADDRESS,
    ],
    ['TRON address for Ethereum', { network: 'Ethereum(ERC-20)', toAddress: ADDR.tron }, C.ADDRESS_WRONG_NETWORK],
    ['TRON checksum wrong', { toAddress: ADDR.tronBadChecksum }, C.ADDRESS_CHECKSUM],
    ['TRON garbage', { toAddress: 'T0000' }, C.INVALID_ADDRESS],
    ['EVM address for TRON', { toAddress: ADDR.evm }, C.ADDRESS_WRONG_NETWORK],
    [
      'bech32 checksum wrong',
      {
        cryptoCurrency: 'BTC',
        network: 'Bitcoin',
        totalAmount: '0.01',
        receivedAmount: '0.00985',
        toAddress: ADDR.btcBadChecksum,
      },
      C.ADDRESS_CHECKSUM,
    ],
    [
      'base58 checksum wrong',
      {
        cryptoCurrency: 'BTC',
        network: 'Bitcoin',
        totalAmount: '0.01',
        receivedAmount: '0.00985',
        toAddress: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3',
      },
      C.ADDRESS_CHECKSUM,
    ],
    [
      'testnet address on mainnet',
      {
        cryptoCurrency: 'BTC',
        network: 'Bitcoin',
        totalAmount: '0.01',
        receivedAmount: '0.00985',
        toAddress: ADDR.btcTestnet,
      },
      C.ADDRESS_WRONG_NETWORK,
    ],
    ['BTC on TRON', { cryptoCurrency: 'BTC' }, C.PAYOUT_PAIR_NOT_SUPPORTED],
    [
      'ETH on Bitcoin',
      { cryptoCurrency: 'ETH', network: 'Bitcoin', toAddress: ADDR.btcWpkh },
      C.PAYOUT_PAIR_NOT_SUPPORTED,
    ],
    ['unknown network', { network: 'Solana' }, C.UNSUPPORTED_CURRENCY],
    ['unknown currency', { cryptoCurrency: 'DOGE' }, C.UNSUPPORTED_CURRENCY],
    ['9 decimals', { totalAmount: '10.000000001', receivedAmount: '9.000000001' }, C.TOO_MANY_DECIMALS],
    [
      'USDT on TRON has 6 decimals',
      { totalAmount: '11.0000001', receivedAmount: '10.0000001' },
      C.AMOUNT_NOT_REPRESENTABLE,
    ],
    ['fee not deducted', { totalAmount: '10', receivedAmount: '10' }, C.FEE_MISMATCH],
    ['too much', { totalAmount: '101', receivedAmount: '100' }, C.INSUFFICIENT_BALANCE],
    ['zero', { totalAmount: '1', receivedAmount: '0' }, C.INVALID_PARAM],
    ['negative', { totalAmount: '-5', receivedAmount: '-6' }, C.INVALID_PARAM],
    ['exponent', { totalAmount: '1e3', receivedAmount: '999' }, C.INVALID_PARAM],
    ['missing address', { toAddress: '' }, C.MISSING_PARAM],
  ];
  for (const [what, fields, code] of cases) {
    const r = await withdraw(env, m, fields);
    assert.equal(r.body.code, code, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.data, null);
  }
  const fee = await withdraw(env, m, { totalAmount: '10', receivedAmount: '10' });
  assert.match(fee.body.msg, /fee is 1 USDT, so receivedAmount must be 9/);
  assert.deepEqual(await balanceOf(env, m, 'USDT'), { available: 100n * 10n ** 18n, frozen: 0n });
  const { rows } = await env.deps.db.query(
    "SELECT count(*)::int AS n FROM orders WHERE merchant_id = $1 AND kind = 'payout'",
    [m.merchantId],
  );
  assert.equal(rows[0].n, 0, 'no payout row from any refusal');
  // The valid forms of every family are accepted: lower-case EVM (EIP-55's "no checksum"), taproot, P2SH, legacy.
  for (const [net, cur, to, total, rcv] of [
    ['Ethereum(ERC-20)', 'USDT', ADDR.evm.toLowerCase(), '1', '1'],
    ['Bitcoin', 'BTC', ADDR.btcTaproot, '0.001', '0.000895'],
    ['Bitcoin', 'BTC', ADDR.btcP2sh, '0.001', '0.000895'],
    ['Bitcoin', 'BTC', ADDR.btcLegacy, '0.001', '0.000895'],
  ] as const) {
    const r = await withdraw(env, m, {
      network: net,
      cryptoCurrency: cur,
      toAddress: to,
      totalAmount: total,
      receivedAmount: rcv,
    });
    assert.equal(r.body.code, 0, `${net} ${to}: ${JSON.stringify(r.body)}`);
  }
  const evm = await env.deps.db.query(
    "SELECT to_address FROM payouts WHERE merchant_id = $1 AND network = 'ETHEREUM'",
    [m.merchantId],
  );
  assert.equal(evm.rows[0].to_address, ADDR.evm, 'stored in its EIP-55 form');
});

test(
  'issue 11: withdraw is idempotent on merchantTradeNo; other fields are 20001; a pay-in may ' + 'share the number',
  async () => {
    const m = await newMerchant(env);
    await fundMerchant(env, m, 'USDT', '30');
    const fields = { merchantTradeNo: 'same-no', totalAmount: '10', receivedAmount: '9' };
    const a = await withdraw(env, m, fields);
    const b = await withdraw(env, m, { ...fields, createTime: String(Date.now() + 5) });
    assert.equal(a.body.code, 0);
    assert.equal(b.body.code, 0);
    assert.equal(b.body.data.orderId, a.body.data.orderId);
    assert.equal((await balanceOf(env, m, 'USDT')).frozen, 10n * 10n ** 18n, 'frozen once');
    const c = await withdraw(env, m, { ...fields, toAddress: 'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7' });
    assert.equal(c.body.code, OPENAPI_CODES.DUPLICATE_TRADE_NO);
    // A pay-in with the same merchantTradeNo is its own order; getOrderDetail by that number answers the pay-in.
    const p = {
      merchantId: String(m.merchantId),
      merchantTradeNo: 'same-no',
      createTime: String(Date.now()),
      userId: 'u',
      amount: '3',
      cryptoCurrency: 'USDT',
    };
    const r = await (
      await fetch(`${env.url}/openapi/v1/createOrder`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(signed(p, m.securityKey)),
      })
    ).json();
    assert.equal(r.code, 0);
    assert.notEqual(r.data.orderId, a.body.data.orderId);
    assert.equal((await detail(m, { merchantTradeNo: 'same-no' })).data.orderId, r.data.orderId);
    assert.equal((await detail(m, { cpayOrderId: a.body.data.orderId })).data.orderId, a.body.data.orderId);
  },
);

test(
  'issue 11: 200 concurrent withdrawals against a balance that covers 10 → exactly 10 accepted, ' + 'never negative',
  async () => {
    const m = await newMerchant(env);
    await fundMerchant(env, m, 'USDT', '100');
    env.deps.config.payout.sandboxDelayMs = 60_000;
    try {
      // A client retries "service unavailable, retry later" (30001: no database connection within the wait, which a
      // loaded machine can answer) with the same merchantTradeNo, as the API tells it to.
      const once = async (i: number) => {
        const fields = { totalAmount: '10', receivedAmount: '9', merchantTradeNo: `race-w-${i}` };
        for (;;) {
          const r = await withdraw(env, m, fields);
          if (r.body.code !== OPENAPI_CODES.SERVICE_UNAVAILABLE) return r;
        }
      };
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => once(i)));
      const codes = answers.map((a) => a.body.code);
      assert.equal(codes.filter((c) => c === 0).length, 10, JSON.stringify(codes));
      assert.equal(codes.filter((c) => c === OPENAPI_CODES.INSUFFICIENT_BALANCE).length, 190);
      assert.deepEqual(await balanceOf(env, m, 'USDT'), { available: 0n, frozen: 100n * 10n ** 18n });
      assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
    } finally {
      env.deps.config.payout.sandboxDelayMs = 300;
    }
  },
);

test(
  'issue 11: payouts never expire like pay-ins; the sandbox helper fails one not yet sent, never ' + 'completes it',
  async () => {
    const m = await newMerchant(env);
    await fundMerchant(env, m, 'USDT', '40');
    await setApprovalThreshold(env.deps, String(m.merchantId), 'USDT', '1');
    const r = await withdraw(env, m, { totalAmount: '20', receivedAmount: '19' });
    const id = r.body.data.orderId;
    env.clock.advance(env.deps.config.orderTtlSeconds * 10);
    try {
      await expireDueOrders(env.deps);
      assert.equal(await status(id), 0, 'still waiting for approval, not expired');
    } finally {
      env.clock.advance(-env.deps.config.orderTtlSeconds * 10);
    }
    const c = await sandboxSettle(env, id, 'complete');
    assert.equal(c.body.code, OPENAPI_CODES.ILLEGAL_TRANSITION);
    const f = await sandboxSettle(env, id, 'fail');
    assert.equal(f.body.data.orderStatus, 15);
    assert.deepEqual(await balanceOf(env, m, 'USDT'), { available: 40n * 10n ** 18n, frozen: 0n });
  },
);
