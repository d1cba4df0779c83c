// The Bitcoin payout rail (src/rails/payout/bitcoin) on the Esplora stand-in (test/fixtures/esplora-standin.ts),
// regtest addresses. Transactions are built and signed by @scure/btc-signer through the Secp256k1Signer; the
// stand-in checks each one with the library (inputs exist and are unspent, BIP143 signatures verify against the
// spent output's script and amount, outputs ≤ inputs) before it enters the mempool. First the conformance suite
// every crypto payout rail runs, then the Bitcoin-only tests: byte-identical signatures, refusals, concurrent
// payouts, change, dust, crash and re-broadcast, double spends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Transaction, p2tr, p2pkh, p2wpkh } from '@scure/btc-signer';
import { EsploraStandin } from './fixtures/esplora-standin.js';
import { contextKeeper, runPayoutRailConformance, type PayoutDriver } from './payout-rail-conformance.js';
import {
  BroadcastRefusedError,
  bitcoinPayoutRail,
  HotWalletShortError,
  PayoutBelowDustError,
} from '../src/rails/payout/bitcoin/rail.js';
import { EsploraError } from '../src/rails/bitcoin/esplora.js';
import { btcNetwork, hotWallet, signPayout, unsignedPayout } from '../src/rails/payout/bitcoin/transaction.js';
import { dustThreshold, estimateVsize, selectCoins } from '../src/rails/payout/bitcoin/coins.js';
import { feeRateMilli } from '../src/rails/payout/bitcoin/fee-rate.js';
import { localSigner, newPrivateKeyHex } from '../src/rails/payout/signer.js';
import { NETWORKS, type NetworkConfig } from '../src/rails/crypto/networks.js';
import { Secret } from '../src/domain/secret.js';
import type { PayoutRail, SendContext, SignedTransfer } from '../src/rails/payout/payout-rail.js';

const NET = btcNetwork('regtest');
const randomKey = () => secp256k1.utils.randomSecretKey();
const newAddress = () => p2wpkh(secp256k1.getPublicKey(randomKey(), true), NET).address!;
const sats = (n: number | bigint) => BigInt(n);

function networkConfig(rpc: string, confirmations = 2): NetworkConfig {
  const def = NETWORKS.find((n) => n.key === 'BITCOIN')!;
  return { ...def, rpc, confirmations, usdt: null, chainId: null, bitcoinNetwork: 'regtest' };
}

/** A fresh chain, hot wallet key and rail. */
async function setup(opts: { confirmations?: number; retries?: number } = {}) {
  const chain = await EsploraStandin.start(newAddress(), 3);
  const keyHex = newPrivateKeyHex();
  const make = () =>
    bitcoinPayoutRail([networkConfig(chain.url, opts.confirmations)], localSigner(new Secret(keyHex)), {
      retries: opts.retries ?? 0,
      retryDelayMs: 20,
    });
  const rail = make();
  const hot = rail.hotWalletAddress('BITCOIN');
  /** One confirmed funding transaction with one output per value. */
  const fund = (...values: number[]) => chain.mine([{ outputs: values.map((value) => ({ address: hot, value })) }]);
  return { chain, rail, make, hot, fund, key: Uint8Array.from(Buffer.from(keyHex, 'hex')) };
}

const transfer = (to: string, amount: bigint, id = `p-${randomBytes(4).toString('hex')}`) => ({
  payoutId: id,
  network: 'BITCOIN' as const,
  asset: 'BTC',
  to,
  amount,
});
const noReservations: SendContext = { nonce: null, reservedOutpoints: new Set() };

// --- the suite every crypto payout rail runs ---

let conformanceChain: EsploraStandin;
const driver: PayoutDriver = {
  name: 'bitcoin on the Esplora stand-in',
  network: 'BITCOIN',
  assets: ['BTC'],
  unit: () => 100_000n,
  async start() {
    conformanceChain = await EsploraStandin.start(newAddress(), 3);
    return bitcoinPayoutRail([networkConfig(conformanceChain.url)], localSigner(new Secret(newPrivateKeyHex())));
  },
  stop: () => conformanceChain.close(),
  async fund(address, _asset, amount) {
    // Ten outputs, not one: unconfirmed change is never spent, so payouts in flight need one output each.
    const part = Number(amount / 10n);
    conformanceChain.mine([{ outputs: Array.from({ length: 10 }, () => ({ address, value: part })) }]);
  },
  newRecipient: async () => newAddress(),
  balanceOf: async (address) => conformanceChain.balanceOf(address),
  mine: async (n) => conformanceChain.mineEmpty(n),
};
runPayoutRailConformance(driver);

