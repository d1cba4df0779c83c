// The EVM deposit watcher end to end on a REAL local chain: `hardhat node` (npm, bound to 127.0.0.1)
// started here, a 6-decimal test USDT deployed from the committed artifact (test/fixtures/TestUSDT.json,
// compiled by scripts/build-test-usdt.mjs with the pinned solc npm package), real token and native
// transfers, confirmations by mining, a re-org by evm_snapshot/evm_revert, a watcher restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createPublicClient, createWalletClient, http, type Abi, type Hex } from 'viem';
import { hardhat } from 'viem/chains';
import { startTestEnv, newMerchant, signed, postForm, getJson, webhookReceiver, sleep, freePort, until, type TestEnv } from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { startChainWatcher, type ChainWatcher } from '../src/workers/chain-watcher.js';
import { getBalances } from '../src/core/balances.js';
import { findOrder } from '../src/store/orders-repo.js';
import { closeOrder } from '../src/core/payments.js';
import { listDepositAddresses } from '../src/core/address-listing.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import type { NetworkConfig } from '../src/rails/crypto/networks.js';
import { projectPath } from '../src/paths.js';
import { referenceRoot } from './reference-keys.js';

const root = referenceRoot;
const FUNDER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' as const; // hardhat's first unlocked account
const NET = 'Ethereum(ERC-20)';
const E18 = 10n ** 18n;

let node: ChildProcess;
let nodeLog = '';
let rpcUrl = '';
let token: Hex;
let env: TestEnv;
let m: MerchantCredentials;
let net: NetworkConfig;
let dispatcher: Dispatcher;
let watcher: ChainWatcher | undefined;
let rx: Awaited<ReturnType<typeof webhookReceiver>>;
const artifact = JSON.parse(readFileSync(projectPath('test/fixtures/TestUSDT.json'), 'utf8')) as { abi: Abi; bytecode: Hex };

async function rpc(method: string, params: unknown[] = []): Promise<any> {
  const r = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = await r.json() as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}
const mine = (n: number) => rpc('hardhat_mine', [`0x${n.toString(16)}`]);

const pub = () => createPublicClient({ chain: hardhat, transport: http(rpcUrl) });
const wallet = () => createWalletClient({ chain: hardhat, transport: http(rpcUrl), account: FUNDER });

async function payToken(to: string, units: bigint): Promise<Hex> {
  const hash = await wallet().writeContract({ address: token, abi: artifact.abi, functionName: 'transfer', args: [to, units] });
  assert.equal((await pub().waitForTransactionReceipt({ hash })).status, 'success');
  return hash;
}
async function payEth(to: string, wei: bigint): Promise<Hex> {
  const hash = await wallet().sendTransaction({ to: to as Hex, value: wei });
  assert.equal((await pub().waitForTransactionReceipt({ hash })).status, 'success');
  return hash;
}

before(async () => {
  const port = await freePort();
  rpcUrl = `http://127.0.0.1:${port}`;
  node = spawn(process.execPath, [projectPath('node_modules/hardhat/internal/cli/cli.js'), '--config', projectPath('test/fixtures/hardhat.config.cjs'), 'node', '--hostname', '127.0.0.1', '--port', String(port)],
    { cwd: projectPath('.'), env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  node.stdout!.on('data', (c) => { nodeLog = (nodeLog + c).slice(-4000); });
  node.stderr!.on('data', (c) => { nodeLog = (nodeLog + c).slice(-4000); });
  await until('the hardhat node', () => rpc('eth_blockNumber').then(() => true, () => false), 60_000).catch((e) => { throw new Error(`${e.message}\n${nodeLog}`); });
  const hash = await wallet().deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [10n ** 15n] });
  token = (await pub().waitForTransactionReceipt({ hash })).contractAddress!;

  env = await startTestEnv({
    TENDER_XPUB_EVM: root.derive("m/44'/60'/0'").publicExtendedKey, TENDER_RPC_ETHEREUM: rpcUrl, TENDER_USDT_ETHEREUM: token,
    TENDER_CONFIRMATIONS_ETHEREUM: '3', TENDER_PAYMENT_TOLERANCE_BPS: '100',
  });
  net = env.deps.config.crypto.networks.find((n) => n.key === 'ETHEREUM')!;
  rx = await webhookReceiver([{ status: 200, body: 'success' }]);
  m = await newMerchant(env, { callbackUrl: rx.url, feeBps: 100 });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
  watcher = startChainWatcher(env.deps, net, { pollMs: 50, initialLookback: 1000 });
});

