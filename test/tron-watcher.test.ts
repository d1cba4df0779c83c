// The TRON deposit watcher end to end against a local stand-in of the full-node HTTP API
// (test/fixtures/tron-standin.ts): the code under test is the production watcher
// (src/workers/chain-watcher.ts) with the production TRON source (src/rails/tron/client.ts, chosen by
// chainSourceFor from TENDER_RPC_TRON); only the node is a stand-in, serving blocks and transaction infos
// the test scripts. The shared scenarios are test/chain-conformance.ts; below them, the TRON-only tests
// (address and int64 transforms, the source against the stand-in, batch-contract logs, failed
// transactions, node errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privateKeyToAddress } from 'viem/accounts';
import { sleep, until } from './harness.js';
import {
  TronStandin,
  trx,
  trc20,
  contractCall,
  randomTronAddress,
  testContractAddress,
  type TxSpec,
} from './fixtures/tron-standin.js';
import { runChainConformance, type ChainDriver } from './chain-conformance.js';
import { tronChain } from '../src/rails/tron/client.js';
import {
  hexToTron,
  tronToHex,
  parseJsonExact,
  int,
  tokenTransfers,
  nativeTransfers,
  TRANSFER_TOPIC,
} from '../src/rails/tron/transform.js';
import { referenceRoot } from './reference-keys.js';

const USDT = testContractAddress('tender-test-usdt-trc20'); // the token the test configures (TENDER_USDT_TRON)
const OTHER_TOKEN = testContractAddress('some-other-trc20');
const BATCH = testContractAddress('a-batch-payout-contract');
const E12 = 10n ** 12n; // USDT: 6 decimals on TRON, 18 in the ledger

let node: TronStandin;
const savedKey = process.env.TENDER_TRON_API_KEY;

const tron: ChainDriver = {
  name: 'TRON',
  networkKey: 'TRON',
  wire: 'TRON(TRC-20)',
  native: 'TRX',
  family: 'tron',
  accountPath: "m/44'/195'/0'",
  confirmations: 3,
  initialLookback: 1000,
  addressPattern: /^T[1-9A-HJ-NP-Za-km-z]{33}$/,
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
      text: '25',
      chain: 25_000_000n,
      ledger: 25_000_000n,
      fee: 250_000n,
      receivedText: '24.75',
      feeText: '0.25',
    },
  },
  async start() {
    node = await new TronStandin([USDT, OTHER_TOKEN]).start();
    node.mineEmpty(20);
    process.env.TENDER_TRON_API_KEY = 'test-trongrid-key';
    return {
      TENDER_XPUB_TRON: referenceRoot.derive(this.accountPath).publicExtendedKey,
      TENDER_RPC_TRON: node.url,
      TENDER_USDT_TRON: USDT,
      TENDER_CONFIRMATIONS_TRON: String(this.confirmations),
    };
  },
  async stop() {
    await node?.close();
    if (savedKey === undefined) delete process.env.TENDER_TRON_API_KEY;
    else process.env.TENDER_TRON_API_KEY = savedKey;
  },
  head: async () => BigInt(node.head),
  async pay(to, asset, amount) {
    if (asset === 'USDT') {
      // A native transfer first: it has no log, so the token transfer is the block's only log (logIndex 0).
      const b = node.mine([trx(randomTronAddress(), 1_000_000n), trc20(USDT, to, amount)]);
      return { hash: b.txIDs[1]!, logIndex: 0, blockHash: b.blockID, to, asset, chainAmount: amount };
    }
    const b = node.mine([trx(to, amount)]);
    return { hash: b.txIDs[0]!, logIndex: -1, blockHash: b.blockID, to, asset, chainAmount: amount };
  },
  confirm: async (n) => {
    node.mineEmpty(n);
  },
  checkpoint: async () => node.head,
  async rollback(mark) {
    const k = node.head - (mark as number);
    const replaced = node.blockID((mark as number) + 1);
    // The blocks are replaced by siblings without the transaction (the first carries another one).
    const [sibling] = node.reorg(k, [
      [trx(randomTronAddress(), 1n)],
      ...Array.from({ length: k - 1 }, (): TxSpec[] => []),
    ]);
    assert.notEqual(sibling!.blockID, replaced);
    assert.equal(sibling!.number, (mark as number) + 1);
  },
  async replay(p) {
    const spec =
      p.asset === 'USDT'
        ? trc20(USDT, p.to, p.chainAmount, { txID: p.hash })
        : trx(p.to, p.chainAmount, { txID: p.hash });
    const b = node.mine([spec]);
    return { ...p, hash: b.txIDs[0]!, blockHash: b.blockID };
  },
  stranger: () => randomTronAddress(),
  addressOfKey: (key) =>
    hexToTron(
      `41${privateKeyToAddress(`0x${Buffer.from(key.privateKey!).toString('hex')}`)
        .slice(2)
        .toLowerCase()}`,
    ),
};

