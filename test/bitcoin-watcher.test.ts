// The Bitcoin deposit watcher end to end against an Esplora stand-in (test/fixtures/esplora-standin.ts):
// no bitcoind exists here, so a local HTTP server speaks the Esplora subset the production client uses
// (src/rails/bitcoin/esplora.ts), serving blocks and transactions these tests script. The watcher is the
// production one (src/workers/chain-watcher.ts), its chain source built by src/rails/crypto/sources.ts from
// TENDER_RPC_BITCOIN = the stand-in; addresses are the reference mnemonic's BIP84 account (m/84'/0'/0').
// The shared scenarios are test/chain-conformance.ts; below them, the Bitcoin-only tests (the source,
// summed outputs, paging, coinbase, HTTP 500s, balances).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { bech32 } from '@scure/base';
import { getJson } from './harness.js';
import { EsploraStandin, type StandinOutput } from './fixtures/esplora-standin.js';
import { runChainConformance, type ChainDriver } from './chain-conformance.js';
import { chainSourceFor } from '../src/rails/crypto/sources.js';
import { esploraChain } from '../src/rails/bitcoin/esplora.js';
import { deriveBitcoinAddress } from '../src/rails/crypto/derivation.js';
import { recordSeenDeposit } from '../src/core/deposits.js';
import { referenceRoot } from './reference-keys.js';

const root = referenceRoot;
/** Addresses that are not Tender's: another account of the same wallet. */
const stranger = (i: number) => deriveBitcoinAddress(root.derive("m/84'/0'/1'").publicExtendedKey, i, 'mainnet');
let nextStranger = 1000;

let chain: EsploraStandin;
/** The outputs of the driver's payments by txid, for a replay after a re-org. */
const paid = new Map<string, StandinOutput[]>();

const bitcoin: ChainDriver = {
  name: 'Bitcoin',
  networkKey: 'BITCOIN',
  wire: 'Bitcoin',
  native: 'BTC',
  family: 'bitcoin',
  accountPath: "m/84'/0'/0'",
  confirmations: 2,
  initialLookback: 10,
  addressPattern: /^bc1q[02-9ac-hj-np-z]{38}$/,
  amounts: {
    native: {
      text: '0.0015',
      chain: 150_000n,
      ledger: 150_000n,
      fee: 1_500n,
      receivedText: '0.001485',
      feeText: '0.000015',
    },
  },
  async start() {
    chain = await EsploraStandin.start(stranger(0), 5);
    return {
      TENDER_XPUB_BTC: root.derive(this.accountPath).publicExtendedKey,
      TENDER_RPC_BITCOIN: chain.url,
      TENDER_CONFIRMATIONS_BITCOIN: String(this.confirmations),
      TENDER_BITCOIN_NETWORK: 'mainnet',
      TENDER_PAYMENT_TOLERANCE_BPS: '0',
    };
  },
  stop: async () => {
    await chain?.close();
  },
  head: async () => BigInt(chain.height),
  async pay(to, asset, amount) {
    assert.equal(asset, 'native', 'Bitcoin has no token');
    // Change to another wallet first and an OP_RETURN last: only output 1 is a deposit.
    const outputs: StandinOutput[] = [
      { address: stranger(nextStranger++), value: 4_321_000 },
      { address: to, value: Number(amount) },
      { value: 0 },
    ];
    const b = chain.mine([{ outputs }]);
    paid.set(b.txids[0]!, outputs);
    return { hash: b.txids[0]!, logIndex: 1, blockHash: b.hash, to, asset, chainAmount: amount };
  },
  confirm: async (n) => {
    chain.mineEmpty(n);
  },
  checkpoint: async () => chain.height,
  async rollback(mark) {
    const k = chain.height - (mark as number);
    const stale = chain.chain[(mark as number) + 1]!.hash;
    chain.reorg(
      k,
      Array.from({ length: k }, () => []),
    ); // same heights, other hashes, without the payment
    assert.notEqual(chain.chain[(mark as number) + 1]!.hash, stale);
    // The stale block is still served by hash, its transactions marked unconfirmed, as electrs does.
    const txs = await getJson(`${chain.url}/block/${stale}/txs/0`);
    assert.equal(txs.body[1].status.confirmed, false);
  },
  async replay(p) {
    const b = chain.mine([{ outputs: paid.get(p.hash)!, txid: p.hash }]);
    return { ...p, hash: b.txids[0]!, blockHash: b.hash };
  },
  stranger: () => stranger(nextStranger++),
  addressOfKey: (key) => bech32.encode('bc', [0, ...bech32.toWords(key.identifier!)]),
};

