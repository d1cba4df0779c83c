// The Bitcoin deposit watcher end to end against an Esplora stand-in (test/fixtures/esplora-standin.ts):
// no bitcoind exists here, so a local HTTP server speaks the Esplora subset the production client uses
// (src/rails/bitcoin/esplora.ts), serving blocks and transactions these tests script. The watcher is the
// production one (src/workers/chain-watcher.ts), its chain source built by src/rails/crypto/sources.ts from
// TENDER_RPC_BITCOIN = the stand-in; addresses are the reference mnemonic's BIP84 account (m/84'/0'/0').
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, getJson, webhookReceiver, sleep, until, type TestEnv } from './harness.js';
import { EsploraStandin } from './fixtures/esplora-standin.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { startChainWatcher, type ChainWatcher } from '../src/workers/chain-watcher.js';
import { chainSourceFor } from '../src/rails/crypto/sources.js';
import { esploraChain } from '../src/rails/bitcoin/esplora.js';
import { deriveBitcoinAddress } from '../src/rails/crypto/derivation.js';
import { getBalances } from '../src/core/balances.js';
import { recordSeenDeposit } from '../src/core/deposits.js';
import { randomBytes } from 'node:crypto';
import { findOrder } from '../src/store/orders-repo.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import type { NetworkConfig } from '../src/rails/crypto/networks.js';
import { referenceRoot } from './reference-keys.js';

const root = referenceRoot;
const XPUB = root.derive("m/84'/0'/0'").publicExtendedKey;
/** Addresses that are not Tender's: another account of the same wallet. */
const stranger = (i: number) => deriveBitcoinAddress(root.derive("m/84'/0'/1'").publicExtendedKey, i, 'mainnet');
const NET = 'Bitcoin';

let chain: EsploraStandin;
let env: TestEnv;
let m: MerchantCredentials;
let net: NetworkConfig;
let dispatcher: Dispatcher;
let watcher: ChainWatcher | undefined;
let rx: Awaited<ReturnType<typeof webhookReceiver>>;

before(async () => {
  chain = await EsploraStandin.start(stranger(0), 5);
  env = await startTestEnv({
    TENDER_XPUB_BTC: XPUB, TENDER_RPC_BITCOIN: chain.url, TENDER_CONFIRMATIONS_BITCOIN: '2', TENDER_BITCOIN_NETWORK: 'mainnet',
  });
  net = env.deps.config.crypto.networks.find((n) => n.key === 'BITCOIN')!;
  rx = await webhookReceiver([{ status: 200, body: 'success' }]);
  m = await newMerchant(env, { callbackUrl: rx.url, feeBps: 100 });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
  watcher = startChainWatcher(env.deps, net, { pollMs: 50, initialLookback: 10 });
});

after(async () => {
  await watcher?.stop();
  await dispatcher?.stop();
  await rx?.close();
  await env?.close();
  await chain?.close();
});

async function btcOrder(tradeNo: string, amount: string): Promise<{ orderId: string; address: string }> {
  const p = { merchantId: String(m.merchantId), merchantTradeNo: tradeNo, createTime: String(Date.now()), userId: 'buyer-1', amount, cryptoCurrency: 'BTC', network: NET };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  assert.equal(r.body.data.network, NET);
  assert.match(r.body.data.address, /^bc1q[02-9ac-hj-np-z]{38}$/);
  return { orderId: r.body.data.orderId, address: r.body.data.address };
}
async function userAddress(userId: string): Promise<string> {
  const w = await getJson(`${env.url}/openapi/v1/getWalletAddress`, signed({ merchantId: String(m.merchantId), userId }, m.securityKey));
  return w.body.data.find((x: any) => x.currency === 'BTC' && x.network === NET).address as string;
}
const order = async (id: string) => (await findOrder(env.deps.db, { by: 'id', id }))!;
const orderAt = (id: string, status: number) => until(`order ${id} at ${status}`, async () => { const o = await order(id); return o.status === status ? o : undefined; });
const hookFor = (orderId: string, status: number) => until(`webhook of ${orderId} at ${status}`, async () =>
  rx.calls.map((c) => JSON.parse(c.form.get('param')!)).find((p) => p.orderId === orderId && p.orderStatus === status));
