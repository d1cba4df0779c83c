// Issue 11 proof, live mode on a REAL local EVM node (hardhat, automining off: the test mines): an operator's
// hot wallet made by the core of `tender hot-wallet create` and funded on chain; signed `withdraw` calls over
// real HTTP; the real payout sender (src/workers/payout-sender.ts) with the registered EVM rail. Each payout
// goes 0 → 11 (hash known, money frozen) → 14 at depth (the debit), the recipient gains EXACTLY receivedAmount
// on chain, the webhooks of 11 and 14 arrive, and the ledger invariants hold in SQL. Concurrent payouts take
// gap-free nonces and each pays once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { getAddress } from 'viem';
import { newMerchant, startTestEnv, until, webhookReceiver, type TestEnv } from './harness.js';
import { fundMerchant, withdraw } from './payout-helpers.js';
import { apiBalance, hooksOf, orderDetail, stageOf, statusOf, type Hooks } from './payout-live-helpers.js';
import { startHardhatNode, HARDHAT_CHAIN_ID, type HardhatNode } from './hardhat-node.js';
import { startEvmRpcProxy, type EvmRpcProxy } from './fixtures/evm-rpc-proxy.js';
import { brokenInvariants } from './invariants.js';
import { createHotWallet } from '../src/core/hot-wallets.js';
import { startPayoutSender } from '../src/workers/payout-sender.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

const CONFIRMATIONS = 3;
let node: HardhatNode;
/** Tender reaches the node through this proxy, which can make a broadcast fail. */
let proxy: EvmRpcProxy;
let env: TestEnv;
let dbUrl: string;
let hot: string;
let hooks: Hooks;
let sender: { stop(): Promise<void> };
let dispatcher: Dispatcher;
let m: MerchantCredentials;

before(async () => {
  node = await startHardhatNode();
  proxy = await startEvmRpcProxy(() => node.url);
  env = await startTestEnv({
    TENDER_MODE: 'live',
    TENDER_RPC_ETHEREUM: proxy.url,
    TENDER_CHAIN_ID_ETHEREUM: String(HARDHAT_CHAIN_ID),
    TENDER_USDT_ETHEREUM: node.token,
    TENDER_CONFIRMATIONS_ETHEREUM: String(CONFIRMATIONS),
    TENDER_PAYOUT_FEES: 'USDT:ETHEREUM=1+0,ETH:ETHEREUM=0.001+0',
    TENDER_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1',
  });
  dbUrl = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  hot = (await createHotWallet(env.deps, 'evm')).address;
  await node.fund(hot, 'ETH', 50n * 10n ** 18n);
  await node.fund(hot, 'USDT', 10_000n * 10n ** 6n);
  hooks = await webhookReceiver([{ status: 200, body: 'OK' }]);
  m = await newMerchant(env, { webhookFormat: 'cpay-legacy', callbackUrl: hooks.url });
  await fundMerchant(env, m, 'USDT', '5000');
  await fundMerchant(env, m, 'ETH', '20');
  sender = startPayoutSender(env.deps, { pollMs: 50 });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await sender?.stop();
  await dispatcher?.stop();
  await hooks?.close();
  await env?.close();
  await proxy?.close();
  await node?.stop();
});

const freshAddress = () => getAddress(`0x${randomBytes(20).toString('hex')}`);
const onChain = (to: string, asset: string) => (asset === 'USDT' ? node.usdtBalance(to) : node.ethBalance(to));
const hotNonce = async (tag: 'latest' | 'pending') => BigInt(await node.rpc('eth_getTransactionCount', [hot, tag]));