const c = runChainConformance(bitcoin);
const { order, orderAt, entries, confirmed, deposits, caughtUp } = c;
const net = () => c.net;
const btcOrder = (tradeNo: string, amount: string) => c.cryptoOrder(tradeNo, amount, 'BTC');
const userAddress = (userId: string) => c.walletAddress(userId, 'BTC');

test('the network is watched through the Esplora source (sources.ts), which reads the stand-in', async () => {
  assert.equal(net().rpc, chain.url);
  const src = chainSourceFor(net());
  assert.equal(await src.head(), BigInt(chain.height));
  assert.equal(await src.blockHash(BigInt(chain.height)), chain.tip.hash);
  assert.equal(await src.blockHash(BigInt(chain.height + 1)), null, '404 beyond the tip');
  await caughtUp();
});

test(
  'two outputs of one transaction to one order address are summed into one deposit: the order completes ' +
    'with all of it',
  async () => {
    // Policy (src/rails/bitcoin/esplora.ts): one transaction is one payment, so its outputs to one address are
    // one deposit (logIndex = the first output). Counting them as two deposits would close the order as
    // underpaid when each half is short, and two equal halves would share a tx hash and an amount.
    const o = await btcOrder('BTC-SPLIT', '0.002');
    const {
      txids: [txid],
    } = chain.mine([
      {
        outputs: [
          { address: o.address, value: 100_000 },
          { address: stranger(2), value: 7_000 },
          { address: o.address, value: 100_000 },
        ],
      },
    ]);
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
  },
);

test(
  'a block of 78 transactions (4 pages of 25) is scanned entirely; ' + 'unknown addresses and the coinbase are ignored',
  async () => {
    await caughtUp();
    const orders = await Promise.all([0, 1, 2].map((i) => btcOrder(`BTC-PAGE-${i}`, '0.0001')));
    const dave = await userAddress('dave');
    const txs = Array.from({ length: 77 }, (_, i) => ({
      outputs: [
        { address: stranger(10 + i), value: 10_000 + i },
        { address: stranger(100 + i), value: 1_000 },
      ],
    }));
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
    const { rows } = await c.env.deps.db.query('SELECT address FROM chain_deposits WHERE block_hash = $1 ORDER BY id', [
      block.hash,
    ]);
    assert.deepEqual(
      rows.map((r) => r.address).sort(),
      [orders[0]!.address, orders[1]!.address, dave, orders[2]!.address].sort(),
      "only Tender's addresses, no coinbase",
    );
    const cached = chain.requests.slice(before).filter((p) => p === `/block/${block.hash}/txs/0`).length;
    assert.equal(cached, 1, 'a block re-read on later passes comes from the cache (same hash, same content)');
  },
);

test(
  'server errors (HTTP 500): retried, or the pass fails ' + 'and the next one picks up; nothing lost or doubled',
  async () => {
    await caughtUp();
    const o = await btcOrder('BTC-FLAKY', '0.0042');
    const failedBefore = chain.failed;
    chain.failNext(/\/txs\//, 12); // more than one pass's retries
    const {
      txids: [txid],
    } = chain.mine([{ outputs: [{ address: o.address, value: 420_000 }] }]);
    chain.mine();
    await orderAt(o.orderId, 14);
    assert.equal(chain.failed - failedBefore, 12);
    assert.equal((await deposits(txid!)).length, 1);
    assert.equal(await entries(o.orderId), 1);
  },
);

test(
  'deposits core: two equal deposits of one transaction to one order (EVM/TRON logs can do this) are ' +
    'both credited',
  async () => {
    // The Bitcoin source sums such outputs, but an EVM or TRON transaction can carry two equal token transfers to
    // one address. The second must not pass for a redo of the first (same hash, same amount): it is a no-order deposit.
    await caughtUp();
    const o = await btcOrder('CORE-TWICE', '0.0007');
    const at = chain.mine();
    const txHash = randomBytes(32).toString('hex');
    for (const logIndex of [3, 5]) {
      await recordSeenDeposit(c.env.deps, {
        network: net(),
        txHash,
        logIndex,
        blockNumber: BigInt(at.height),
        blockHash: at.hash,
        address: o.address,
        asset: 'BTC',
        chainAmount: 70_000n,
      });
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
    assert.equal((await entries(o.orderId)) + (await entries(extra.id)), 2, 'both credited');
  },
);

test('balances: the confirmed balance of an address from /address/:address', async () => {
  const addr = await userAddress('carol');
  const src = esploraChain(chain.url);
  assert.deepEqual(
    await src.balances!(addr),
    { native: bitcoin.amounts.native.chain, usdt: null },
    'the no-order deposit of the conformance suite',
  );
  await assert.rejects(esploraChain(chain.url, { retries: 0 }).blockHash(-1n), /HTTP 400/);
});