const entries = async (orderId?: string) => (await env.deps.db.query(
  `SELECT count(*)::int AS n FROM journal_entries${orderId ? ' WHERE order_id = $1' : ''}`, orderId ? [orderId] : [])).rows[0].n as number;
const deposits = async (txHash: string) => (await env.deps.db.query('SELECT * FROM chain_deposits WHERE tx_hash = $1 ORDER BY log_index', [txHash])).rows;
const confirmed = (txHash: string) => until(`confirmed deposit ${txHash}`, async () => { const r = await deposits(txHash); return r.length && r.every((d) => d.status === 'confirmed') ? r : undefined; });
const btc = async () => (await getBalances(env.deps, String(m.merchantId))).find((b) => b.currency === 'BTC')?.available ?? 0n;
const cursor = async () => BigInt((await env.deps.db.query('SELECT next_block FROM chain_cursors WHERE network = $1', [NET])).rows[0]?.next_block ?? -1);
/** The watcher has scanned everything up to the stand-in's tip. */
const caughtUp = () => until('the cursor past the tip', async () => (await cursor()) > BigInt(chain.height));

test('the network is watched through the Esplora source (sources.ts), which reads the stand-in', async () => {
  assert.equal(net.rpc, chain.url);
  const src = chainSourceFor(net);
  assert.equal(await src.head(), BigInt(chain.height));
  assert.equal(await src.blockHash(BigInt(chain.height)), chain.tip.hash);
  assert.equal(await src.blockHash(BigInt(chain.height + 1)), null, '404 beyond the tip');
  await caughtUp();
});

test('a BTC order: seen → 11, two confirmations → 14 with hash, actualAmount, receivedAmount, fee; webhook; outputs to others ignored', async () => {
  const o = await btcOrder('BTC-1', '0.0015');
  const { txids: [txid] } = chain.mine([{ outputs: [
    { address: stranger(1), value: 4_321_000 }, // change
    { address: o.address, value: 150_000 },
    { value: 0 }, // OP_RETURN, no address
  ] }]);
  const seen = await orderAt(o.orderId, 11);
  assert.equal(seen.hash, txid);
  const rows = await deposits(txid!);
  assert.equal(rows.length, 1, 'only the output to Tender\'s address is a deposit');
  assert.equal(rows[0].status, 'seen');
  assert.equal(rows[0].log_index, 1, 'the output index');
  assert.equal(rows[0].address, o.address);
  assert.equal(rows[0].chain_amount, '150000');
  await sleep(300);
  assert.equal((await order(o.orderId)).status, 11, 'one confirmation is not enough');

  chain.mine();
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.hash, txid);
  assert.equal(done.network, NET);
  assert.equal(done.paidAmount, 150_000n);
  assert.equal(done.fee, 1_500n);
  assert.equal(done.receivedAmount, 148_500n);
  const hook = await hookFor(o.orderId, 14);
  assert.equal(hook.actualAmount, '0.0015');
  assert.equal(hook.receivedAmount, '0.001485');
  assert.equal(hook.fee, '0.000015');
  assert.equal(hook.hash, txid);
  assert.equal(await entries(o.orderId), 1);
  const byHash = await getJson(`${env.url}/openapi/v1/getOrderDetail`, signed({ merchantId: String(m.merchantId), hash: txid! }, m.securityKey));
  assert.equal(byHash.body.data?.orderId ?? byHash.body.data?.[0]?.orderId, o.orderId, JSON.stringify(byHash.body));
});

test('two outputs of one transaction to one order address are summed into one deposit: the order completes with all of it', async () => {
  // Policy (src/rails/bitcoin/esplora.ts): one transaction is one payment, so its outputs to one address are
  // one deposit (logIndex = the first output). Counting them as two deposits would close the order as
  // underpaid when each half is short, and two equal halves would share a tx hash and an amount.
  const o = await btcOrder('BTC-SPLIT', '0.002');
  const { txids: [txid] } = chain.mine([{ outputs: [{ address: o.address, value: 100_000 }, { address: stranger(2), value: 7_000 }, { address: o.address, value: 100_000 }] }]);
  chain.mine();
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.paidAmount, 200_000n);
  assert.equal(done.hash, txid);
  const rows = await confirmed(txid!);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].log_index, 0);
  assert.equal(rows[0].chain_amount, '200000');
  assert.equal(await entries(o.orderId), 1);
  assert.ok(!done.extInfo, 'paid exactly: no over/underpayment note');
});

