// The EVM payout rail (issue 11) on a REAL local hardhat node (test/hardhat-node.ts; automining off, so a
// transaction waits in the mempool until the test mines): the shared payout rail conformance suite for ETH and
// the 6-decimal test USDT, then the EVM-only properties: the signer-backed account signs byte for byte as
// viem's private-key account, reserved nonces are used exactly (a gap blocks, a replacement fails the
// verdict, twenty concurrent broadcasts land once each), a crash never pays twice, a revert is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  decodeFunctionData,
  erc20Abi,
  getAddress,
  type Hex,
  keccak256,
  parseTransaction,
  type TransactionSerializable,
} from 'viem';
import { privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { runPayoutRailConformance, type PayoutDriver } from './payout-rail-conformance.js';
import { startHardhatNode, HARDHAT_CHAIN_ID, type HardhatNode } from './hardhat-node.js';
import { NETWORKS, type NetworkConfig } from '../src/rails/crypto/networks.js';
import { localSigner, newPrivateKeyHex } from '../src/rails/payout/signer.js';
import { Secret } from '../src/domain/secret.js';
import { evmPayoutRail } from '../src/rails/payout/evm/rail.js';
import { signerAccount } from '../src/rails/payout/evm/account.js';
import { eip1559Fees, gasWithMargin, payoutCall } from '../src/rails/payout/evm/transform.js';
import type { ChainVerdict, PayoutRail, PayoutTransfer, SignedTransfer } from '../src/rails/payout/payout-rail.js';

const ETH_UNIT = 10n ** 15n; // 0.001 ETH
const USDT_UNIT = 1_000_000n; // 1 USDT (6 decimals)
let node: HardhatNode;
const hotKey = newPrivateKeyHex();
const signer = localSigner(new Secret(hotKey));

function ethereumConfig(n: HardhatNode): NetworkConfig {
  const def = NETWORKS.find((x) => x.key === 'ETHEREUM')!;
  return { ...def, rpc: n.url, confirmations: 2, usdt: n.token, chainId: HARDHAT_CHAIN_ID, bitcoinNetwork: 'regtest' };
}
const newRail = (s = signer) => evmPayoutRail([ethereumConfig(node)], s, { timeoutMs: 30_000 });
const freshAddress = () => getAddress(`0x${randomBytes(20).toString('hex')}`);
const balanceOf = (address: string, asset: string) =>
  asset === 'USDT' ? node.usdtBalance(address) : node.ethBalance(address);

const driver: PayoutDriver = {
  name: 'EVM on hardhat',
  network: 'ETHEREUM',
  assets: ['ETH', 'USDT'],
  unit: (asset) => (asset === 'USDT' ? USDT_UNIT : ETH_UNIT),
  async start() {
    node = await startHardhatNode();
    return newRail();
  },
  stop: () => node.stop(),
  async fund(address, asset, amount) {
    await node.fund(address, asset as 'ETH' | 'USDT', amount);
    // Token transfers and their fees are paid in ETH: give the hot wallet gas money too.
    if (asset === 'USDT') await node.fund(address, 'ETH', 10n ** 18n);
  },
  newRecipient: async () => freshAddress(),
  balanceOf,
  mine: (n) => node.mine(n),
};

const conformance = runPayoutRailConformance(driver);
const rail = () => conformance.rail();

function transfer(asset: string, to: string, amount: bigint): PayoutTransfer {
  return { payoutId: `evm-${randomBytes(4).toString('hex')}`, network: 'ETHEREUM', asset, to, amount };
}
async function untilVerdict(r: PayoutRail, hash: string, ok: (v: ChainVerdict) => boolean): Promise<ChainVerdict> {
  let last: ChainVerdict = { state: 'unknown' };
  for (let i = 0; i < 30; i++) {
    last = await r.verdict('ETHEREUM', hash);
    if (ok(last)) return last;
    await node.mine(1);
  }
  assert.fail(`verdict never matched; last ${JSON.stringify(last)}`);
}
const hotNonce = async (tag: 'latest' | 'pending') =>
  BigInt(await node.rpc('eth_getTransactionCount', [rail().hotWalletAddress('ETHEREUM'), tag]));

test(
  'issue 11: the signer-backed account signs byte for byte as viem privateKeyToAccount (EIP-1559, ' + 'BSC too)',
  async () => {
    for (let i = 0; i < 12; i++) {
      const key = newPrivateKeyHex();
      const mine = signerAccount(localSigner(new Secret(key)));
      const viems = privateKeyToAccount(`0x${key}`);
      assert.equal(mine.address, viems.address, 'uncompressed key -> keccak -> EIP-55');
      assert.equal(mine.address, getAddress(mine.address), 'checksummed');
      const common = {
        chainId: [1, 56, HARDHAT_CHAIN_ID][i % 3]!,
        nonce: i * 7919,
        to: freshAddress(),
        value: BigInt(`0x${randomBytes(i + 1).toString('hex')}`),
        data: i % 2 ? (`0x${randomBytes(68).toString('hex')}` as Hex) : undefined,
        gas: 21_000n + BigInt(i) * 1000n,
      };
      const txs: TransactionSerializable[] = [
        { ...common, type: 'eip1559', maxFeePerGas: 30_000_000_000n + BigInt(i), maxPriorityFeePerGas: 1_000_000_000n },
        { ...common, type: 'legacy', gasPrice: 5_000_000_000n },
      ];
      for (const tx of txs) {
        const raw = await mine.signTransaction(tx);
        assert.equal(raw, await viems.signTransaction(tx), `${tx.type} #${i}`);
        const back = parseTransaction(raw);
        assert.equal(back.chainId, tx.chainId);
      }
      const msg = `hello ${i}`;
      assert.equal(await mine.signMessage({ message: msg }), await viems.signMessage({ message: msg }));
    }
    const blob = { type: 'eip7702', chainId: 1, authorizationList: [] } as unknown as TransactionSerializable;
    await assert.rejects(signerAccount(signer).signTransaction(blob), /legacy, EIP-2930 and EIP-1559/);
  },
);

test('issue 11: a payout call moves the value natively or through ERC-20 transfer; fee cap and gas margin', () => {
  const to = freshAddress();
  assert.deepEqual(payoutCall(to.toLowerCase(), 5n, null), { to, value: 5n, data: undefined });
  const token = freshAddress();
  const call = payoutCall(to, 7_000_001n, token.toLowerCase());
  assert.equal(call.to, token);
  assert.equal(call.value, 0n, 'a token payout sends no ether');
  assert.deepEqual(decodeFunctionData({ abi: erc20Abi, data: call.data! }), {
    functionName: 'transfer',
    args: [to, 7_000_001n],
  });
  assert.throws(() => payoutCall(to, 0n, null), /positive/);
  assert.throws(() => payoutCall(to, -1n, token), /positive/);
  assert.throws(() => payoutCall('0xnot-an-address', 1n, null));
  assert.deepEqual(eip1559Fees(10n, 3n), { maxFeePerGas: 23n, maxPriorityFeePerGas: 3n });
  assert.deepEqual(eip1559Fees(0n, 1n), { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }, 'BSC: no base fee');
  assert.ok(gasWithMargin(51_000n) > (51_000n * 5n) / 4n);
});

test('issue 11: the hot wallet address is the signer key address and the balances are read from chain', async () => {
  const r = rail();
  assert.equal(r.hotWalletAddress('ETHEREUM'), privateKeyToAddress(`0x${hotKey}`));
  const addr = r.hotWalletAddress('ETHEREUM');
  assert.equal(await r.hotWalletBalance('ETHEREUM', 'ETH'), await node.ethBalance(addr));
  assert.equal(await r.hotWalletBalance('ETHEREUM', 'usdt'), await node.usdtBalance(addr));
  assert.equal(await r.chainNonce!('ETHEREUM'), await hotNonce('pending'));
  await assert.rejects(r.hotWalletBalance('ETHEREUM', 'BTC'), /does not pay BTC/);
  assert.throws(() => r.hotWalletAddress('BSC'), /no network BSC/);
});

test(
  'issue 11: ETH and USDT payouts: the recipient gains exactly the amount; the hot wallet pays at ' + 'most detail.fee',
  async () => {
    const r = rail();
    const from = r.hotWalletAddress('ETHEREUM');
    for (const [asset, amount] of [
      ['ETH', 123_456_789_012_345n],
      ['USDT', 4_200_001n],
    ] as const) {
      const to = freshAddress();
      const ethBefore = await node.ethBalance(from);
      const usdtBefore = await node.usdtBalance(from);
      const s = await r.sign(transfer(asset, to, amount), {
        nonce: await hotNonce('pending'),
        reservedOutpoints: new Set(),
      });
      assert.equal(s.detail.nonce, String(await hotNonce('pending')));
      await r.broadcast('ETHEREUM', s);
      await untilVerdict(r, s.txHash, (v) => v.state === 'included');
      assert.equal(await balanceOf(to, asset), amount, `${asset}: exactly the amount`);
      const receipt = await node.rpc('eth_getTransactionReceipt', [`0x${s.txHash}`]);
      const feePaid = BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice);
      assert.ok(feePaid > 0n && feePaid <= BigInt(s.detail.fee!), `fee ${feePaid} within ${s.detail.fee}`);
      const ethSpent = asset === 'ETH' ? amount + feePaid : feePaid;
      assert.equal(await node.ethBalance(from), ethBefore - ethSpent);
      assert.equal(await node.usdtBalance(from), usdtBefore - (asset === 'USDT' ? amount : 0n));
    }
  },
);