test(
  'issue 11: live EVM (hardhat): ETH and USDT withdraw → 11 with hash → 14 at depth; exact amount ' +
    'on chain; webhooks; ledger',
  async () => {
    for (const [asset, total, received, units] of [
      ['USDT', '25.5', '24.5', 24_500_000n],
      ['ETH', '0.12345678', '0.12245678', 122_456_780_000_000_000n],
    ] as const) {
      const to = freshAddress();
      const before = await apiBalance(env, m, asset);
      const r = await withdraw(env, m, {
        cryptoCurrency: asset,
        network: 'Ethereum(ERC-20)',
        totalAmount: total,
        receivedAmount: received,
        toAddress: to,
      });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      const id = r.body.data.orderId as string;
      // Frozen at once: the hold moved from available to freeze.
      const held = await apiBalance(env, m, asset);
      assert.equal(Number(held.frozen), Number(total), `${asset}: the total is frozen`);
      assert.equal(
        Number(held.available).toFixed(9),
        (Number(before.available) - Number(total)).toFixed(9),
        `${asset}: available less the total`,
      );
      // Broadcast into the node's mempool: status 11 with the transaction's hash, nothing paid yet.
      await until(`${asset} payout at 11`, async () => (await statusOf(env, id)) === 11);
      const d11 = await orderDetail(env, m, id);
      assert.match(String(d11.hash), /^[0-9a-f]{64}$/);
      const tx = await node.rpc('eth_getTransactionByHash', [`0x${d11.hash}`]);
      assert.equal(tx.from.toLowerCase(), hot.toLowerCase(), 'sent by the hot wallet');
      assert.equal(await onChain(to, asset), 0n, 'nothing paid before a block');
      // Mined, but shallower than the depth: still 11, still frozen.
      await node.mine(1);
      await until(`${asset} attempt seen in a block`, async () => {
        const rc = await node.rpc('eth_getTransactionReceipt', [`0x${d11.hash}`]);
        return rc !== null;
      });
      assert.equal(await onChain(to, asset), units, `${asset}: the recipient gains exactly receivedAmount`);
      assert.equal(await statusOf(env, id), 11);
      assert.equal(Number((await apiBalance(env, m, asset)).frozen), Number(total), 'still frozen below the depth');
      await node.mine(CONFIRMATIONS - 1);
      await until(`${asset} payout at 14`, async () => (await statusOf(env, id)) === 14);
      const d14 = await orderDetail(env, m, id);
      assert.equal(d14.hash, d11.hash, 'the hash of the one transaction');
      assert.equal(d14.network, 'Ethereum(ERC-20)');
      // The debit: nothing frozen any more, available stays less the total.
      const after = await apiBalance(env, m, asset);
      assert.equal(Number(after.frozen), 0);
      assert.equal(after.available, held.available);
      assert.equal(await onChain(to, asset), units, 'paid once');
      const got = await until(`${asset} webhooks 11 and 14`, async () => {
        const h = hooksOf(hooks, id);
        return h.length >= 2 && h;
      });
      assert.deepEqual(
        got.map((h) => String(h.orderStatus)),
        ['11', '14'],
      );
      assert.equal(got.at(-1)!.hash, d11.hash);
    }
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  },
);

test('issue 11: live EVM: twelve concurrent withdrawals take gap-free nonces and each pays exactly once', async () => {
  const start = await hotNonce('pending');
  const wanted = Array.from({ length: 12 }, (_, i) => {
    const asset = i % 2 ? 'ETH' : 'USDT';
    const units = asset === 'USDT' ? BigInt(1 + i) * 1_000_000n : BigInt(1 + i) * 10n ** 15n;
    const received = asset === 'USDT' ? String(1 + i) : (0.001 * (1 + i)).toFixed(3);
    const total = asset === 'USDT' ? String(2 + i) : (0.001 * (2 + i)).toFixed(3);
    return { asset, units, received, total, to: freshAddress() };
  });
  const answers = await Promise.all(
    wanted.map((w) =>
      withdraw(env, m, {
        cryptoCurrency: w.asset,
        network: 'ETH',
        totalAmount: w.total,
        receivedAmount: w.received,
        toAddress: w.to,
      }),
    ),
  );
  const ids = answers.map((a) => {
    assert.equal(a.body.code, 0, JSON.stringify(a.body));
    return a.body.data.orderId as string;
  });
  await until('all twelve at 11', async () =>
    (await Promise.all(ids.map((id) => statusOf(env, id)))).every((s) => s === 11),
  );
  const { rows } = await env.deps.db.query<{ nonce: string; payout_id: string }>(
    `SELECT nonce::text, payout_id FROM payout_attempts ` +
      `WHERE payout_id = ANY($1::text[]) ORDER BY payout_attempts.nonce`,
    [ids],
  );
  assert.deepEqual(
    rows.map((r) => BigInt(r.nonce)),
    ids.map((_, i) => start + BigInt(i)),
    'one attempt per payout, nonces consecutive from the chain count',
  );
  assert.equal(await hotNonce('pending'), start + 12n, 'all twelve in the mempool, none queued behind a gap');
  await node.mine(CONFIRMATIONS);
  await until(
    'all twelve at 14',
    async () => (await Promise.all(ids.map((id) => statusOf(env, id)))).every((s) => s === 14),
    60_000,
  );
  for (const w of wanted) assert.equal(await onChain(w.to, w.asset), w.units, `${w.asset} to ${w.to}: exactly once`);
  assert.equal(await hotNonce('latest'), start + 12n, 'twelve transactions, no more');
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
});

