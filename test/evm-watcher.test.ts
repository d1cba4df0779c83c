// The EVM deposit watcher end to end on a REAL local chain: `hardhat node` (npm, bound to 127.0.0.1)
// started here, a 6-decimal test USDT deployed from the committed artifact (test/fixtures/TestUSDT.json,
// compiled by scripts/build-test-usdt.mjs with the pinned solc npm package), real token and native
// transfers signed with hardhat's first account, confirmations by mining, a re-org by
// evm_snapshot/evm_revert (the same signed transaction is then sent again), a watcher restart.
// The shared scenarios are test/chain-conformance.ts; below them, the EVM-only payment-policy tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createPublicClient, createWalletClient, encodeFunctionData, getAddress, http, type Abi, type Hex } from 'viem';
import { privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { hardhat } from 'viem/chains';
import { freePort, until } from './harness.js';
import { runChainConformance, type ChainAsset, type ChainDriver } from './chain-conformance.js';
import { closeOrder } from '../src/core/payments.js';
import { projectPath } from '../src/paths.js';
import { referenceRoot } from './reference-keys.js';

// hardhat's first account (its well-known development key): transactions are signed here, so the very same
// signed transaction can be sent again after a re-org.
const FUNDER = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const E18 = 10n ** 18n;
const E12 = 10n ** 12n;

let node: ChildProcess | undefined;
let nodeLog = '';
let rpcUrl = '';
let token: Hex;
const artifact = JSON.parse(readFileSync(projectPath('test/fixtures/TestUSDT.json'), 'utf8')) as {
  abi: Abi;
  bytecode: Hex;
};
/** Signed transactions by hash, for a replay after a re-org. */
const signedTxs = new Map<string, { raw: Hex; to: string; asset: ChainAsset; amount: bigint; logIndex: number }>();

async function rpc(method: string, params: unknown[] = []): Promise<any> {
  const r = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const j = (await r.json()) as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}
const mine = (n: number) => rpc('hardhat_mine', [`0x${n.toString(16)}`]);
const pub = () => createPublicClient({ chain: hardhat, transport: http(rpcUrl) });
const wallet = () => createWalletClient({ chain: hardhat, transport: http(rpcUrl), account: FUNDER });

async function sendRaw(raw: Hex): Promise<{ hash: Hex; blockHash: string; logIndex: number | undefined }> {
  const hash = await wallet().sendRawTransaction({ serializedTransaction: raw });
  const receipt = await pub().waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  return { hash, blockHash: receipt.blockHash, logIndex: receipt.logs[0]?.logIndex };
}

const evm: ChainDriver = {
  name: 'EVM',
  networkKey: 'ETHEREUM',
  wire: 'Ethereum(ERC-20)',
  native: 'ETH',
  family: 'evm',
  accountPath: "m/44'/60'/0'",
  confirmations: 3,
  initialLookback: 1000,
  addressPattern: /^0x[0-9a-fA-F]{40}$/,
  amounts: {
    token: {
      text: '12.5',
      chain: 12_500_000n,
      ledger: 12_500_000n * E12,
      fee: 125_000n * E12,
      receivedText: '12.375',
      feeText: '0.125',
    },
    native: {
      text: '0.01',
      chain: 10n ** 16n,
      ledger: 10n ** 16n,
      fee: 10n ** 14n,
      receivedText: '0.0099',
      feeText: '0.0001',
    },
  },
  async start() {
    const port = await freePort();
    rpcUrl = `http://127.0.0.1:${port}`;
    node = spawn(
      process.execPath,
      [
        projectPath('node_modules/hardhat/internal/cli/cli.js'),
        '--config',
        projectPath('test/fixtures/hardhat.config.cjs'),
        'node',
        '--hostname',
        '127.0.0.1',
        '--port',
        String(port),
      ],
      {
        cwd: projectPath('.'),
        env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    node.stdout!.on('data', (c) => {
      nodeLog = (nodeLog + c).slice(-4000);
    });
    node.stderr!.on('data', (c) => {
      nodeLog = (nodeLog + c).slice(-4000);
    });
    await until(
      'the hardhat node',
      () =>
        rpc('eth_blockNumber').then(
          () => true,
          () => false,
        ),
      60_000,
    ).catch((e) => {
      throw new Error(`${e.message}\n${nodeLog}`);
    });
    const hash = await wallet().deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [10n ** 15n] });
    token = (await pub().waitForTransactionReceipt({ hash })).contractAddress!;
    return {
      TENDER_XPUB_EVM: referenceRoot.derive(this.accountPath).publicExtendedKey,
      TENDER_RPC_ETHEREUM: rpcUrl,
      TENDER_USDT_ETHEREUM: token,
      TENDER_CONFIRMATIONS_ETHEREUM: String(this.confirmations),
    };
  },
  async stop() {
    const n = node;
    if (n && n.exitCode === null) {
      n.kill('SIGTERM');
      await new Promise((r) => {
        n.once('exit', r);
        setTimeout(r, 5000);
      });
    }
  },
  head: async () => BigInt(await rpc('eth_blockNumber')),
  async pay(to, asset, amount) {
    const w = wallet();
    const request =
      asset === 'USDT'
        ? await w.prepareTransactionRequest({
            to: token,
            data: encodeFunctionData({ abi: artifact.abi, functionName: 'transfer', args: [to, amount] }),
          })
        : await w.prepareTransactionRequest({ to: to as Hex, value: amount });
    const raw = await w.signTransaction(request);
    const sent = await sendRaw(raw);
    const logIndex = asset === 'USDT' ? sent.logIndex! : -1;
    signedTxs.set(sent.hash, { raw, to, asset, amount, logIndex });
    return { hash: sent.hash, logIndex, blockHash: sent.blockHash, to, asset, chainAmount: amount };
  },
  confirm: async (n) => {
    await mine(n);
  },
  checkpoint: () => rpc('evm_snapshot'),
  async rollback(mark) {
    assert.equal(await rpc('evm_revert', [mark]), true);
  },
  async replay(p) {
    const s = signedTxs.get(p.hash)!;
    const sent = await sendRaw(s.raw);
    return { ...p, hash: sent.hash, blockHash: sent.blockHash, logIndex: s.logIndex };
  },
  stranger: () => getAddress(`0x${randomBytes(20).toString('hex')}`),
  addressOfKey: (key) => privateKeyToAddress(`0x${Buffer.from(key.privateKey!).toString('hex')}` as Hex),
};

const c = runChainConformance(evm);
const { cryptoOrder, order, orderAt, hookFor, entries, deposits } = c;
const NET = evm.wire;
const payToken = async (to: string, units: bigint): Promise<string> => (await evm.pay(to, 'USDT', units)).hash;
const payEth = async (to: string, wei: bigint): Promise<string> => (await evm.pay(to, 'native', wei)).hash;
const confirmedDeposit = (hash: string) =>
  until('confirmed deposit', async () => {
    const r = (await deposits(hash))[0];
    return r?.status === 'confirmed' ? r : undefined;
  });

test(
  'payment policy: underpaid closes and credits what arrived; overpaid and within-tolerance complete ' +
    'with what was paid',
  async () => {
    const under = await cryptoOrder('EVM-UNDER', '10', 'USDT');
    const over = await cryptoOrder('EVM-OVER', '10', 'USDT');
    const near = await cryptoOrder('EVM-NEAR', '10', 'USDT');
    const hu = await payToken(under.address, 5_000_000n);
    const ho = await payToken(over.address, 12_000_000n);
    const hn = await payToken(near.address, 9_950_000n); // 0.5% short, tolerance is 1%
    await mine(3);

    const u = await orderAt(under.orderId, 15);
    assert.equal(u.remark, 'underpaid');
    assert.deepEqual(JSON.parse(u.extInfo!), { expected: '10', received: '5' });
    assert.equal(await entries(under.orderId), 0);
    const credit = await confirmedDeposit(hu);
    const co = await order(credit.order_id);
    assert.equal(co.dialect, 'deposit');
    assert.equal(co.status, 14);
    assert.equal(co.paidAmount, 5n * E18);
    assert.deepEqual(JSON.parse(co.extInfo!), { underpaidOrderId: under.orderId });
    await hookFor(under.orderId, 15);
    await hookFor(co.id, 14);

    const ov = await orderAt(over.orderId, 14);
    assert.equal(ov.hash, ho);
    assert.equal(ov.paidAmount, 12n * E18, 'everything paid is credited');
    assert.deepEqual(JSON.parse(ov.extInfo!), { expected: '10', received: '12', overpaid: '2' });
    assert.equal((await hookFor(over.orderId, 14)).actualAmount, '12.00');

    const nr = await orderAt(near.orderId, 14);
    assert.equal(nr.hash, hn);
    assert.equal(nr.paidAmount, 9_950_000n * E12);
    assert.deepEqual(JSON.parse(nr.extInfo!), { expected: '10', received: '9.95', underpaid: '0.05' });
  },
);

test(
  'a payment to an order that already closed, ' + 'or in another asset than ordered, is credited as a no-order deposit',
  async () => {
    const late = await cryptoOrder('EVM-LATE', '4', 'USDT');
    await closeOrder(c.env.deps, late.orderId, 'expired', 'expired');
    const wrong = await cryptoOrder('EVM-WRONG-ASSET', '4', 'USDT');
    const hl = await payToken(late.address, 4_000_000n);
    const hw = await payEth(wrong.address, 2n * 10n ** 15n);
    await mine(3);
    for (const [hash, userOrder] of [
      [hl, late.orderId],
      [hw, wrong.orderId],
    ] as const) {
      const row = await confirmedDeposit(hash);
      const o = await order(row.order_id);
      assert.equal(o.dialect, 'deposit');
      assert.equal(o.status, 14);
      assert.equal(o.userId, 'buyer-1', "the order's user");
      assert.equal(o.hash, hash);
      assert.equal(o.network, NET);
      await hookFor(o.id, 14);
      assert.notEqual((await order(userOrder)).status, 14);
    }
    assert.equal((await order(wrong.orderId)).status, 0, 'ETH does not pay a USDT order');
    assert.equal((await order((await deposits(hw))[0].order_id)).currency, 'ETH');
  },
);