after(async () => {
  await watcher?.stop();
  await dispatcher?.stop();
  await rx?.close();
  await env?.close();
  if (node && node.exitCode === null) { node.kill('SIGTERM'); await new Promise((r) => { node.once('exit', r); setTimeout(r, 5000); }); }
});

async function cryptoOrder(tradeNo: string, amount: string, currency: 'USDT' | 'ETH'): Promise<{ orderId: string; address: string }> {
  const p = { merchantId: String(m.merchantId), merchantTradeNo: tradeNo, createTime: String(Date.now()), userId: 'buyer-1', amount, cryptoCurrency: currency, network: NET };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return { orderId: r.body.data.orderId, address: r.body.data.address };
}
const order = async (id: string) => (await findOrder(env.deps.db, { by: 'id', id }))!;
const orderAt = (id: string, status: number) => until(`order ${id} at ${status}`, async () => { const o = await order(id); return o.status === status ? o : undefined; });
const hookFor = (orderId: string, status: number) => until(`webhook of ${orderId} at ${status}`, async () =>
  rx.calls.map((c) => JSON.parse(c.form.get('param')!)).find((p) => p.orderId === orderId && p.orderStatus === status));
const entries = async (orderId?: string) => (await env.deps.db.query(
  `SELECT count(*)::int AS n FROM journal_entries${orderId ? ' WHERE order_id = $1' : ''}`, orderId ? [orderId] : [])).rows[0].n as number;
const deposit = async (txHash: string) => (await env.deps.db.query('SELECT * FROM chain_deposits WHERE tx_hash = $1', [txHash])).rows;
const usdt = async () => (await getBalances(env.deps, String(m.merchantId))).find((b) => b.currency === 'USDT')?.available ?? 0n;

test('an order paid by a real USDT transfer: seen → 11, three confirmations → 14 with hash and amounts; webhook', async () => {
  const o = await cryptoOrder('EVM-USDT-1', '12.5', 'USDT');
  const hash = await payToken(o.address, 12_500_000n);
  const seen = await orderAt(o.orderId, 11);
  assert.equal(seen.hash, hash);
  assert.equal((await deposit(hash))[0].status, 'seen');
  await mine(2);
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.hash, hash);
  assert.equal(done.network, NET);
  assert.equal(done.paidAmount, 12_500_000n * 10n ** 12n);
  assert.equal(done.fee, 125_000n * 10n ** 12n);
  assert.equal(done.receivedAmount, 12_375_000n * 10n ** 12n);
  const hook = await hookFor(o.orderId, 14);
  assert.equal(hook.actualAmount, '12.5');
  assert.equal(hook.receivedAmount, '12.375');
  assert.equal(hook.fee, '0.125');
  assert.equal(hook.hash, hash);
  assert.equal(await entries(o.orderId), 1);
  const byHash = await getJson(`${env.url}/openapi/v1/getOrderDetail`, signed({ merchantId: String(m.merchantId), hash }, m.securityKey));
  assert.equal(byHash.body.data?.orderId ?? byHash.body.data?.[0]?.orderId, o.orderId, JSON.stringify(byHash.body));
});

test('an order paid by a real native ETH transfer reaches 14', async () => {
  const o = await cryptoOrder('EVM-ETH-1', '0.01', 'ETH');
  const hash = await payEth(o.address, 10n ** 16n);
  await orderAt(o.orderId, 11);
  await mine(2);
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.hash, hash);
  assert.equal(done.paidAmount, 10n ** 16n);
  assert.equal(done.fee, 10n ** 14n);
  const hook = await hookFor(o.orderId, 14);
  assert.equal(hook.actualAmount, '0.01');
  assert.equal(hook.cryptoCurrency ?? hook.currency, 'ETH');
});

