// The TRON deposit watcher end to end against a local stand-in of the full-node HTTP API
// (test/fixtures/tron-standin.ts): the code under test is the production watcher
// (src/workers/chain-watcher.ts) with the production TRON source (src/rails/tron/client.ts, chosen by
// chainSourceFor from TENDER_RPC_TRON); only the node is a stand-in, serving blocks and transaction infos
// the test scripts. Orders, ledger and webhooks are checked as in test/evm-watcher.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, getJson, webhookReceiver, sleep, until, type TestEnv } from './harness.js';
import { TronStandin, trx, trc20, contractCall, randomTronAddress, testContractAddress } from './fixtures/tron-standin.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { startChainWatcher, type ChainWatcher } from '../src/workers/chain-watcher.js';
import { tronChain } from '../src/rails/tron/client.js';
import { hexToTron, tronToHex, parseJsonExact, int, tokenTransfers, nativeTransfers, TRANSFER_TOPIC } from '../src/rails/tron/transform.js';
import { getBalances } from '../src/core/balances.js';
import { listDepositAddresses } from '../src/core/address-listing.js';
import { findOrder } from '../src/store/orders-repo.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import type { NetworkConfig } from '../src/rails/crypto/networks.js';
import { referenceRoot } from './reference-keys.js';

const root = referenceRoot;
const NET = 'TRON(TRC-20)';
const USDT = testContractAddress('tender-test-usdt-trc20'); // the token the test configures (TENDER_USDT_TRON)
const OTHER_TOKEN = testContractAddress('some-other-trc20');
const BATCH = testContractAddress('a-batch-payout-contract');
const E12 = 10n ** 12n; // USDT: 6 decimals on TRON, 18 in the ledger

let node: TronStandin;
let env: TestEnv;
let m: MerchantCredentials;
let net: NetworkConfig;
let dispatcher: Dispatcher;
let watcher: ChainWatcher | undefined;
let rx: Awaited<ReturnType<typeof webhookReceiver>>;
const savedKey = process.env.TENDER_TRON_API_KEY;

before(async () => {
  node = await new TronStandin([USDT, OTHER_TOKEN]).start();
  node.mineEmpty(20);
  process.env.TENDER_TRON_API_KEY = 'test-trongrid-key';
  env = await startTestEnv({
    TENDER_XPUB_TRON: root.derive("m/44'/195'/0'").publicExtendedKey, TENDER_RPC_TRON: node.url, TENDER_USDT_TRON: USDT,
    TENDER_CONFIRMATIONS_TRON: '3', TENDER_PAYMENT_TOLERANCE_BPS: '100',
  });
  net = env.deps.config.crypto.networks.find((n) => n.key === 'TRON')!;
  rx = await webhookReceiver([{ status: 200, body: 'success' }]);
  m = await newMerchant(env, { callbackUrl: rx.url, feeBps: 100 });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
  watcher = startChainWatcher(env.deps, net, { pollMs: 50, initialLookback: 1000 }); // no `chain`: the production TRON source
});

after(async () => {
  await watcher?.stop();
  await dispatcher?.stop();
  await rx?.close();
  await env?.close();
  await node?.close();
  if (savedKey === undefined) delete process.env.TENDER_TRON_API_KEY; else process.env.TENDER_TRON_API_KEY = savedKey;
});

async function cryptoOrder(tradeNo: string, amount: string, currency: 'USDT' | 'TRX'): Promise<{ orderId: string; address: string }> {
  const p = { merchantId: String(m.merchantId), merchantTradeNo: tradeNo, createTime: String(Date.now()), userId: 'buyer-1', amount, cryptoCurrency: currency, network: NET };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  assert.equal(r.body.data.network, NET);
  return { orderId: r.body.data.orderId, address: r.body.data.address };
}
async function walletAddress(userId: string): Promise<string> {
  const w = await getJson(`${env.url}/openapi/v1/getWalletAddress`, signed({ merchantId: String(m.merchantId), userId }, m.securityKey));
  return w.body.data.find((x: any) => x.currency === 'USDT' && x.network === NET).address as string;
}
const order = async (id: string) => (await findOrder(env.deps.db, { by: 'id', id }))!;
const orderAt = (id: string, status: number) => until(`order ${id} at ${status}`, async () => { const o = await order(id); return o.status === status ? o : undefined; });
const hookFor = (orderId: string, status: number) => until(`webhook of ${orderId} at ${status}`, async () =>
  rx.calls.map((c) => JSON.parse(c.form.get('param')!)).find((p) => p.orderId === orderId && p.orderStatus === status));