test('a no-order deposit to a getWalletAddress address is credited and notified', async () => {
  const addr = await userAddress('carol');
  assert.match(addr, /^bc1q/);
  const before = await btc();
  const { txids: [txid] } = chain.mine([{ outputs: [{ address: stranger(3), value: 90_000 }, { address: addr, value: 500_000 }] }]);
  chain.mine();
  const [row] = await confirmed(txid!);
  const o = await order(row.order_id);
  assert.equal(o.dialect, 'deposit');
  assert.equal(o.merchantTradeNo, `deposit:${NET}:${txid}:1`);
  assert.equal(o.userId, 'carol');
  assert.equal(o.status, 14);
  assert.equal(o.currency, 'BTC');
  assert.equal(await btc() - before, 500_000n - 5_000n, 'net of the 1% fee');
  const hook = await hookFor(o.id, 14);
  assert.equal(hook.actualAmount, '0.005');
});

test('a block of 78 transactions (4 pages of 25) is scanned entirely; unknown addresses and the coinbase are ignored', async () => {
  await caughtUp();
  const orders = await Promise.all([0, 1, 2].map((i) => btcOrder(`BTC-PAGE-${i}`, '0.0001')));
  const dave = await userAddress('dave');
  const txs = Array.from({ length: 77 }, (_, i) => ({ outputs: [{ address: stranger(10 + i), value: 10_000 + i }, { address: stranger(100 + i), value: 1_000 }] }));
  // Positions in the block (the coinbase is 0): page 0, page 1, page 2 and the last, partial page.
  txs[2]!.outputs.push({ address: orders[0]!.address, value: 10_000 });
  txs[30]!.outputs.unshift({ address: orders[1]!.address, value: 10_000 });
  txs[60]!.outputs.push({ address: dave, value: 33_000 });
  txs[76]!.outputs.push({ address: orders[2]!.address, value: 10_000 });
  const before = chain.requests.length;
  const block = chain.mine(txs, dave); // the coinbase pays dave too: not a deposit
  chain.mine();
  for (const o of orders) await orderAt(o.orderId, 14);
  const [daveRow] = await confirmed(block.txids[60]!);
  assert.equal(daveRow.chain_amount, '33000');
  const pages = chain.requests.slice(before).filter((p) => p.startsWith(`/block/${block.hash}/txs/`));
  assert.deepEqual([...new Set(pages)].sort(), [0, 25, 50, 75].map((s) => `/block/${block.hash}/txs/${s}`).sort());
  const { rows } = await env.deps.db.query('SELECT address FROM chain_deposits WHERE block_hash = $1 ORDER BY id', [block.hash]);
  assert.deepEqual(rows.map((r) => r.address).sort(), [orders[0]!.address, orders[1]!.address, dave, orders[2]!.address].sort(), 'only Tender\'s addresses, no coinbase');
  const cached = chain.requests.slice(before).filter((p) => p === `/block/${block.hash}/txs/0`).length;
  assert.equal(cached, 1, 'a block re-read on later passes comes from the cache (same hash, same content)');
});

test('watcher restart after "seen": nothing lost, nothing doubled; a second watcher cannot take the lease', async () => {
  const second = startChainWatcher(env.deps, net, { pollMs: 50 });
  assert.equal(await second.runOnce(), false, 'the running watcher holds the network lease');
  await second.stop();

  const o = await btcOrder('BTC-RESTART', '0.01');
  const totalBefore = await entries();
  const { txids: [txid] } = chain.mine([{ outputs: [{ address: o.address, value: 1_000_000 }] }]);
  await orderAt(o.orderId, 11);
  await watcher!.stop();
  watcher = undefined;
  chain.mineEmpty(4);
  watcher = startChainWatcher(env.deps, net, { pollMs: 50 });
  await orderAt(o.orderId, 14);
  chain.mineEmpty(2);
  await caughtUp();
  await sleep(300);
  assert.equal((await deposits(txid!)).length, 1);
  assert.equal(await entries(o.orderId), 1);
  assert.equal(await entries(), totalBefore + 1, 'exactly one new ledger entry');
});