const c = runChainConformance(tron);
const { cryptoOrder, order, orderAt, entries, deposits, caughtUp } = c;
const NET = tron.wire;

test("TENDER_TRON_API_KEY is sent as TRON-PRO-API-KEY by the watcher's source", () => {
  assert.ok(
    node.calls.some((x) => x.headers['tron-pro-api-key'] === 'test-trongrid-key'),
    'TENDER_TRON_API_KEY is sent as TRON-PRO-API-KEY',
  );
});

test(
  'pure: TRON addresses hex ⇄ base58, exact int64 JSON, ' + 'Transfer logs only from succeeded calls of the token',
  () => {
    // Tether's USDT on TRON: the published pair.
    assert.equal(hexToTron('41a614f803b6fd780986a42c78ec9c7f77e6ded13c'), 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t');
    assert.equal(tronToHex('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'), '41a614f803b6fd780986a42c78ec9c7f77e6ded13c');
    assert.throws(() => tronToHex('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u'), /not a TRON address/);
    const big = parseJsonExact(
      '{"amount": 90071992547409931, "n": [12345678901234567], "s":"12345678901234567"}',
    ) as any;
    assert.equal(int(big.amount), 90071992547409931n);
    assert.equal(int(big.n[0]), 12345678901234567n);
    assert.equal(int(undefined), 0n);

    const to = randomTronAddress();
    const watched = new Set([to]);
    const blockID = `0000000000000005${'ab'.repeat(24)}`;
    const tx = (
      txID: string,
      contractRet: string,
      type = 'TriggerSmartContract',
      value: Record<string, unknown> = {},
    ) => ({ txID, ret: [{ contractRet }], raw_data: { contract: [{ type, parameter: { value } }] } });
    const log = (token: string, amount: bigint) => ({
      address: tronToHex(token).slice(2),
      topics: [TRANSFER_TOPIC, '0'.repeat(64), tronToHex(to).slice(2).padStart(64, '0')],
      data: amount.toString(16).padStart(64, '0'),
    });
    const block = {
      blockID,
      block_header: { raw_data: { number: 5 } },
      transactions: [
        tx('a'.repeat(64), 'SUCCESS'),
        tx('b'.repeat(64), 'REVERT'),
        tx('c'.repeat(64), 'SUCCESS'),
        tx('d'.repeat(64), 'SUCCESS', 'TransferContract', {
          amount: 7,
          owner_address: tronToHex(randomTronAddress()),
          to_address: tronToHex(to),
        }),
        tx('e'.repeat(64), 'REVERT', 'TransferContract', {
          amount: 9,
          owner_address: tronToHex(randomTronAddress()),
          to_address: tronToHex(to),
        }),
      ],
    };
    const infos = [
      {
        id: 'a'.repeat(64),
        blockNumber: 5,
        receipt: { result: 'SUCCESS' },
        log: [log(OTHER_TOKEN, 1n), log(USDT, 2n)],
      },
      // A node never keeps the logs of a reverted call; if one did, they would still be ignored.
      { id: 'b'.repeat(64), blockNumber: 5, result: 'FAILED', receipt: { result: 'REVERT' }, log: [log(USDT, 3n)] },
      { id: 'c'.repeat(64), blockNumber: 5, receipt: { result: 'SUCCESS' }, log: [log(USDT, 4n)] },
    ];
    const found = tokenTransfers(infos, block, tronToHex(USDT).slice(2), watched);
    assert.deepEqual(
      found.map((t) => [t.txHash[0], t.logIndex, t.chainAmount, t.to, t.blockHash, t.blockNumber]),
      [
        ['a', 1, 2n, to, blockID, 5n],
        ['c', 3, 4n, to, blockID, 5n],
      ],
      'logIndex counts every log of the block, in order',
    );
    assert.deepEqual(
      nativeTransfers(block, watched).map((t) => [t.txHash[0], t.logIndex, t.chainAmount]),
      [['d', -1, 7n]],
    );
  },
);

test('the production TRON source against the stand-in: head, block hashes, balances, API key, retries', async () => {
  const src = tronChain(node.url, USDT, { apiKey: 'k-123' });
  const who = randomTronAddress();
  assert.deepEqual(await src.balances!(who), { native: 0n, usdt: 0n }, 'an account that does not exist: {} → 0');
  node.mine([trx(who, 9_007_199_254_740_993n), trc20(USDT, who, 1_250_000n), trc20(OTHER_TOKEN, who, 5n)]);
  assert.equal(await src.head(), BigInt(node.head));
  assert.equal(await src.blockHash(BigInt(node.head)), node.blockID(node.head));
  assert.equal(await src.blockHash(BigInt(node.head + 5)), null);
  const before = node.calls.length;
  assert.deepEqual(
    await src.balances!(who),
    { native: 9_007_199_254_740_993n, usdt: 1_250_000n },
    'sun above 2^53 stays exact',
  );
  // Other tests' watchers poll the same stand-in meanwhile: look for this source's call, not the last one.
  const last = node.calls
    .slice(before)
    .find((c) => c.path === '/wallet/triggerconstantcontract' && c.body?.owner_address === tronToHex(who));
  assert.ok(last, 'the USDT balance was read with triggerconstantcontract');
  assert.equal(last.headers['tron-pro-api-key'], 'k-123');
  const found = await src.transfers(BigInt(node.head), BigInt(node.head), new Set([who]));
  assert.deepEqual(
    found.map((t) => [t.asset, t.chainAmount, t.logIndex]),
    [
      ['native', 9_007_199_254_740_993n, -1],
      ['USDT', 1_250_000n, 0],
    ],
  );
  node.failNext(2, { apiKey: 'k-123' }); // HTTP 500 twice: retried inside the client
  assert.equal(await src.head(), BigInt(node.head));
  // java-tron's {"Error": ...} answer is an error, not an empty block
  node.failNext(1, { apiKey: 'k-123', mode: 'error-body' });
  await assert.rejects(src.blockHash(1n), /NullPointerException/);
  assert.equal(tronChain(node.url, null).balances !== undefined, true);
  assert.deepEqual(await tronChain(node.url, null).balances!(who), { native: 9_007_199_254_740_993n, usdt: null });
});

test(
  "Transfer logs emitted inside another contract's call are seen; logIndex is the block-wide log " +
    'position; other tokens are not USDT',
  async () => {
    const dave = await c.walletAddress('dave', 'USDT');
    const erin = await c.walletAddress('erin', 'USDT');
    const {
      txIDs: [first, batch],
    } = node.mine([
      trc20(USDT, randomTronAddress(), 1n), // log 0, to a stranger
      contractCall(BATCH, [
        { token: OTHER_TOKEN, to: dave, amount: 999_000_000n }, // log 1: not the configured token
        { token: USDT, to: dave, amount: 2_000_000n }, // log 2
        { token: USDT, to: erin, amount: 3_000_000n }, // log 3
      ]),
    ]);
    node.mineEmpty(2);
    await until('both batch deposits confirmed', async () => {
      const r = await deposits(batch!);
      return r.length === 2 && r.every((d) => d.status === 'confirmed') ? r : undefined;
    });
    const rows = await deposits(batch!);
    assert.deepEqual(
      rows.map((r) => [r.log_index, r.address, r.asset, BigInt(r.chain_amount)]),
      [
        [2, dave, 'USDT', 2_000_000n],
        [3, erin, 'USDT', 3_000_000n],
      ],
    );
    assert.equal((await deposits(first!)).length, 0);
    for (const r of rows)
      assert.equal((await order(r.order_id)).merchantTradeNo, `deposit:${NET}:${batch}:${r.log_index}`);
  },
);

test('failed transactions (contractRet other than SUCCESS) are ignored', async () => {
  const usdtOrder = await cryptoOrder('TRON-FAILED-USDT', '4', 'USDT');
  const trxOrder = await cryptoOrder('TRON-FAILED-TRX', '4', 'TRX');
  const { txIDs } = node.mine([
    trc20(USDT, usdtOrder.address, 4_000_000n, { contractRet: 'REVERT' }),
    trc20(USDT, usdtOrder.address, 4_000_000n, { contractRet: 'OUT_OF_ENERGY' }),
    trx(trxOrder.address, 4_000_000n, { contractRet: 'REVERT' }),
  ]);
  node.mineEmpty(4);
  await caughtUp();
  await sleep(300);
  for (const h of txIDs) assert.deepEqual(await deposits(h), [], `nothing recorded for ${h}`);
  assert.equal((await order(usdtOrder.orderId)).status, 0);
  assert.equal((await order(trxOrder.orderId)).status, 0);
});

test(
  'a node failing requests (HTTP 500, ' + '{"Error"} bodies) delays the watcher but loses and doubles nothing',
  async () => {
    const o = await cryptoOrder('TRON-FLAKY', '6', 'USDT');
    const totalBefore = await entries();
    // beyond the client's own two retries: passes fail
    node.failNext(4, { path: '/wallet/gettransactioninfobyblocknum' });
    node.failNext(3, { path: '/wallet/getblockbynum', mode: 'error-body' });
    const {
      txIDs: [hash],
    } = node.mine([trc20(USDT, o.address, 6_000_000n)]);
    await orderAt(o.orderId, 11);
    node.failNext(5);
    node.mineEmpty(2);
    await orderAt(o.orderId, 14);
    assert.equal(node.pendingFailures, 0, 'every scripted failure was served');
    node.mineEmpty(3);
    await caughtUp();
    assert.equal((await deposits(hash!)).length, 1);
    assert.equal(await entries(o.orderId), 1);
    assert.equal(await entries(), totalBefore + 1);
  },
);