const entries = async (orderId?: string) => (await env.deps.db.query(
  `SELECT count(*)::int AS n FROM journal_entries${orderId ? ' WHERE order_id = $1' : ''}`, orderId ? [orderId] : [])).rows[0].n as number;
const deposit = async (txHash: string) => (await env.deps.db.query('SELECT * FROM chain_deposits WHERE tx_hash = $1 ORDER BY log_index', [txHash])).rows;
const confirmedDeposit = (txHash: string) => until(`confirmed deposit ${txHash}`, async () => { const r = (await deposit(txHash))[0]; return r?.status === 'confirmed' ? r : undefined; });
const balance = async (currency: string) => (await getBalances(env.deps, String(m.merchantId))).find((b) => b.currency === currency)?.available ?? 0n;
/** The watcher has scanned past the stand-in's current head. */
const scannedHead = () => {
  const head = BigInt(node.head);
  return until('the cursor past the head', async () => {
    const { rows } = await env.deps.db.query('SELECT next_block FROM chain_cursors WHERE network = $1', [NET]);
    return rows[0] && BigInt(rows[0].next_block) > head;
  });
};

test('pure: TRON addresses hex ⇄ base58, exact int64 JSON, Transfer logs only from succeeded calls of the token', () => {
  // Tether's USDT on TRON: the published pair.
  assert.equal(hexToTron('41a614f803b6fd780986a42c78ec9c7f77e6ded13c'), 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t');
  assert.equal(tronToHex('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'), '41a614f803b6fd780986a42c78ec9c7f77e6ded13c');
  assert.throws(() => tronToHex('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u'), /not a TRON address/);
  const big = parseJsonExact('{"amount": 90071992547409931, "n": [12345678901234567], "s":"12345678901234567"}') as any;
  assert.equal(int(big.amount), 90071992547409931n);
  assert.equal(int(big.n[0]), 12345678901234567n);
  assert.equal(int(undefined), 0n);

  const to = randomTronAddress();
  const watched = new Set([to]);
  const blockID = '0000000000000005' + 'ab'.repeat(24);
  const tx = (txID: string, contractRet: string, type = 'TriggerSmartContract', value: Record<string, unknown> = {}) =>
    ({ txID, ret: [{ contractRet }], raw_data: { contract: [{ type, parameter: { value } }] } });
  const log = (token: string, amount: bigint) => ({
    address: tronToHex(token).slice(2), topics: [TRANSFER_TOPIC, '0'.repeat(64), tronToHex(to).slice(2).padStart(64, '0')], data: amount.toString(16).padStart(64, '0'),
  });
  const block = {
    blockID, block_header: { raw_data: { number: 5 } },
    transactions: [tx('a'.repeat(64), 'SUCCESS'), tx('b'.repeat(64), 'REVERT'), tx('c'.repeat(64), 'SUCCESS'),
      tx('d'.repeat(64), 'SUCCESS', 'TransferContract', { amount: 7, owner_address: tronToHex(randomTronAddress()), to_address: tronToHex(to) }),
      tx('e'.repeat(64), 'REVERT', 'TransferContract', { amount: 9, owner_address: tronToHex(randomTronAddress()), to_address: tronToHex(to) })],
  };
  const infos = [
    { id: 'a'.repeat(64), blockNumber: 5, receipt: { result: 'SUCCESS' }, log: [log(OTHER_TOKEN, 1n), log(USDT, 2n)] },
    // A node never keeps the logs of a reverted call; if one did, they would still be ignored.
    { id: 'b'.repeat(64), blockNumber: 5, result: 'FAILED', receipt: { result: 'REVERT' }, log: [log(USDT, 3n)] },
    { id: 'c'.repeat(64), blockNumber: 5, receipt: { result: 'SUCCESS' }, log: [log(USDT, 4n)] },
  ];
  const found = tokenTransfers(infos, block, tronToHex(USDT).slice(2), watched);
  assert.deepEqual(found.map((t) => [t.txHash[0], t.logIndex, t.chainAmount, t.to, t.blockHash, t.blockNumber]),
    [['a', 1, 2n, to, blockID, 5n], ['c', 3, 4n, to, blockID, 5n]], 'logIndex counts every log of the block, in order');
  assert.deepEqual(nativeTransfers(block, watched).map((t) => [t.txHash[0], t.logIndex, t.chainAmount]), [['d', -1, 7n]]);
});

test('the production TRON source against the stand-in: head, block hashes, balances, API key, retries', async () => {
  const src = tronChain(node.url, USDT, { apiKey: 'k-123' });
  const who = randomTronAddress();
  assert.deepEqual(await src.balances!(who), { native: 0n, usdt: 0n }, 'an account that does not exist: {} → 0');
  node.mine([trx(who, 9_007_199_254_740_993n), trc20(USDT, who, 1_250_000n), trc20(OTHER_TOKEN, who, 5n)]);
  assert.equal(await src.head(), BigInt(node.head));
  assert.equal(await src.blockHash(BigInt(node.head)), node.blockID(node.head));
  assert.equal(await src.blockHash(BigInt(node.head + 5)), null);
  assert.deepEqual(await src.balances!(who), { native: 9_007_199_254_740_993n, usdt: 1_250_000n }, 'sun above 2^53 stays exact');
  const last = node.calls.at(-1)!;
  assert.equal(last.path, '/wallet/triggerconstantcontract');
  assert.equal(last.headers['tron-pro-api-key'], 'k-123');
  const found = await src.transfers(BigInt(node.head), BigInt(node.head), new Set([who]));
  assert.deepEqual(found.map((t) => [t.asset, t.chainAmount, t.logIndex]), [['native', 9_007_199_254_740_993n, -1], ['USDT', 1_250_000n, 0]]);
  node.failNext(2, { apiKey: 'k-123' }); // HTTP 500 twice: retried inside the client
  assert.equal(await src.head(), BigInt(node.head));
  node.failNext(1, { apiKey: 'k-123', mode: 'error-body' }); // java-tron's {"Error": ...} answer is an error, not an empty block
  await assert.rejects(src.blockHash(1n), /NullPointerException/);
  assert.equal(tronChain(node.url, null).balances !== undefined, true);
  assert.deepEqual(await tronChain(node.url, null).balances!(who), { native: 9_007_199_254_740_993n, usdt: null });
});

test('a USDT TRC-20 order: seen → 11, three confirmations → 14 with hash, amounts and fee; webhook; found by hash', async () => {
  const o = await cryptoOrder('TRON-USDT-1', '12.5', 'USDT');
  assert.match(o.address, /^T[1-9A-HJ-NP-Za-km-z]{33}$/);
  const { txIDs: [, hash] } = node.mine([trx(randomTronAddress(), 1_000_000n), trc20(USDT, o.address, 12_500_000n)]); // the token transfer is the block's only log: logIndex 0
  const seen = await orderAt(o.orderId, 11);
  assert.equal(seen.hash, hash);
  const row = (await deposit(hash!))[0];
  assert.equal(row.status, 'seen');
  assert.equal(row.address, o.address);
  assert.equal(row.log_index, 0);
  node.mineEmpty(2);
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.hash, hash);
  assert.equal(done.network, NET);
  assert.equal(done.paidAmount, 12_500_000n * E12);
  assert.equal(done.fee, 125_000n * E12);
  assert.equal(done.receivedAmount, 12_375_000n * E12);
  const hook = await hookFor(o.orderId, 14);
  assert.equal(hook.actualAmount, '12.5');
  assert.equal(hook.receivedAmount, '12.375');
  assert.equal(hook.fee, '0.125');
  assert.equal(hook.hash, hash);
  assert.equal(await entries(o.orderId), 1);
  const byHash = await getJson(`${env.url}/openapi/v1/getOrderDetail`, signed({ merchantId: String(m.merchantId), hash: hash! }, m.securityKey));
  assert.equal(byHash.body.data?.orderId ?? byHash.body.data?.[0]?.orderId, o.orderId, JSON.stringify(byHash.body));
  assert.ok(node.calls.some((c) => c.headers['tron-pro-api-key'] === 'test-trongrid-key'), 'TENDER_TRON_API_KEY is sent as TRON-PRO-API-KEY');
});

