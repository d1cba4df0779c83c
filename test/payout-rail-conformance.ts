// One conformance suite for every crypto payout rail (issue 11): the same scenarios run against the EVM rail on
// a real hardhat node, the TRON rail on the TRON full-node stand-in, the Bitcoin rail on the Esplora stand-in
// and the sandbox rail. A rail plugs in through a PayoutDriver; each rail's test file is its driver, a call to
// `runPayoutRailConformance(driver)` and the tests about that chain alone. The suite holds the properties the
// payout sender's crash safety rests on (src/rails/payout/payout-rail.ts): signing touches no chain, the same
// signed bytes land at most once however often they are broadcast, and the verdict follows the chain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChainVerdict, PayoutRail, SendContext, SignedTransfer } from '../src/rails/payout/payout-rail.js';
import type { NetworkKey } from '../src/rails/crypto/networks.js';

export interface PayoutDriver {
  /** Names the suite's tests: "payout rail conformance (<name>): …". */
  name: string;
  network: NetworkKey;
  /** Assets the suite pays out on this rail, e.g. ['ETH', 'USDT']; the first is the native one. */
  assets: readonly string[];
  /** A small payout amount per asset, in minor units; the hot wallet is funded with 100× it. */
  unit(asset: string): bigint;
  start(): Promise<PayoutRail>;
  stop(): Promise<void>;
  /** Gives the hot wallet `amount` of `asset` and confirms it (mines as needed). */
  fund(address: string, asset: string, amount: bigint): Promise<void>;
  /** A fresh recipient address that holds nothing. */
  newRecipient(): Promise<string>;
  /** What `address` holds of `asset` on chain, confirmed or not (minor units). */
  balanceOf(address: string, asset: string): Promise<bigint>;
  /** Mines `n` blocks (or advances the stand-in's head by n). */
  mine(n: number): Promise<void>;
}

/** What the sender reserves before it signs: the durable nonce it keeps, and the outpoints in flight. */
export interface ContextKeeper {
  next(rail: PayoutRail): Promise<SendContext>;
  record(s: SignedTransfer): void;
}

/** The sender's bookkeeping in miniature: one nonce per signed transfer, spent outpoints never reused. */
export function contextKeeper(network: NetworkKey): ContextKeeper {
  let nonce: bigint | null | undefined;
  const spent = new Set<string>();
  return {
    async next(rail) {
      if (nonce === undefined) nonce = rail.chainNonce ? await rail.chainNonce(network) : null;
      return { nonce, reservedOutpoints: new Set(spent) };
    },
    record(s) {
      if (nonce !== null && nonce !== undefined) nonce += 1n;
      for (const o of (s.detail.spent ?? '').split(',').filter(Boolean)) spent.add(o);
    },
  };
}

async function untilVerdict(
  rail: PayoutRail,
  d: PayoutDriver,
  hash: string,
  ok: (v: ChainVerdict) => boolean,
): Promise<ChainVerdict> {
  let last: ChainVerdict = { state: 'unknown' };
  for (let i = 0; i < 60; i++) {
    last = await rail.verdict(d.network, hash);
    if (ok(last)) return last;
    await d.mine(1);
  }
  assert.fail(`verdict never matched; last ${JSON.stringify(last)}`);
}

export function runPayoutRailConformance(d: PayoutDriver): { rail: () => PayoutRail } {
  let rail: PayoutRail;
  const title = (s: string) => `payout rail conformance (${d.name}): ${s}`;
  before(async () => {
    rail = await d.start();
    for (const a of d.assets) await d.fund(rail.hotWalletAddress(d.network), a, d.unit(a) * 100n);
  });
  after(() => d.stop());

  test(title('the hot wallet balance reflects confirmed funding'), async () => {
    for (const a of d.assets) assert.ok((await rail.hotWalletBalance(d.network, a)) >= d.unit(a) * 100n, a);
  });

  for (const asset of d.assets) {
    test(title(`${asset}: signing touches no chain; broadcast pays exactly the amount, once`), async () => {
      const keeper = contextKeeper(d.network);
      const to = await d.newRecipient();
      const amount = d.unit(asset) + 7n;
      const t = { payoutId: `conf-${asset}-${Date.now()}`, network: d.network, asset, to, amount };
      const s = await rail.sign(t, await keeper.next(rail));
      keeper.record(s);
      assert.match(s.txHash, /^[0-9a-f]{64}$/, 'lower-case hex id without 0x');
      assert.deepEqual(await rail.verdict(d.network, s.txHash), { state: 'unknown' }, 'signing broadcast nothing');
      await d.mine(1);
      assert.equal(await d.balanceOf(to, asset), 0n, 'nothing paid before broadcast');
      await rail.broadcast(d.network, s);
      await rail.broadcast(d.network, s); // a retry after a lost answer: the same bytes
      const v = await untilVerdict(rail, d, s.txHash, (x) => x.state === 'included' && x.confirmations >= 2);
      assert.equal(v.state, 'included');
      await rail.broadcast(d.network, s); // even after inclusion: harmless
      await d.mine(1);
      assert.equal(await d.balanceOf(to, asset), amount, 'the recipient got exactly the amount, once');
    });
  }

  test(title('two transfers signed in a row with the kept context both land'), async () => {
    const keeper = contextKeeper(d.network);
    const asset = d.assets[0]!;
    const to = [await d.newRecipient(), await d.newRecipient()];
    const signedTransfers: SignedTransfer[] = [];
    for (const [i, addr] of to.entries()) {
      const t = {
        payoutId: `conf-pair-${i}-${Date.now()}`,
        network: d.network,
        asset,
        to: addr,
        amount: d.unit(asset),
      };
      const s = await rail.sign(t, await keeper.next(rail));
      keeper.record(s);
      signedTransfers.push(s);
    }
    assert.notEqual(signedTransfers[0]!.txHash, signedTransfers[1]!.txHash);
    // Broadcast in reverse order: the second may wait for the first (EVM nonces), never replace it.
    await rail.broadcast(d.network, signedTransfers[1]!).catch(() => undefined);
    await rail.broadcast(d.network, signedTransfers[0]!);
    await rail.broadcast(d.network, signedTransfers[1]!);
    for (const s of signedTransfers) await untilVerdict(rail, d, s.txHash, (x) => x.state === 'included');
    for (const addr of to) assert.equal(await d.balanceOf(addr, asset), d.unit(asset));
  });

  test(title('an unknown transaction id has the verdict unknown'), async () => {
    assert.deepEqual(await rail.verdict(d.network, 'ab'.repeat(32)), { state: 'unknown' });
  });

  return { rail: () => rail };
}