test('a re-org before confirmation takes the deposit back; the same transaction mined again is then credited once', async () => {
  await caughtUp();
  const o = await btcOrder('BTC-REORG', '0.003');
  const payment = { outputs: [{ address: o.address, value: 300_000 }] };
  const { txids: [txid], hash: first } = chain.mine([payment]);
  await orderAt(o.orderId, 11);
  chain.reorg(1, [[]]); // the block is replaced by one without the payment: same height, another hash
  await until('reorged deposit', async () => (await deposits(txid!))[0]?.status === 'reorged');
  chain.mineEmpty(2);
  await caughtUp();
  await sleep(300);
  assert.equal((await deposits(txid!))[0].status, 'reorged');
  assert.equal((await order(o.orderId)).status, 11, 'no way back to 0; the order waits for a payment that sticks');
  assert.equal(await entries(o.orderId), 0, 'nothing credited');
  // The stale block is still served by hash, its transactions marked unconfirmed, as electrs does.
  const stale = await getJson(`${chain.url}/block/${first}/txs/0`);
  assert.equal(stale.body[1].status.confirmed, false);

  // The same transaction is mined again in a later block: seen again, then confirmed, credited once.
  const again = chain.mine([{ ...payment, txid: txid! }]);
  chain.mine();
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.hash, txid);
  const rows = await confirmed(txid!);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].block_hash, again.hash);
  assert.equal(await entries(o.orderId), 1);
});

test('server errors (HTTP 500): retried, or the pass fails and the next one picks up; nothing lost or doubled', async () => {
  await caughtUp();
  const o = await btcOrder('BTC-FLAKY', '0.0042');
  const failedBefore = chain.failed;
  chain.failNext(/\/txs\//, 12); // more than one pass's retries
  const { txids: [txid] } = chain.mine([{ outputs: [{ address: o.address, value: 420_000 }] }]);
  chain.mine();
  await orderAt(o.orderId, 14);
  assert.equal(chain.failed - failedBefore, 12);
  assert.equal((await deposits(txid!)).length, 1);
  assert.equal(await entries(o.orderId), 1);
});

test('deposits core: two equal deposits of one transaction to one order (EVM/TRON logs can do this) are both credited', async () => {
  // The Bitcoin source sums such outputs, but an EVM or TRON transaction can carry two equal token transfers to
  // one address. The second must not pass for a redo of the first (same hash, same amount): it is a no-order deposit.
  await caughtUp();
  const o = await btcOrder('CORE-TWICE', '0.0007');
  const at = chain.mine();
  const txHash = randomBytes(32).toString('hex');
  for (const logIndex of [3, 5]) {
    await recordSeenDeposit(env.deps, { network: net, txHash, logIndex, blockNumber: BigInt(at.height), blockHash: at.hash, address: o.address, asset: 'BTC', chainAmount: 70_000n });
  }
  chain.mine();
  const rows = await confirmed(txHash);
  assert.equal(rows.length, 2);
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.paidAmount, 70_000n);
  assert.equal(rows[0].order_id, o.orderId);
  const extra = await order(rows[1].order_id);
  assert.equal(extra.dialect, 'deposit');
  assert.equal(extra.status, 14);
  assert.equal(extra.paidAmount, 70_000n);
  assert.equal(await entries(o.orderId) + await entries(extra.id), 2, 'both credited');
});

test('balances: the confirmed balance of an address from /address/:address', async () => {
  const addr = await userAddress('carol');
  const src = esploraChain(chain.url);
  assert.deepEqual(await src.balances!(addr), { native: 500_000n, usdt: null });
  await assert.rejects(esploraChain(chain.url, { retries: 0 }).blockHash(-1n), /HTTP 400/);
});