// --- Bitcoin-only ---

test('issue 11: signing through Secp256k1Signer.signDigest gives the bytes of @scure/btc-signer tx.sign', async () => {
  const key = randomKey();
  const signer = localSigner(new Secret(Buffer.from(key).toString('hex')));
  const wallet = hotWallet(signer.publicKey(), NET);
  const inputs = [0, 1, 2].map((i) => ({ txid: randomBytes(32).toString('hex'), vout: i, value: 50_000n + sats(i) }));
  for (const payScript of [
    p2tr(secp256k1.getPublicKey(randomKey(), true).subarray(1), undefined, NET).script,
    p2pkh(secp256k1.getPublicKey(randomKey(), true), NET).script,
    p2wpkh(secp256k1.getPublicKey(randomKey(), true), NET).script,
  ]) {
    const plan = { inputs, payScript, amount: 120_000n, change: 29_000n };
    const ours = await signPayout(unsignedPayout(plan, wallet), wallet, inputs, signer);
    const theirs = unsignedPayout(plan, wallet);
    assert.equal(theirs.sign(key), 3, 'the library signs the three inputs');
    theirs.finalize();
    assert.equal(ours.hex, Buffer.from(theirs.extract()).toString('hex'), 'byte-identical transactions');
    assert.equal(ours.txid, theirs.id);
    assert.ok(ours.vsize <= estimateVsize(3, [payScript, wallet.script]), 'the fee estimate bounds the real size');
  }
});

test('issue 11: a signature that does not match the hot wallet key is refused before it is stored', async () => {
  const real = localSigner(new Secret(newPrivateKeyHex()));
  const other = localSigner(new Secret(newPrivateKeyHex()));
  const liar = { publicKey: () => real.publicKey(), signDigest: (d: Uint8Array) => other.signDigest(d) };
  const wallet = hotWallet(real.publicKey(), NET);
  const inputs = [{ txid: 'ab'.repeat(32), vout: 0, value: 90_000n }];
  const plan = { inputs, payScript: wallet.script, amount: 50_000n, change: 39_000n };
  await assert.rejects(signPayout(unsignedPayout(plan, wallet), wallet, inputs, liar), /does not verify/);
});