test('a no-order deposit to a getWalletAddress address is credited and notified', async () => {
  const w = await getJson(`${env.url}/openapi/v1/getWalletAddress`, signed({ merchantId: String(m.merchantId), userId: 'carol' }, m.securityKey));
  const addr = w.body.data.find((x: any) => x.currency === 'USDT' && x.network === NET).address as string;
  const before = await usdt();
  const hash = await payToken(addr, 5_000_000n);
  await mine(2);
  const row = await until('confirmed deposit', async () => { const r = (await deposit(hash))[0]; return r?.status === 'confirmed' ? r : undefined; });
  const o = await order(row.order_id);
  assert.equal(o.dialect, 'deposit');
  assert.equal(o.merchantTradeNo, `deposit:${NET}:${hash}:${row.log_index}`);
  assert.equal(o.userId, 'carol');
  assert.equal(o.status, 14);
  assert.equal(await usdt() - before, 5n * E18 - 5n * E18 / 100n, 'net of the 1% fee');
  const hook = await hookFor(o.id, 14);
  assert.equal(hook.merchantUserId ?? 'carol', 'carol');
  assert.equal(hook.actualAmount, '5');
  const byHash = await getJson(`${env.url}/openapi/v1/getOrderDetail`, signed({ merchantId: String(m.merchantId), hash }, m.securityKey));
  assert.equal(byHash.body.data?.orderId ?? byHash.body.data?.[0]?.orderId, o.id, JSON.stringify(byHash.body));
});

test('watcher restart after "seen": nothing lost, nothing doubled; a second watcher cannot take the lease', async () => {
  const second = startChainWatcher(env.deps, net, { pollMs: 50 });
  assert.equal(await second.runOnce(), false, 'the running watcher holds the network lease');
  await second.stop();

  const o = await cryptoOrder('EVM-RESTART', '3', 'USDT');
  const totalBefore = await entries();
  const hash = await payToken(o.address, 3_000_000n);
  await orderAt(o.orderId, 11);
  await watcher!.stop();
  watcher = undefined;
  await mine(5);
  watcher = startChainWatcher(env.deps, net, { pollMs: 50 });
  await orderAt(o.orderId, 14);
  await mine(3);
  await sleep(400);
  assert.equal((await deposit(hash)).length, 1);
  assert.equal(await entries(o.orderId), 1);
  assert.equal(await entries(), totalBefore + 1, 'exactly one new ledger entry');
});

test('a re-org (evm_snapshot/evm_revert) takes back an unconfirmed deposit: never credited', async () => {
  const o = await cryptoOrder('EVM-REORG', '7', 'USDT');
  const snap = await rpc('evm_snapshot');
  const hash = await payToken(o.address, 7_000_000n);
  await orderAt(o.orderId, 11);
  assert.equal(await rpc('evm_revert', [snap]), true);
  await mine(6);
  await until('reorged deposit', async () => (await deposit(hash))[0]?.status === 'reorged');
  const head = BigInt(await rpc('eth_blockNumber'));
  await until('the cursor past the head', async () => {
    const { rows } = await env.deps.db.query('SELECT next_block FROM chain_cursors WHERE network = $1', [NET]);
    return BigInt(rows[0].next_block) > head;
  });
  await sleep(300);
  assert.equal((await deposit(hash))[0].status, 'reorged');
  assert.equal((await order(o.orderId)).status, 11, 'no way back to 0; the order waits for a payment that sticks');
  assert.equal(await entries(o.orderId), 0, 'nothing credited');
  // The customer pays again on the new chain: confirmed as usual.
  const again = await payToken(o.address, 7_000_000n);
  await mine(2);
  const done = await orderAt(o.orderId, 14);
  assert.equal(done.hash, again);
});