test('issue 11: a stuck lower nonce blocks the next payout; both land once it is broadcast', async () => {
  const r = rail();
  const n = await hotNonce('pending');
  const to = [freshAddress(), freshAddress()];
  const first = await r.sign(transfer('ETH', to[0]!, ETH_UNIT), { nonce: n, reservedOutpoints: new Set() });
  const second = await r.sign(transfer('USDT', to[1]!, USDT_UNIT), { nonce: n + 1n, reservedOutpoints: new Set() });
  await r.broadcast('ETHEREUM', second);
  await node.mine(3);
  assert.equal((await r.verdict('ETHEREUM', second.txHash)).state, 'pending', 'queued behind the gap');
  assert.deepEqual(await r.verdict('ETHEREUM', first.txHash), { state: 'unknown' });
  assert.equal(await node.usdtBalance(to[1]!), 0n, 'nothing paid while the lower nonce is missing');
  assert.equal(await hotNonce('latest'), n);
  await r.broadcast('ETHEREUM', first);
  await node.mine(1);
  for (const s of [first, second]) {
    const v = await r.verdict('ETHEREUM', s.txHash);
    assert.equal(v.state, 'included', JSON.stringify(v));
  }
  assert.equal(await node.ethBalance(to[0]!), ETH_UNIT);
  assert.equal(await node.usdtBalance(to[1]!), USDT_UNIT);
  assert.equal(await hotNonce('latest'), n + 2n);
});