test('issue 11: live EVM: a hot wallet short of USDT waits in 0 (hot_wallet_short) and pays once funded', async () => {
  const have = await node.usdtBalance(hot);
  const to = freshAddress();
  const amount = have / 10n ** 6n + 1n; // one USDT more than the hot wallet holds
  await fundMerchant(env, m, 'USDT', String(amount + 1n));
  const r = await withdraw(env, m, {
    cryptoCurrency: 'USDT',
    network: 'Ethereum(ERC-20)',
    totalAmount: String(amount + 1n),
    receivedAmount: String(amount),
    toAddress: to,
  });
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const id = r.body.data.orderId as string;
  await until('waiting for funds', async () => (await stageOf(env, id)).reason === 'hot_wallet_short');
  assert.equal(await statusOf(env, id), 0);
  assert.equal((await env.deps.db.query('SELECT 1 FROM payout_attempts WHERE payout_id = $1', [id])).rowCount, 0);
  await node.fund(hot, 'USDT', 10n ** 6n);
  await until('broadcast once funded', async () => (await statusOf(env, id)) === 11, 30_000);
  await node.mine(CONFIRMATIONS);
  await until('paid', async () => (await statusOf(env, id)) === 14);
  assert.equal(await node.usdtBalance(to), amount * 10n ** 6n);
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
});

test(
  'issue 11: live EVM: a hot wallet without ETH for the gas waits unsigned (hot_wallet_short), ' + 'pays once funded',
  async () => {
    await node.fund(hot, 'USDT', 100n * 10n ** 6n); // tokens enough: only the gas is missing
    const eth = await node.ethBalance(hot);
    await node.rpc('hardhat_setBalance', [hot, '0x3b9aca00']); // 1 gwei: no transfer's fee fits
    const start = await hotNonce('pending');
    const to = freshAddress();
    const r = await withdraw(env, m, {
      cryptoCurrency: 'USDT',
      network: 'Ethereum(ERC-20)',
      totalAmount: '6',
      receivedAmount: '5',
      toAddress: to,
    });
    assert.equal(r.body.code, 0, JSON.stringify(r.body));
    const id = r.body.data.orderId as string;
    await until('waiting for gas money', async () => (await stageOf(env, id)).reason === 'hot_wallet_short');
    assert.equal(await statusOf(env, id), 0);
    assert.equal((await env.deps.db.query('SELECT 1 FROM payout_attempts WHERE payout_id = $1', [id])).rowCount, 0);
    assert.equal(await hotNonce('pending'), start, 'no nonce taken, nothing sent');
    await node.rpc('hardhat_setBalance', [hot, `0x${eth.toString(16)}`]);
    await until('broadcast once funded', async () => (await statusOf(env, id)) === 11, 30_000);
    await node.mine(CONFIRMATIONS);
    await until('paid', async () => (await statusOf(env, id)) === 14);
    assert.equal(await node.usdtBalance(to), 5_000_000n);
    assert.equal(await hotNonce('latest'), start + 1n, 'one transaction');
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  },
);

test(
  'issue 11: live EVM: a broadcast that errors is followed by the verdict, then the SAME bytes; ' +
    'never a second signature',
  async () => {
    await node.fund(hot, 'USDT', 100n * 10n ** 6n);
    for (const trouble of ['fail-before', 'fail-after'] as const) {
      const start = await hotNonce('pending');
      const to = freshAddress();
      // The node is unreachable for the first broadcasts (viem retries included), or takes the transaction and
      // the answer is lost.
      proxy.arm(trouble, 4);
      const r = await withdraw(env, m, {
        cryptoCurrency: 'USDT',
        network: 'Ethereum(ERC-20)',
        totalAmount: '4',
        receivedAmount: '3',
        toAddress: to,
      });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      const id = r.body.data.orderId as string;
      await until(`${trouble}: broadcast in the end`, async () => (await statusOf(env, id)) === 11, 30_000);
      assert.ok(proxy.troubled > 0);
      proxy.disarm();
      await node.mine(CONFIRMATIONS);
      await until(`${trouble}: paid`, async () => (await statusOf(env, id)) === 14);
      const { rows } = await env.deps.db.query('SELECT nonce::text, state FROM payout_attempts WHERE payout_id = $1', [
        id,
      ]);
      assert.deepEqual(rows, [{ nonce: String(start), state: 'confirmed' }], `${trouble}: one signature, its nonce`);
      assert.equal(await node.usdtBalance(to), 3_000_000n, `${trouble}: paid once`);
      assert.equal(await hotNonce('latest'), start + 1n, `${trouble}: one transaction`);
    }
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  },
);
