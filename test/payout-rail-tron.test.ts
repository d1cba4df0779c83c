// The TRON payout rail (src/rails/payout/tron/) against the full-node stand-in (test/fixtures/tron-standin.ts),
// which checks every broadcast transaction as java-tron does (txID, signature, TaPoS, expiration, contract,
// balance, bandwidth) before it mines it. The shared payout rail conformance suite runs for TRX and USDT; below
// it, the TRON-only tests: byte compatibility with tronweb's own signing and address derivation, refused
// tampering, a re-broadcast after a crash, expiry, the energy/bandwidth balance rule, failed TRC-20 calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TronWeb } from 'tronweb';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { runPayoutRailConformance, type PayoutDriver } from './payout-rail-conformance.js';
import { TronStandin, trx, trc20, randomTronAddress, testContractAddress } from './fixtures/tron-standin.js';
import { tronToHex } from '../src/rails/tron/transform.js';
import { NETWORKS, type NetworkConfig } from '../src/rails/crypto/networks.js';
import { localSigner, newPrivateKeyHex, type Secp256k1Signer } from '../src/rails/payout/signer.js';
import { Secret } from '../src/domain/secret.js';
import {
  HotWalletShortError,
  TronBroadcastRefused,
  tronPayoutRail,
  type TronPayoutRail,
} from '../src/rails/payout/tron/rail.js';
import { checkBuilt, tronAddressOfPublicKey, type TronTx } from '../src/rails/payout/tron/transform.js';
import type { PayoutTransfer, SignedTransfer } from '../src/rails/payout/payout-rail.js';
import { ENERGY_TO_NEW_HOLDER, STANDIN_PRICES } from './fixtures/tron-standin-broadcast.js';

const USDT = testContractAddress('tender-test-usdt-trc20');
const TRX_UNIT = 1_000_000n; // 1 TRX in sun
const USDT_UNIT = 1_000_000n; // 1 USDT (6 decimals on TRON)
/** TRX the operator adds on top of what is paid out: the rail keeps back what the fees may burn. */
const FEE_ALLOWANCE = 50n * TRX_UNIT;
const CONFIRMATIONS = 2;

const config = (url: string): NetworkConfig => ({
  ...NETWORKS.find((n) => n.key === 'TRON')!,
  rpc: url,
  confirmations: CONFIRMATIONS,
  usdt: USDT,
  chainId: null,
  bitcoinNetwork: 'mainnet',
});

function newKey(): { pk: string; signer: Secp256k1Signer } {
  const pk = newPrivateKeyHex();
  return { pk, signer: localSigner(new Secret(pk)) };
}

async function startNode(): Promise<TronStandin> {
  const node = await new TronStandin([USDT]).start();
  node.mineEmpty(3);
  return node;
}

function fundTrx(node: TronStandin, address: string, amount: bigint): void {
  node.mine([trx(address, amount)]);
  node.mineEmpty(CONFIRMATIONS);
}
function fundUsdt(node: TronStandin, address: string, amount: bigint): void {
  node.mine([trc20(USDT, address, amount)]);
  node.mineEmpty(CONFIRMATIONS);
}
const onChain = (node: TronStandin, address: string, asset: string) =>
  node.balanceOf(address, asset === 'TRX' ? undefined : USDT).amount;

let conformanceNode: TronStandin;
const driver: PayoutDriver = {
  name: 'TRON',
  network: 'TRON',
  assets: ['TRX', 'USDT'],
  unit: (asset) => (asset === 'TRX' ? TRX_UNIT : USDT_UNIT),
  async start() {
    conformanceNode = await startNode();
    return tronPayoutRail([config(conformanceNode.url)], newKey().signer);
  },
  stop: () => conformanceNode.close(),
  async fund(address, asset, amount) {
    if (asset === 'TRX') fundTrx(conformanceNode, address, amount + FEE_ALLOWANCE);
    else fundUsdt(conformanceNode, address, amount);
  },
  newRecipient: async () => randomTronAddress(),
  balanceOf: async (address, asset) => onChain(conformanceNode, address, asset),
  async mine(n) {
    conformanceNode.mineEmpty(n);
  },
};
runPayoutRailConformance(driver);