test('a TRX order paid by a native transfer reaches 14', async () => {
  const o = await cryptoOrder('TRON-TRX-1', '25', 'TRX');
  const { txIDs: [hash] } = node.mine([trx(o.address, 25_000_000n)]);
  await orderAt(o.orderId, 11);
  assert.equal((await deposit(hash!))[0].log_index, -1);
  node.mineEmpty(2);
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.hash, hash);
  assert.equal(done.paidAmount, 25_000_000n);
  assert.equal(done.fee, 250_000n);
  const hook = await hookFor(o.orderId, 14);
  assert.equal(hook.actualAmount, '25');
  assert.equal(hook.cryptoCurrency ?? hook.currency, 'TRX');
});

test('a no-order deposit to a getWalletAddress address is credited and notified', async () => {
  const addr = await walletAddress('carol');
  const before = await balance('USDT');
  const { txIDs: [hash] } = node.mine([trc20(USDT, addr, 5_000_000n)]);
  node.mineEmpty(2);
  const row = await confirmedDeposit(hash!);
  const o = await order(row.order_id);
  assert.equal(o.dialect, 'deposit');
  assert.equal(o.merchantTradeNo, `deposit:${NET}:${hash}:0`);
  assert.equal(o.userId, 'carol');
  assert.equal(o.status, 14);
  assert.equal(await balance('USDT') - before, 5_000_000n * E12 - 50_000n * E12, 'net of the 1% fee');
  const hook = await hookFor(o.id, 14);
  assert.equal(hook.actualAmount, '5');
});