test('issue 11: re-broadcast after a crash (the stored raw, a restarted rail) pays once', async () => {
  // Crash between storing and broadcasting: the restarted rail sees an unknown hash and sends the bytes.
  const n = await hotNonce('pending');
  const toA = freshAddress();
  const a = await rail().sign(transfer('ETH', toA, ETH_UNIT), { nonce: n, reservedOutpoints: new Set() });
  const stored: SignedTransfer = JSON.parse(JSON.stringify(a));
  const restarted = newRail();
  assert.deepEqual(await restarted.verdict('ETHEREUM', stored.txHash), { state: 'unknown' });
  await restarted.broadcast('ETHEREUM', stored);
  // Crash after broadcasting, before the answer was recorded: the next restart broadcasts again, twice.
  const again = newRail();
  assert.equal((await again.verdict('ETHEREUM', stored.txHash)).state, 'pending');
  await Promise.all([again.broadcast('ETHEREUM', stored), rail().broadcast('ETHEREUM', stored)]);
  await node.mine(1);
  await newRail().broadcast('ETHEREUM', stored); // and once more after it was mined ("nonce too low")
  await node.mine(2);
  assert.deepEqual(await newRail().verdict('ETHEREUM', stored.txHash), { state: 'included', confirmations: 3 });
  assert.equal(await node.ethBalance(toA), ETH_UNIT, 'paid once');
  assert.equal(await hotNonce('latest'), n + 1n, 'one transaction');
  // Bytes that do not hash to the stored id are refused before anything is sent.
  await assert.rejects(newRail().broadcast('ETHEREUM', { ...stored, txHash: 'ab'.repeat(32) }), /do not hash/);
});