/** A node, a funded hot wallet (TRX + USDT) and its rail. */
async function setup(o: { trx?: bigint; usdt?: bigint } = {}) {
  const node = await startNode();
  const key = newKey();
  const rail = tronPayoutRail([config(node.url)], key.signer);
  const hot = rail.hotWalletAddress('TRON');
  if ((o.trx ?? 200n * TRX_UNIT) > 0n) fundTrx(node, hot, o.trx ?? 200n * TRX_UNIT);
  if ((o.usdt ?? 100n * USDT_UNIT) > 0n) fundUsdt(node, hot, o.usdt ?? 100n * USDT_UNIT);
  return { node, key, rail, hot };
}

const payout = (asset: string, to: string, amount: bigint): PayoutTransfer => ({
  payoutId: `p-${Math.random()}`,
  network: 'TRON',
  asset,
  to,
  amount,
});
const noCtx = { nonce: null, reservedOutpoints: new Set<string>() };

async function settle(rail: TronPayoutRail, node: TronStandin, s: SignedTransfer) {
  for (let i = 0; i < 10; i++) {
    const v = await rail.verdict('TRON', s.txHash);
    if (v.state === 'included' || v.state === 'failed') return v;
    node.mineEmpty(1);
  }
  throw new Error('no verdict');
}

test("issue 11: the hot wallet's TRON address from the signer's public key is tronweb's derivation", () => {
  for (let i = 0; i < 20; i++) {
    const { pk, signer } = newKey();
    assert.equal(tronAddressOfPublicKey(signer.publicKey()), TronWeb.address.fromPrivateKey(pk));
  }
});

test(
  "issue 11: the TRON signature through Secp256k1Signer equals tronweb's trx.sign of the same " + 'transaction',
  async () => {
    const { node, key, rail } = await setup();
    try {
      const tw = new TronWeb({ fullHost: node.url });
      for (const asset of ['TRX', 'USDT']) {
        for (let i = 0; i < 3; i++) {
          const s = await rail.sign(payout(asset, randomTronAddress(), 1_234_567n + BigInt(i)), noCtx);
          const { signature, ...unsigned } = JSON.parse(s.raw) as TronTx;
          type Tx = Parameters<typeof tw.trx.sign>[0];
          const byTronweb = (await tw.trx.sign(unsigned as unknown as Tx, key.pk)) as unknown as TronTx;
          assert.equal(byTronweb.txID, s.txHash);
          // tronweb writes v in upper case ("1B"); the bytes are what java-tron reads.
          assert.deepEqual(
            Buffer.from(signature![0]!, 'hex'),
            Buffer.from(byTronweb.signature![0]!, 'hex'),
            `${asset}: same r, s and v`,
          );
        }
      }
    } finally {
      await node.close();
    }
  },
);