test('Transfer logs emitted inside another contract\'s call are seen; logIndex is the block-wide log position; other tokens are not USDT', async () => {
  const dave = await walletAddress('dave');
  const erin = await walletAddress('erin');
  const { txIDs: [first, batch] } = node.mine([
    trc20(USDT, randomTronAddress(), 1n), // log 0, to a stranger
    contractCall(BATCH, [
      { token: OTHER_TOKEN, to: dave, amount: 999_000_000n }, // log 1: not the configured token
      { token: USDT, to: dave, amount: 2_000_000n }, // log 2
      { token: USDT, to: erin, amount: 3_000_000n }, // log 3
    ]),
  ]);
  node.mineEmpty(2);
  await until('both batch deposits confirmed', async () => { const r = await deposit(batch!); return r.length === 2 && r.every((d) => d.status === 'confirmed') ? r : undefined; });
  const rows = await deposit(batch!);
  assert.deepEqual(rows.map((r) => [r.log_index, r.address, r.asset, BigInt(r.chain_amount)]), [[2, dave, 'USDT', 2_000_000n], [3, erin, 'USDT', 3_000_000n]]);
  assert.equal((await deposit(first!)).length, 0);
  for (const r of rows) assert.equal((await order(r.order_id)).merchantTradeNo, `deposit:${NET}:${batch}:${r.log_index}`);
});

test('watcher restart after "seen": nothing lost, nothing doubled; a second watcher cannot take the lease', async () => {
  const second = startChainWatcher(env.deps, net, { pollMs: 50 });
  assert.equal(await second.runOnce(), false, 'the running watcher holds the network lease');
  await second.stop();

  const o = await cryptoOrder('TRON-RESTART', '3', 'USDT');
  const totalBefore = await entries();
  const { txIDs: [hash] } = node.mine([trc20(USDT, o.address, 3_000_000n)]);
  await orderAt(o.orderId, 11);
  await watcher!.stop();
  watcher = undefined;
  node.mineEmpty(5);
  watcher = startChainWatcher(env.deps, net, { pollMs: 50 });
  await orderAt(o.orderId, 14);
  node.mineEmpty(3);
  await scannedHead();
  await sleep(200);
  assert.equal((await deposit(hash!)).length, 1);
  assert.equal(await entries(o.orderId), 1);
  assert.equal(await entries(), totalBefore + 1, 'exactly one new ledger entry');
});