test('issue 11: the stand-in refuses a tampered signature, a changed amount, spent or missing inputs', async () => {
  const { chain, rail, fund } = await setup();
  try {
    fund(400_000);
    const to = newAddress();
    const s = await rail.sign(transfer(to, 150_000n), noReservations);
    const post = (raw: string) => rail.broadcast('BITCOIN', { ...s, raw });
    const tx = Transaction.fromRaw(Buffer.from(s.raw, 'hex'));

    // One bit of the signature flipped (its r value), everything else intact.
    const sig = tx.getInput(0).finalScriptWitness![0]!;
    const at = s.raw.indexOf(Buffer.from(sig).toString('hex'));
    assert.ok(at > 0);
    const flip =
      s.raw.slice(0, at + 20) + (Number.parseInt(s.raw[at + 20]!, 16) ^ 1).toString(16) + s.raw.slice(at + 21);
    // rail.broadcast checks the txid first: the txid does not cover the witness, so it passes to the node.
    await assert.rejects(post(flip), /mandatory-script-verify-flag-failed/);

    // The payee's amount raised by one sat: the txid changes, so post the bytes straight to the node.
    const amountLe = Buffer.alloc(8);
    amountLe.writeBigUInt64LE(150_000n);
    const raised = Buffer.alloc(8);
    raised.writeBigUInt64LE(150_001n);
    const changed = s.raw.replace(amountLe.toString('hex'), raised.toString('hex'));
    assert.notEqual(changed, s.raw);
    const res = await fetch(`${chain.url}/tx`, { method: 'POST', body: changed });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /^sendrawtransaction RPC error: \{"code":-26,"message":"mandatory-script-verify/);

    // Outputs above the inputs, signed by the key itself over a lie about the input's value.
    const key = randomKey(); // any key: the value check comes before the signature check
    const lie = new Transaction();
    const u = chain.utxosOf(rail.hotWalletAddress('BITCOIN'))[0]!;
    lie.addInput({
      txid: u.txid,
      index: u.vout,
      witnessUtxo: { script: p2wpkh(secp256k1.getPublicKey(key, true), NET).script, amount: 10n ** 8n },
    });
    lie.addOutputAddress(to, 500_000n, NET);
    lie.sign(key);
    lie.finalize();
    const below = await fetch(`${chain.url}/tx`, { method: 'POST', body: lie.hex });
    assert.match(await below.text(), /bad-txns-in-belowout/);

    // Garbage, and an input nobody created.
    assert.match(await (await fetch(`${chain.url}/tx`, { method: 'POST', body: 'zz' })).text(), /TX decode failed/);
    const ghost = new Transaction();
    ghost.addInput({
      txid: 'cd'.repeat(32),
      index: 0,
      witnessUtxo: { script: p2wpkh(secp256k1.getPublicKey(key, true), NET).script, amount: 9000n },
    });
    ghost.addOutputAddress(to, 5000n, NET);
    ghost.sign(key);
    ghost.finalize();
    assert.match(await (await fetch(`${chain.url}/tx`, { method: 'POST', body: ghost.hex })).text(), /missingorspent/);

    assert.equal(chain.mempool.length, 0, 'nothing refused entered the mempool');
    // The genuine bytes are accepted and pay exactly the amount.
    await rail.broadcast('BITCOIN', s);
    chain.mineEmpty(1);
    assert.equal(chain.balanceOf(to), 150_000n);
    assert.deepEqual(
      chain.refused.map((r) => r.message.split(' ')[0]),
      [
        'mandatory-script-verify-flag-failed',
        'mandatory-script-verify-flag-failed',
        'bad-txns-in-belowout,',
        'TX',
        'bad-txns-inputs-missingorspent',
      ],
    );
  } finally {
    await chain.close();
  }
});

test('issue 11: concurrent payouts with the kept reservedOutpoints never double-spend', async () => {
  const { chain, rail, fund } = await setup();
  try {
    fund(...Array.from({ length: 8 }, (_, i) => 200_000 + i * 1000));
    const keeper = contextKeeper('BITCOIN');
    // The sender signs under the hot wallet's row lock (one at a time), then broadcasts in parallel.
    let lock = Promise.resolve();
    const signLocked = (to: string) => {
      const run = lock.then(async () => {
        const s = await rail.sign(transfer(to, 150_000n), await keeper.next(rail));
        keeper.record(s);
        return s;
      });
      lock = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    };
    const recipients = Array.from({ length: 8 }, newAddress);
    const signed = await Promise.all(recipients.map(signLocked));
    await Promise.all(signed.map((s) => rail.broadcast('BITCOIN', s)));
    const spent = signed.flatMap((s) => s.detail.spent!.split(','));
    assert.equal(new Set(spent).size, spent.length, 'no outpoint spent twice');
    assert.equal(chain.mempool.length, 8);
    // A ninth payout finds no confirmed, unreserved output: the clear "hot wallet short" error, nothing sent.
    await assert.rejects(
      signLocked(newAddress()),
      (e: unknown) => e instanceof HotWalletShortError && e.code === 'hot_wallet_short',
    );
    chain.mineEmpty(1);
    for (const r of recipients) assert.equal(chain.balanceOf(r), 150_000n);

    // Without the reservations two payouts pick the same output; the node takes only the first.
    fund(300_000);
    const a = await rail.sign(transfer(newAddress(), 100_000n), noReservations);
    const b = await rail.sign(transfer(newAddress(), 100_000n), noReservations);
    assert.equal(a.detail.spent, b.detail.spent);
    await rail.broadcast('BITCOIN', a);
    await assert.rejects(rail.broadcast('BITCOIN', b), /txn-mempool-conflict/);
  } finally {
    await chain.close();
  }
});

test('issue 11: change returns to the hot wallet and is not spent before it confirms', async () => {
  const { chain, rail, fund, hot } = await setup();
  try {
    fund(1_000_000);
    const to = newAddress();
    const s = await rail.sign(transfer(to, 300_000n), noReservations);
    const change = BigInt(s.detail.change!);
    const fee = BigInt(s.detail.fee!);
    assert.ok(change > 0n);
    assert.equal(300_000n + change + fee, 1_000_000n, 'inputs = amount + change + fee');
    assert.ok(fee >= BigInt(s.detail.vsize!) * 8n, 'at least the 3-block estimate (8.4 sat/vB) times the size');
    await rail.broadcast('BITCOIN', s);
    const mine = chain.utxosOf(hot);
    assert.deepEqual(
      mine.map((u) => [u.txid, u.vout, BigInt(u.value), u.status.confirmed]),
      [[s.txHash, 1, change, false]],
      'the only output left is the unconfirmed change',
    );
    await assert.rejects(
      rail.sign(transfer(newAddress(), 100_000n), {
        nonce: null,
        reservedOutpoints: new Set(s.detail.spent!.split(',')),
      }),
      HotWalletShortError,
    );
    assert.equal(await rail.hotWalletBalance('BITCOIN', 'BTC'), 0n, 'unconfirmed change is not spendable balance');
    chain.mineEmpty(1);
    assert.equal(await rail.hotWalletBalance('BITCOIN', 'BTC'), change);
    const next = await rail.sign(transfer(newAddress(), 100_000n), noReservations);
    assert.equal(next.detail.spent, `${s.txHash}:1`, 'the confirmed change pays the next payout');
  } finally {
    await chain.close();
  }
});

test('issue 11: dust change goes to the fee; a payout below the dust threshold is refused', async () => {
  const { chain, rail, fund } = await setup();
  try {
    chain.feeEstimates = { '3': 2 };
    // One input, two P2WPKH outputs: 141 vB at 2 sat/vB = 282 sats; one output: 110 vB = 220 sats.
    assert.equal(estimateVsize(1, [new Uint8Array(22), new Uint8Array(22)]), 141);
    fund(100_500);
    const s = await rail.sign(transfer(newAddress(), 100_000n), noReservations);
    // 500 − 282 = 218 sats of change would be below the 294-sat dust threshold: no change output at all.
    assert.equal(s.detail.change, '0');
    assert.equal(s.detail.fee, '500');
    const tx = Transaction.fromRaw(Buffer.from(s.raw, 'hex'));
    assert.equal(tx.outputsLength, 1);
    await rail.broadcast('BITCOIN', s);

    fund(200_000);
    const p2wpkhDust = dustThreshold(p2wpkh(secp256k1.getPublicKey(randomKey(), true), NET).script);
    assert.equal(p2wpkhDust, 294n);
    await assert.rejects(rail.sign(transfer(newAddress(), 293n), noReservations), PayoutBelowDustError);
    const edge = await rail.sign(transfer(newAddress(), 294n), noReservations);
    await rail.broadcast('BITCOIN', edge);
    assert.equal(chain.refused.length, 0);
  } finally {
    await chain.close();
  }
});

test('issue 11: coin selection is largest first, skips reserved and unconfirmed outputs, says when short', () => {
  const w = hotWallet(secp256k1.getPublicKey(randomKey(), true), NET);
  const u = (txid: string, value: number, confirmed = true) => ({
    txid: txid.repeat(64),
    vout: 0,
    value: sats(value),
    confirmed,
  });
  const base = { payScript: w.script, changeScript: w.script, rateMilli: 1000n };
  const utxos = [u('a', 50_000), u('b', 80_000), u('c', 900_000, false), u('d', 70_000)];
  const sel = selectCoins({ ...base, utxos, reserved: new Set([`${'b'.repeat(64)}:0`]), amount: 100_000n });
  assert.deepEqual(
    sel.inputs.map((i) => i.txid[0]),
    ['d', 'a'],
  );
  assert.throws(
    () => selectCoins({ ...base, utxos, reserved: new Set(), amount: 300_000n }),
    (e: unknown) =>
      e instanceof HotWalletShortError && e.available === 200_000n && /900000 sats unconfirmed/.test(e.message),
  );
  assert.equal(feeRateMilli(new Map()), 2000n, 'no estimate (regtest): the fallback');
  assert.equal(
    feeRateMilli(
      new Map([
        [2, 9.5],
        [6, 4.25],
      ]),
    ),
    4250n,
    'the nearest longer target',
  );
  assert.equal(feeRateMilli(new Map([[3, 0.2]])), 1000n, 'never below the minimum relay rate');
  assert.equal(feeRateMilli(new Map([[3, 9000]])), 500_000n, 'never above the cap');
});

test('issue 11: re-broadcast after a crash pays once (before and after the first broadcast)', async () => {
  const { chain, rail, make, fund } = await setup();
  try {
    fund(500_000, 500_000);
    const keeper = contextKeeper('BITCOIN');
    const stored: SignedTransfer[] = [];
    const toA = newAddress();
    const toB = newAddress();
    for (const to of [toA, toB]) {
      const s = await rail.sign(transfer(to, 200_000n), await keeper.next(rail));
      keeper.record(s);
      stored.push(s); // what the sender commits before it broadcasts
    }
    await rail.broadcast('BITCOIN', stored[0]!); // A went out, then kill -9; B never did
    const restarted: PayoutRail = make(); // a new process: nothing in memory
    assert.deepEqual(await restarted.verdict('BITCOIN', stored[0]!.txHash), { state: 'pending' });
    assert.deepEqual(await restarted.verdict('BITCOIN', stored[1]!.txHash), { state: 'unknown' });
    for (const s of stored) {
      await restarted.broadcast('BITCOIN', s);
      await restarted.broadcast('BITCOIN', s);
    }
    assert.equal(chain.mempool.length, 2);
    chain.mineEmpty(2);
    for (const s of stored)
      assert.deepEqual(await restarted.verdict('BITCOIN', s.txHash), { state: 'included', confirmations: 2 });
    await restarted.broadcast('BITCOIN', stored[0]!); // after inclusion: "already in block chain"
    chain.mineEmpty(1);
    assert.equal(chain.balanceOf(toA), 200_000n);
    assert.equal(chain.balanceOf(toB), 200_000n);
    assert.equal(chain.chain.flatMap((b) => b.txs).filter((t) => t.txid === stored[0]!.txHash).length, 1, 'mined once');
  } finally {
    await chain.close();
  }
});

test('issue 11: a broadcast of an included payout whose outputs are all spent is not an error', async () => {
  const { chain, rail, fund, hot } = await setup();
  try {
    fund(500_000);
    const s = await rail.sign(transfer(hot, 200_000n), noReservations); // to itself: the wallet can spend both outputs
    await rail.broadcast('BITCOIN', s);
    chain.mineEmpty(1);
    const t = await rail.sign(transfer(newAddress(), 400_000n), noReservations); // spends both outputs of s
    assert.equal(t.detail.spent!.split(',').length, 2);
    await rail.broadcast('BITCOIN', t);
    chain.mineEmpty(1);
    await rail.broadcast('BITCOIN', s); // bitcoind: missingorspent; the rail sees it is in the chain
    assert.match(chain.refused.at(-1)!.message, /missingorspent/);
  } finally {
    await chain.close();
  }
});

test('issue 11: a payout whose input another transaction spent is dropped once that spend is confirmed', async () => {
  const { chain, rail, make, fund, key } = await setup({ confirmations: 2 });
  try {
    fund(600_000);
    const s = await rail.sign(transfer(newAddress(), 250_000n), noReservations);
    await rail.broadcast('BITCOIN', s);
    assert.deepEqual(await rail.verdict('BITCOIN', s.txHash), { state: 'pending' });
    // Someone with the same key spends the same output elsewhere, and a miner takes that one.
    const [prev, vout] = s.detail.spent!.split(':') as [string, string];
    const other = new Transaction();
    other.addInput({
      txid: prev,
      index: Number(vout),
      witnessUtxo: { script: p2wpkh(secp256k1.getPublicKey(key, true), NET).script, amount: 600_000n },
    });
    other.addOutputAddress(newAddress(), 590_000n, NET);
    other.sign(key);
    other.finalize();
    chain.mineRaw([other.hex]);
    assert.equal(chain.mempool.length, 0, 'the payout left the mempool');
    // One confirmation of the conflicting spend: a re-org could still undo it, so only "unknown".
    assert.deepEqual(await rail.verdict('BITCOIN', s.txHash), { state: 'unknown' });
    chain.mineEmpty(1);
    const v = await rail.verdict('BITCOIN', s.txHash);
    assert.equal(v.state, 'dropped');
    assert.match((v as { reason: string }).reason, new RegExp(`input ${prev}:${vout} was spent by ${other.id}`));
    // After a restart the rail learns the inputs from the repeated broadcast, which the node refuses.
    const restarted = make();
    assert.deepEqual(await restarted.verdict('BITCOIN', s.txHash), { state: 'unknown' });
    // A refusal, not a transport error: it carries what the node said.
    await assert.rejects(
      restarted.broadcast('BITCOIN', s),
      (e: unknown) => e instanceof BroadcastRefusedError && /missingorspent/.test(e.reason),
    );
    assert.equal((await restarted.verdict('BITCOIN', s.txHash)).state, 'dropped');
  } finally {
    await chain.close();
  }
});

test('issue 11: the Bitcoin rail pays BTC on BITCOIN only and refuses an address of another network', async () => {
  const { chain, rail, fund } = await setup();
  try {
    fund(500_000);
    await assert.rejects(rail.sign({ ...transfer(newAddress(), 1000n), asset: 'USDT' }, noReservations), /BTC only/);
    await assert.rejects(rail.sign({ ...transfer(newAddress(), 1000n), network: 'TRON' }, noReservations), /TRON/);
    const mainnet = p2wpkh(secp256k1.getPublicKey(randomKey(), true)).address!;
    await assert.rejects(rail.sign(transfer(mainnet, 100_000n), noReservations));
    assert.match(rail.hotWalletAddress('BITCOIN'), /^bcrt1q[02-9ac-hj-np-z]{38}$/);
    assert.equal(await rail.hotWalletBalance('BITCOIN', 'BTC'), 500_000n);
  } finally {
    await chain.close();
  }
});

test('issue 11: a failed broadcast is a transport error the sender repeats; the same bytes land once', async () => {
  const { chain, rail, make, fund } = await setup({ retries: 2 });
  try {
    fund(400_000);
    const to = newAddress();
    const s = await rail.sign(transfer(to, 120_000n), noReservations);
    chain.failNext(/^\/tx$/, 1, 503);
    await assert.rejects(rail.broadcast('BITCOIN', s), (e: unknown) => e instanceof EsploraError && e.status === 503);
    assert.equal(chain.mempool.length, 0);
    await rail.broadcast('BITCOIN', s);
    chain.failNext(/^\/tx\//, 2, 500); // the verdict's reads are retried
    assert.deepEqual(await make().verdict('BITCOIN', s.txHash), { state: 'pending' });
    chain.mineEmpty(1);
    assert.equal(chain.balanceOf(to), 120_000n);
  } finally {
    await chain.close();
  }
});

test('issue 11: a payout whose block a re-org drops is pending again, then included again', async () => {
  const { chain, rail, fund } = await setup();
  try {
    fund(400_000);
    const to = newAddress();
    const s = await rail.sign(transfer(to, 120_000n), noReservations);
    await rail.broadcast('BITCOIN', s);
    chain.mineEmpty(1);
    assert.deepEqual(await rail.verdict('BITCOIN', s.txHash), { state: 'included', confirmations: 1 });
    chain.reorg(1, []);
    assert.deepEqual(await rail.verdict('BITCOIN', s.txHash), { state: 'pending' });
    chain.mineEmpty(3);
    assert.deepEqual(await rail.verdict('BITCOIN', s.txHash), { state: 'included', confirmations: 3 });
    assert.equal(chain.balanceOf(to), 120_000n);
  } finally {
    await chain.close();
  }
});