test(
  'issue 11: the TRON stand-in refuses a tampered raw_data, a wrong key, a wrong amount; nothing ' + 'is paid',
  async () => {
    const { node, rail, hot } = await setup();
    try {
      const to = randomTronAddress();
      const s = await rail.sign(payout('TRX', to, 5n * TRX_UNIT), noCtx);
      const refusal = async (raw: unknown) => {
        const bad = { ...s, raw: JSON.stringify(raw) };
        const e = await rail.broadcast('TRON', bad).then(
          () => undefined,
          (x: unknown) => x,
        );
        assert.ok(e instanceof TronBroadcastRefused, `refused: ${String(e)}`);
        return e.code;
      };
      const tx = JSON.parse(s.raw) as TronTx;
      // A changed amount under the original signature and txID.
      const more = structuredClone(tx);
      more.raw_data.contract[0]!.parameter.value.amount = 50 * 1_000_000;
      assert.equal(await refusal(more), 'SIGERROR');
      // A changed destination, with the txID recomputed to match (the signature no longer recovers to the owner).
      const elsewhere = structuredClone(tx);
      elsewhere.raw_data.contract[0]!.parameter.value.to_address = `41${'ab'.repeat(20)}`;
      delete (elsewhere as Partial<TronTx>).txID;
      assert.equal(await refusal(elsewhere), 'SIGERROR');
      // The right transaction signed by another key.
      const other = newKey().signer;
      const sig = await other.signDigest(Uint8Array.from(Buffer.from(tx.txID, 'hex')));
      const wrongKey = {
        ...tx,
        signature: [Buffer.from(sig.compact).toString('hex') + (sig.recovery + 27).toString(16)],
      };
      assert.equal(await refusal(wrongKey), 'SIGERROR');
      // A well-signed transaction paying more than the hot wallet holds.
      const tooMuch = await rail.sign(payout('TRX', to, 5n * TRX_UNIT), noCtx);
      node.mine([trx(randomTronAddress(), 196n * TRX_UNIT, { from: hot })]); // the operator empties the wallet
      await assert.rejects(rail.broadcast('TRON', tooMuch), (e: unknown) => {
        assert.ok(e instanceof TronBroadcastRefused);
        assert.equal(e.code, 'CONTRACT_VALIDATE_ERROR');
        return true;
      });
      node.mineEmpty(3);
      assert.equal(onChain(node, to, 'TRX'), 0n, 'no refused transaction was mined');
      assert.deepEqual(node.pool, []);
      // The rail itself refuses a built transaction that is not the payout it was asked for.
      assert.throws(() => checkBuilt(tx, payout('TRX', to, 5n * TRX_UNIT + 1n), hot, USDT), /amount mismatch/);
      assert.throws(() => checkBuilt(tx, payout('TRX', randomTronAddress(), 5n * TRX_UNIT), hot, USDT), /destination/);
    } finally {
      await node.close();
    }
  },
);

test('issue 11: TRON re-broadcast of the same raw after a crash pays once', async () => {
  const { node, key, rail } = await setup();
  try {
    // Crash after broadcast, before the answer was stored: a new process re-broadcasts the stored raw.
    const to = randomTronAddress();
    const s = await rail.sign(payout('USDT', to, 3n * USDT_UNIT), noCtx);
    await rail.broadcast('TRON', s);
    const restarted = tronPayoutRail([config(node.url)], key.signer);
    assert.deepEqual(await restarted.verdict('TRON', s.txHash), { state: 'pending' });
    await restarted.broadcast('TRON', s);
    node.mineEmpty(1);
    await restarted.broadcast('TRON', s);
    assert.equal((await settle(restarted, node, s)).state, 'included');
    // Crash between signing (stored) and the first broadcast: unknown, then the same bytes once.
    const to2 = randomTronAddress();
    const s2 = await restarted.sign(payout('TRX', to2, 2n * TRX_UNIT), noCtx);
    const again = tronPayoutRail([config(node.url)], key.signer);
    assert.deepEqual(await again.verdict('TRON', s2.txHash), { state: 'unknown' });
    await Promise.all([again.broadcast('TRON', s2), again.broadcast('TRON', s2)]);
    assert.equal((await settle(again, node, s2)).state, 'included');
    node.mineEmpty(2);
    assert.equal(onChain(node, to, 'USDT'), 3n * USDT_UNIT);
    assert.equal(onChain(node, to2, 'TRX'), 2n * TRX_UNIT);
  } finally {
    await node.close();
  }
});

test('issue 11: a TRON transaction past its expiration that never landed has the verdict dropped', async () => {
  const { node, key, rail } = await setup();
  try {
    const to = randomTronAddress();
    const s = await rail.sign(payout('TRX', to, TRX_UNIT), noCtx);
    const expiration = Number(s.detail.expiration);
    assert.ok(expiration > 0);
    node.mineEmpty(15); // 45 s of stand-in time: not expired yet
    assert.deepEqual(await rail.verdict('TRON', s.txHash), { state: 'unknown' });
    node.mineEmpty(10); // past the 60 s expiration, but not yet at the confirmation depth
    await assert.rejects(rail.broadcast('TRON', s), (e: unknown) => {
      assert.ok(e instanceof TronBroadcastRefused);
      assert.equal(e.code, 'TRANSACTION_EXPIRATION_ERROR');
      return true;
    });
    node.mineEmpty(CONFIRMATIONS);
    const v = await rail.verdict('TRON', s.txHash);
    assert.equal(v.state, 'dropped');
    // A restarted process knows the expiration once the sender re-broadcasts the stored raw.
    const restarted = tronPayoutRail([config(node.url)], key.signer);
    assert.deepEqual(await restarted.verdict('TRON', s.txHash), { state: 'unknown' });
    await restarted.broadcast('TRON', s).catch(() => undefined);
    assert.equal((await restarted.verdict('TRON', s.txHash)).state, 'dropped');
    // Safe to sign anew: the new transaction pays, the expired one never does.
    const s2 = await restarted.sign(payout('TRX', to, TRX_UNIT), noCtx);
    assert.notEqual(s2.txHash, s.txHash);
    await restarted.broadcast('TRON', s2);
    assert.equal((await settle(restarted, node, s2)).state, 'included');
    node.mineEmpty(3);
    assert.equal(onChain(node, to, 'TRX'), TRX_UNIT);
  } finally {
    await node.close();
  }
});