test('payment policy: underpaid closes and credits what arrived; overpaid and within-tolerance complete with what was paid', async () => {
  const under = await cryptoOrder('EVM-UNDER', '10', 'USDT');
  const over = await cryptoOrder('EVM-OVER', '10', 'USDT');
  const near = await cryptoOrder('EVM-NEAR', '10', 'USDT');
  const hu = await payToken(under.address, 5_000_000n);
  const ho = await payToken(over.address, 12_000_000n);
  const hn = await payToken(near.address, 9_950_000n); // 0.5% short, tolerance is 1%
  await mine(3);

  const u = await orderAt(under.orderId, 15);
  assert.equal(u.remark, 'underpaid');
  assert.deepEqual(JSON.parse(u.extInfo), { expected: '10', received: '5' });
  assert.equal(await entries(under.orderId), 0);
  const credit = await until('the underpayment credited', async () => { const r = (await deposit(hu))[0]; return r?.status === 'confirmed' ? r : undefined; });
  const co = await order(credit.order_id);
  assert.equal(co.dialect, 'deposit');
  assert.equal(co.status, 14);
  assert.equal(co.paidAmount, 5n * E18);
  assert.deepEqual(JSON.parse(co.extInfo), { underpaidOrderId: under.orderId });
  await hookFor(under.orderId, 15);
  await hookFor(co.id, 14);

  const ov = await orderAt(over.orderId, 14);
  assert.equal(ov.hash, ho);
  assert.equal(ov.paidAmount, 12n * E18, 'everything paid is credited');
  assert.deepEqual(JSON.parse(ov.extInfo), { expected: '10', received: '12', overpaid: '2' });
  assert.equal((await hookFor(over.orderId, 14)).actualAmount, '12');

  const nr = await orderAt(near.orderId, 14);
  assert.equal(nr.hash, hn);
  assert.equal(nr.paidAmount, 9_950_000n * 10n ** 12n);
  assert.deepEqual(JSON.parse(nr.extInfo), { expected: '10', received: '9.95', underpaid: '0.05' });
});

test('a payment to an order that already closed, or in another asset than ordered, is credited as a no-order deposit', async () => {
  const late = await cryptoOrder('EVM-LATE', '4', 'USDT');
  await closeOrder(env.deps, late.orderId, 'expired', 'expired');
  const wrong = await cryptoOrder('EVM-WRONG-ASSET', '4', 'USDT');
  const hl = await payToken(late.address, 4_000_000n);
  const hw = await payEth(wrong.address, 2n * 10n ** 15n);
  await mine(3);
  for (const [hash, userOrder] of [[hl, late.orderId], [hw, wrong.orderId]] as const) {
    const row = await until('confirmed deposit', async () => { const r = (await deposit(hash))[0]; return r?.status === 'confirmed' ? r : undefined; });
    const o = await order(row.order_id);
    assert.equal(o.dialect, 'deposit');
    assert.equal(o.status, 14);
    assert.equal(o.userId, 'buyer-1', 'the order\'s user');
    assert.equal(o.hash, hash);
    await hookFor(o.id, 14);
    assert.notEqual((await order(userOrder)).status, 14);
  }
  assert.equal((await order(wrong.orderId)).status, 0, 'ETH does not pay a USDT order');
  assert.equal((await order(await (async () => (await deposit(hw))[0].order_id)())).currency, 'ETH');
});

test('the operator listing shows each deposit address with its derivation path and live on-chain balances', async () => {
  const o = await cryptoOrder('EVM-LIST-1', '3', 'USDT');
  await payToken(o.address, 3_000_000n);
  await payEth(o.address, 5n * 10n ** 15n);
  const list = await listDepositAddresses(env.deps, { merchantId: String(m.merchantId), balances: true });
  const row = list.find((r) => r.address === o.address)!;
  assert.ok(row, 'the order address is listed');
  assert.equal(row.purpose, 'order');
  assert.equal(row.orderId, o.orderId);
  assert.equal(row.derivationPath, `m/44'/60'/0'/0/${row.index}`);
  assert.deepEqual(row.balances, [{ network: NET, currency: 'ETH', balance: '0.005' }, { network: NET, currency: 'USDT', balance: '3' }]);
  // The derivation path really is where the key holder finds the funds.
  const fromSeed = root.derive(row.derivationPath);
  const { privateKeyToAddress } = await import('viem/accounts');
  assert.equal(privateKeyToAddress(`0x${Buffer.from(fromSeed.privateKey!).toString('hex')}` as Hex), o.address);
});