test(
  'issue 11: a nonce used by another transaction mined first gives the dropped verdict, also ' + 'after a restart',
  async () => {
    const r = rail();
    const n = await hotNonce('pending');
    const victim = freshAddress();
    const signed = await r.sign(transfer('ETH', victim, ETH_UNIT), { nonce: n, reservedOutpoints: new Set() });
    assert.deepEqual(await r.verdict('ETHEREUM', signed.txHash), { state: 'unknown' });
    // The same key sends another transaction with that nonce elsewhere (an operator's wallet, a replacement).
    const other = privateKeyToAccount(`0x${hotKey}`);
    const fees = parseTransaction(signed.raw as Hex);
    const rival = await other.signTransaction({
      type: 'eip1559',
      chainId: HARDHAT_CHAIN_ID,
      nonce: Number(n),
      to: freshAddress(),
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: fees.maxFeePerGas!,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas!,
    });
    await node.rpc('eth_sendRawTransaction', [rival]);
    await node.mine(1);
    assert.equal((await r.verdict('ETHEREUM', keccak256(rival).slice(2))).state, 'included');
    assert.match(JSON.stringify(await r.verdict('ETHEREUM', signed.txHash)), /"dropped".*nonce .* used by another/);
    // After a restart the rail knows the nonce once the sender re-broadcasts the stored bytes: refused, dropped.
    const restarted = newRail();
    assert.deepEqual(await restarted.verdict('ETHEREUM', signed.txHash), { state: 'unknown' });
    await assert.rejects(restarted.broadcast('ETHEREUM', signed), /was used by another transaction/);
    assert.equal((await restarted.verdict('ETHEREUM', signed.txHash)).state, 'dropped');
    await node.mine(1);
    assert.equal(await node.ethBalance(victim), 0n, 'the replaced payout never paid');
  },
);

test(
  'issue 11: a token transfer that reverts on chain (insufficient token balance) gives the failed ' + 'verdict',
  async () => {
    // A second hot wallet holding 1 USDT signs two 1-USDT payouts: each estimate passes against the current
    // state, the second runs out of tokens on chain.
    const key = newPrivateKeyHex();
    const poor = newRail(localSigner(new Secret(key)));
    const addr = poor.hotWalletAddress('ETHEREUM');
    await node.fund(addr, 'ETH', 10n ** 17n);
    await node.fund(addr, 'USDT', USDT_UNIT);
    const to = [freshAddress(), freshAddress()];
    const n = await poor.chainNonce!('ETHEREUM');
    const ok = await poor.sign(transfer('USDT', to[0]!, USDT_UNIT), { nonce: n, reservedOutpoints: new Set() });
    const bad = await poor.sign(transfer('USDT', to[1]!, USDT_UNIT), { nonce: n + 1n, reservedOutpoints: new Set() });
    await poor.broadcast('ETHEREUM', ok);
    await poor.broadcast('ETHEREUM', bad);
    await node.mine(1);
    assert.equal((await poor.verdict('ETHEREUM', ok.txHash)).state, 'included');
    assert.deepEqual(await poor.verdict('ETHEREUM', bad.txHash), { state: 'failed', reason: 'reverted on chain' });
    assert.equal(await node.usdtBalance(to[0]!), USDT_UNIT);
    assert.equal(await node.usdtBalance(to[1]!), 0n);
    // With no tokens left, signing itself refuses: the estimate proves the transfer would revert.
    await assert.rejects(
      poor.sign(transfer('USDT', to[1]!, USDT_UNIT), { nonce: n + 2n, reservedOutpoints: new Set() }),
    );
  },
);