test('issue 11: TRON energy short: the TRX balance keeps back the fees and a USDT payout waits for TRX', async () => {
  const { node, rail, hot } = await setup({ trx: 10n * TRX_UNIT, usdt: 50n * USDT_UNIT });
  try {
    const p = STANDIN_PRICES;
    // No staked resources: a TRX transfer to a new account burns the account fees (it cannot use the free
    // bandwidth); a USDT transfer burns its energy at getEnergyFee (the rail's bound: 135,000 energy), its
    // bandwidth comes from the 600 free bytes.
    const trxReserve = p.getCreateNewAccountFeeInSystemContract + p.getCreateAccountFee;
    const usdtReserve = 135_000n * p.getEnergyFee;
    const balance = onChain(node, hot, 'TRX');
    assert.equal(balance, 10n * TRX_UNIT);
    assert.ok(usdtReserve > balance);
    assert.equal(await rail.hotWalletBalance('TRON', 'TRX'), 0n, 'all of it is kept back for the fees');
    assert.equal(await rail.feeShortfall('TRON', 'USDT'), usdtReserve - balance);
    assert.equal(await rail.feeShortfall('TRON', 'TRX'), 0n);
    assert.equal(await rail.hotWalletBalance('TRON', 'USDT'), 50n * USDT_UNIT);
    assert.ok(trxReserve < usdtReserve);
    await assert.rejects(rail.sign(payout('USDT', randomTronAddress(), USDT_UNIT), noCtx), HotWalletShortError);
    // Staked energy pays instead of TRX: the payout goes, burning bandwidth at most.
    node.stake(hot, { energy: 200_000n });
    assert.equal(await rail.feeShortfall('TRON', 'USDT'), 0n);
    assert.equal(await rail.hotWalletBalance('TRON', 'TRX'), balance - trxReserve);
    const to = randomTronAddress();
    const s = await rail.sign(payout('USDT', to, USDT_UNIT), noCtx);
    assert.equal(s.detail.energy, String((ENERGY_TO_NEW_HOLDER * 12n + 9n) / 10n));
    assert.equal(s.detail.fee, '0', 'staked energy, free bandwidth: nothing burnt');
    await rail.broadcast('TRON', s);
    assert.equal((await settle(rail, node, s)).state, 'included');
    assert.equal(onChain(node, to, 'USDT'), USDT_UNIT);
    assert.equal(onChain(node, hot, 'TRX'), balance, 'no TRX burnt');
    // A TRX payout larger than what is kept back waits too.
    await assert.rejects(rail.sign(payout('TRX', randomTronAddress(), balance), noCtx), HotWalletShortError);
  } finally {
    await node.close();
  }
});