test('a re-org before confirmation takes the deposit back; the same transaction mined again is then confirmed', async () => {
  const o = await cryptoOrder('TRON-REORG', '7', 'USDT');
  const mined = node.mine([trc20(USDT, o.address, 7_000_000n)]);
  const hash = mined.txIDs[0]!;
  await orderAt(o.orderId, 11);
  assert.equal((await deposit(hash))[0].block_hash, mined.blockID);
  // The block is replaced by a sibling without the transaction, and the chain grows past the confirmation depth.
  const [sibling] = node.reorg(1, [[trx(randomTronAddress(), 1n)]]);
  assert.notEqual(sibling!.blockID, mined.blockID);
  assert.equal(sibling!.number, mined.number);
  node.mineEmpty(4);
  await until('reorged deposit', async () => (await deposit(hash))[0]?.status === 'reorged');
  await scannedHead();
  await sleep(200);
  assert.equal((await deposit(hash))[0].status, 'reorged');
  assert.equal((await order(o.orderId)).status, 11, 'no way back to 0; the order waits for a payment that sticks');
  assert.equal(await entries(o.orderId), 0, 'nothing credited');
  // The same transaction is included again in a later block: seen again, confirmed as usual, credited once.
  const again = node.mine([trc20(USDT, o.address, 7_000_000n, { txID: hash })]);
  node.mineEmpty(2);
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.hash, hash);
  await confirmedDeposit(hash);
  const rows = await deposit(hash);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].block_hash, again.blockID);
  assert.equal(await entries(o.orderId), 1);
});

test('failed transactions (contractRet other than SUCCESS) and transfers to unknown addresses are ignored', async () => {
  const usdtOrder = await cryptoOrder('TRON-FAILED-USDT', '4', 'USDT');
  const trxOrder = await cryptoOrder('TRON-FAILED-TRX', '4', 'TRX');
  const stranger = randomTronAddress();
  const { txIDs } = node.mine([
    trc20(USDT, usdtOrder.address, 4_000_000n, { contractRet: 'REVERT' }),
    trc20(USDT, usdtOrder.address, 4_000_000n, { contractRet: 'OUT_OF_ENERGY' }),
    trx(trxOrder.address, 4_000_000n, { contractRet: 'REVERT' }),
    trc20(USDT, stranger, 4_000_000n),
    trx(stranger, 4_000_000n),
  ]);
  node.mineEmpty(4);
  await scannedHead();
  await sleep(300);
  for (const h of txIDs) assert.deepEqual(await deposit(h), [], `nothing recorded for ${h}`);
  assert.equal((await order(usdtOrder.orderId)).status, 0);
  assert.equal((await order(trxOrder.orderId)).status, 0);
});

test('a node failing requests (HTTP 500, {"Error"} bodies) delays the watcher but loses and doubles nothing', async () => {
  const o = await cryptoOrder('TRON-FLAKY', '6', 'USDT');
  const totalBefore = await entries();
  node.failNext(4, { path: '/wallet/gettransactioninfobyblocknum' }); // beyond the client's own two retries: passes fail
  node.failNext(3, { path: '/wallet/getblockbynum', mode: 'error-body' });
  const { txIDs: [hash] } = node.mine([trc20(USDT, o.address, 6_000_000n)]);
  await orderAt(o.orderId, 11);
  node.failNext(5);
  node.mineEmpty(2);
  await orderAt(o.orderId, 14);
  assert.equal(node.pendingFailures, 0, 'every scripted failure was served');
  node.mineEmpty(3);
  await scannedHead();
  assert.equal((await deposit(hash!)).length, 1);
  assert.equal(await entries(o.orderId), 1);
  assert.equal(await entries(), totalBefore + 1);
});

test('the operator listing shows TRON deposit addresses with live balances from the node', async () => {
  const carol = await walletAddress('carol'); // 5 USDT arrived above
  node.mine([trx(carol, 1_500_000n)]);
  const list = await listDepositAddresses(env.deps, { merchantId: String(m.merchantId), balances: true });
  const item = list.find((x) => x.address === carol)!;
  assert.equal(item.family, 'tron');
  assert.match(item.derivationPath, /^m\/44'\/195'\/0'\/0\/\d+$/);
  assert.deepEqual(item.balances, [
    { network: NET, currency: 'TRX', balance: '1.5' },
    { network: NET, currency: 'USDT', balance: '5' },
  ]);
});