test('issue 11: bad payout inputs are refused before anything is signed', async () => {
  const r = rail();
  const ctx = { nonce: await hotNonce('pending'), reservedOutpoints: new Set<string>() };
  await assert.rejects(r.sign(transfer('ETH', freshAddress(), ETH_UNIT), { ...ctx, nonce: null }), /reserved/);
  await assert.rejects(r.sign(transfer('ETH', freshAddress(), 0n), ctx), /positive/);
  await assert.rejects(r.sign(transfer('TRX', freshAddress(), 1n), ctx), /does not pay TRX/);
  await assert.rejects(r.sign(transfer('ETH', '0x1234', 1n), ctx));
  await assert.rejects(r.sign({ ...transfer('ETH', freshAddress(), 1n), network: 'BSC' }, ctx), /no network BSC/);
  const wrongChain = evmPayoutRail([{ ...ethereumConfig(node), chainId: 1 }], signer);
  await assert.rejects(wrongChain.sign(transfer('ETH', freshAddress(), 1n), ctx), /serves chain id 31337.* says 1/);
  assert.equal(await hotNonce('pending'), ctx.nonce, 'nothing reached the chain');
});

test('issue 11: BSC(BEP-20) runs the same code: BNB and USDT payouts from the same hot wallet address', async () => {
  // The local node stands in for BSC: the network's own config (native BNB), the node's chain id.
  const bscDef = NETWORKS.find((x) => x.key === 'BSC')!;
  const bsc = evmPayoutRail(
    [
      {
        ...bscDef,
        rpc: node.url,
        confirmations: 2,
        usdt: node.token,
        chainId: HARDHAT_CHAIN_ID,
        bitcoinNetwork: 'regtest',
      },
    ],
    signer,
  );
  assert.deepEqual(bsc.networks, ['BSC']);
  assert.equal(bsc.hotWalletAddress('BSC'), rail().hotWalletAddress('ETHEREUM'));
  await assert.rejects(bsc.hotWalletBalance('BSC', 'ETH'), /does not pay ETH on BSC/);
  const n = await bsc.chainNonce!('BSC');
  const to = [freshAddress(), freshAddress()];
  const bnb = await bsc.sign(
    { ...transfer('BNB', to[0]!, ETH_UNIT), network: 'BSC' },
    { nonce: n, reservedOutpoints: new Set() },
  );
  const usdt = await bsc.sign(
    { ...transfer('USDT', to[1]!, USDT_UNIT), network: 'BSC' },
    { nonce: n + 1n, reservedOutpoints: new Set() },
  );
  assert.equal(parseTransaction(bnb.raw as Hex).chainId, HARDHAT_CHAIN_ID);
  await bsc.broadcast('BSC', bnb);
  await bsc.broadcast('BSC', usdt);
  await node.mine(1);
  for (const s of [bnb, usdt]) assert.equal((await bsc.verdict('BSC', s.txHash)).state, 'included');
  assert.equal(await node.ethBalance(to[0]!), ETH_UNIT);
  assert.equal(await node.usdtBalance(to[1]!), USDT_UNIT);
});

test(
  'issue 11: 20 payouts signed with consecutive reserved nonces and broadcast concurrently all ' + 'land exactly once',
  async () => {
    const r = rail();
    const n = await hotNonce('pending');
    const payouts = Array.from({ length: 20 }, (_, i) => ({
      asset: i % 2 ? 'USDT' : 'ETH',
      to: freshAddress(),
      amount: (i % 2 ? USDT_UNIT : ETH_UNIT) + BigInt(i),
    }));
    // Signing is concurrent too: each payout carries its own reserved nonce, nothing else is shared.
    const signedTransfers = await Promise.all(
      payouts.map((p, i) =>
        r.sign(transfer(p.asset, p.to, p.amount), { nonce: n + BigInt(i), reservedOutpoints: new Set() }),
      ),
    );
    assert.deepEqual(
      signedTransfers.map((s) => s.detail.nonce),
      payouts.map((_, i) => String(n + BigInt(i))),
    );
    // Every transfer broadcast twice, all at once, in shuffled order.
    const order = [...signedTransfers, ...signedTransfers].sort(() => Math.random() - 0.5);
    await Promise.all(order.map((s) => r.broadcast('ETHEREUM', s)));
    await node.mine(1);
    for (const s of signedTransfers) await untilVerdict(r, s.txHash, (v) => v.state === 'included');
    for (const p of payouts) assert.equal(await balanceOf(p.to, p.asset), p.amount, `${p.asset} to ${p.to}`);
    assert.equal(await hotNonce('latest'), n + 20n, 'twenty transactions, no more');
  },
);