test(
  'issue 11: a TRON USDT transfer that runs out of energy or reverts has the verdict failed; fees ' + 'burnt',
  async () => {
    const { node, rail, hot } = await setup({ trx: 300n * TRX_UNIT, usdt: 10n * USDT_UNIT });
    try {
      // Signed while energy cost 210 sun; the price rises before execution, the fee limit no longer covers it.
      const to = randomTronAddress();
      const s = await rail.sign(payout('USDT', to, 4n * USDT_UNIT), noCtx);
      node.prices = { ...STANDIN_PRICES, getEnergyFee: 1000n };
      const before = onChain(node, hot, 'TRX');
      await rail.broadcast('TRON', s);
      const v = await settle(rail, node, s);
      assert.deepEqual(v, { state: 'failed', reason: 'TRON OUT_OF_ENERGY' });
      assert.equal(onChain(node, to, 'USDT'), 0n);
      assert.ok(before - onChain(node, hot, 'TRX') >= BigInt(s.detail.feeLimit!), 'the fee limit was burnt');
      node.prices = { ...STANDIN_PRICES };
      // Two payouts each signed while the balance covered it: the second to run reverts.
      const a = await rail.sign(payout('USDT', randomTronAddress(), 7n * USDT_UNIT), noCtx);
      const b = await rail.sign(payout('USDT', randomTronAddress(), 7n * USDT_UNIT), noCtx);
      await rail.broadcast('TRON', a);
      await rail.broadcast('TRON', b);
      assert.equal((await settle(rail, node, a)).state, 'included');
      assert.deepEqual(await settle(rail, node, b), { state: 'failed', reason: 'TRON REVERT' });
    } finally {
      await node.close();
    }
  },
);

test('issue 11: two equal TRON payouts signed against the same block get distinct txIDs and both pay', async () => {
  const { node, rail } = await setup();
  try {
    for (const asset of ['TRX', 'USDT']) {
      const to = randomTronAddress();
      const [a, b] = await Promise.all([
        rail.sign(payout(asset, to, 2n * USDT_UNIT), noCtx),
        rail.sign(payout(asset, to, 2n * USDT_UNIT), noCtx),
      ]);
      assert.notEqual(a!.txHash, b!.txHash);
      await rail.broadcast('TRON', a!);
      await rail.broadcast('TRON', b!);
      for (const s of [a!, b!]) assert.equal((await settle(rail, node, s)).state, 'included');
      assert.equal(onChain(node, to, asset), 4n * USDT_UNIT, asset);
    }
  } finally {
    await node.close();
  }
});

test('issue 11: TRON signatures have a low s (the signer normalises them)', async () => {
  const { node, rail } = await setup();
  try {
    const s = await rail.sign(payout('TRX', randomTronAddress(), TRX_UNIT), noCtx);
    const sig = Buffer.from((JSON.parse(s.raw) as TronTx).signature![0]!, 'hex');
    const sValue = BigInt(`0x${sig.subarray(32, 64).toString('hex')}`);
    assert.ok(sValue <= secp256k1.Point.CURVE().n / 2n);
  } finally {
    await node.close();
  }
});

test(
  'issue 11: a failing TRON node makes broadcast and verdict throw, never a false verdict; the ' + 'retry pays once',
  async () => {
    const { node, rail } = await setup();
    try {
      const to = randomTronAddress();
      const s = await rail.sign(payout('TRX', to, 3n * TRX_UNIT), noCtx);
      node.failNext(1, { path: '/wallet/broadcasttransaction' });
      await assert.rejects(rail.broadcast('TRON', s), /HTTP 500/);
      await rail.broadcast('TRON', s);
      node.mineEmpty(1);
      for (const path of ['/wallet/gettransactioninfobyid', '/wallet/gettransactionbyid', '/wallet/getnowblock']) {
        node.failNext(1, { path, mode: 'error-body' });
        await assert.rejects(rail.verdict('TRON', s.txHash), /NullPointerException/, path);
      }
      assert.equal((await settle(rail, node, s)).state, 'included');
      await rail.broadcast('TRON', s);
      node.mineEmpty(2);
      assert.equal(onChain(node, to, 'TRX'), 3n * TRX_UNIT);
    } finally {
      await node.close();
    }
  },
);

test(
  "issue 11: the TRON stand-in's createtransaction and triggersmartcontract answer what tronweb " + 'builds',
  async () => {
    const { node, key, hot } = await setup();
    try {
      const tw = new TronWeb({ fullHost: node.url });
      const to = randomTronAddress();
      // TRX: the node's createtransaction equals tronweb's local build on the same reference block.
      const byNode = await tw.fullNode.request<TronTx>(
        'wallet/createtransaction',
        { owner_address: tronToHex(hot), to_address: tronToHex(to), amount: 2_000_000 },
        'post',
      );
      const blockHeader = {
        ref_block_bytes: byNode.raw_data.ref_block_bytes,
        ref_block_hash: byNode.raw_data.ref_block_hash,
        expiration: byNode.raw_data.expiration,
        timestamp: byNode.raw_data.timestamp!,
      };
      const local = await tw.transactionBuilder.sendTrx(to, 2_000_000, hot, { blockHeader });
      assert.equal(byNode.raw_data_hex, local.raw_data_hex);
      assert.equal(byNode.txID, local.txID);
      // TRC-20: tronweb's node path (triggersmartcontract) checks the answer against its arguments itself.
      const call = await tw.transactionBuilder.triggerSmartContract(
        USDT,
        'transfer(address,uint256)',
        { feeLimit: 50_000_000 },
        [
          { type: 'address', value: to },
          { type: 'uint256', value: '3000000' },
        ],
        hot,
      );
      assert.equal(call.result.result, true);
      // Both, signed by tronweb with the key, are accepted by the stand-in's checks and pay.
      for (const tx of [byNode, call.transaction]) {
        const signed = await tw.trx.sign(tx as never, key.pk);
        const r = await tw.trx.sendRawTransaction(signed as never);
        assert.equal(r.result, true, JSON.stringify(r));
      }
      node.mineEmpty(1);
      assert.equal(onChain(node, to, 'TRX'), 2_000_000n);
      assert.equal(onChain(node, to, 'USDT'), 3_000_000n);
      const missing = await tw.fullNode.request<{ result?: { code?: string } }>(
        'wallet/triggersmartcontract',
        { owner_address: tronToHex(hot), contract_address: tronToHex(randomTronAddress()), function_selector: 'x()' },
        'post',
      );
      assert.equal(missing.result?.code, 'CONTRACT_VALIDATE_ERROR');
    } finally {
      await node.close();
    }
  },
);

test('issue 11: twenty concurrent equal TRON payouts to one address each pay once', async () => {
  const { node, rail } = await setup({ trx: 100n * TRX_UNIT, usdt: 0n });
  try {
    const to = randomTronAddress();
    const signed = await Promise.all(Array.from({ length: 20 }, () => rail.sign(payout('TRX', to, TRX_UNIT), noCtx)));
    assert.equal(new Set(signed.map((s) => s.txHash)).size, 20);
    await Promise.all(signed.flatMap((s) => [rail.broadcast('TRON', s), rail.broadcast('TRON', s)]));
    for (const s of signed) assert.equal((await settle(rail, node, s)).state, 'included');
    assert.equal(onChain(node, to, 'TRX'), 20n * TRX_UNIT);
  } finally {
    await node.close();
  }
});

test('issue 11: the TRON hot wallet balance counts solidified funds only', async () => {
  const { node, rail, hot } = await setup();
  try {
    const [trxBefore, usdtBefore] = [
      await rail.hotWalletBalance('TRON', 'TRX'),
      await rail.hotWalletBalance('TRON', 'USDT'),
    ];
    node.mine([trx(hot, 5n * TRX_UNIT), trc20(USDT, hot, 7n * USDT_UNIT)]);
    assert.equal(await rail.hotWalletBalance('TRON', 'TRX'), trxBefore, 'not solidified yet');
    assert.equal(await rail.hotWalletBalance('TRON', 'USDT'), usdtBefore);
    node.mineEmpty(node.solidityLag);
    assert.equal(await rail.hotWalletBalance('TRON', 'TRX'), trxBefore + 5n * TRX_UNIT);
    assert.equal(await rail.hotWalletBalance('TRON', 'USDT'), usdtBefore + 7n * USDT_UNIT);
  } finally {
    await node.close();
  }
});

test('issue 11: a TRON USDT payout above the token balance waits (hot_wallet_short) and signs nothing', async () => {
  const { node, rail } = await setup({ usdt: 5n * USDT_UNIT });
  try {
    await assert.rejects(rail.sign(payout('USDT', randomTronAddress(), 6n * USDT_UNIT), noCtx), (e: unknown) => {
      assert.ok(e instanceof HotWalletShortError);
      assert.equal(e.code, 'hot_wallet_short');
      return true;
    });
    assert.deepEqual(node.pool, []);
  } finally {
    await node.close();
  }
});
