// Issue 11 proof, live mode on TRON and Bitcoin: the registered TRON and Bitcoin payout rails against their
// stand-ins (test/fixtures/tron-standin.ts, esplora-standin.ts), which accept a transaction only when it is
// signed by the hot wallet's key (java-tron's txID and signature checks; bitcoind's BIP143 checks through
// @scure/btc-signer), with the funds to pay it. Hot wallets made by the core of `tender hot-wallet create`
// and funded on the stand-in chains; signed `withdraw` calls over real HTTP; the real payout sender. The test
// mines. Proven: TRX, USDT-TRC20 and BTC go 0 → 11 → 14 paying the recipient exactly receivedAmount; a hot
// wallet short of fees (TRON energy paid in TRX, Bitcoin inputs for the fee) waits in 0 with the reason
// hot_wallet_short and pays once funded; a TRON transaction that expired unsent is signed anew and pays once;
// a Bitcoin transaction the node forgot is re-broadcast, the same bytes, by a restarted sender.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { p2wpkh } from '@scure/btc-signer';
import { newMerchant, startTestEnv, until, webhookReceiver, type TestEnv } from './harness.js';
import { fundMerchant, withdraw } from './payout-helpers.js';
import { apiBalance, hooksOf, orderDetail, stageOf, statusOf, type Hooks } from './payout-live-helpers.js';
import { TronStandin, trx, trc20, randomTronAddress, testContractAddress } from './fixtures/tron-standin.js';
import { EsploraStandin } from './fixtures/esplora-standin.js';
import { brokenInvariants } from './invariants.js';
import { createHotWallet } from '../src/core/hot-wallets.js';
import { btcNetwork } from '../src/rails/payout/bitcoin/transaction.js';
import { startPayoutSender } from '../src/workers/payout-sender.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

const USDT = testContractAddress('tender-live-usdt-trc20');
const CONFIRMATIONS = 2;
const SUN = 1_000_000n;
let tron: TronStandin;
let btc: EsploraStandin;
let env: TestEnv;
let dbUrl: string;
let hooks: Hooks;
let sender: { stop(): Promise<void> };
let dispatcher: Dispatcher;
let m: MerchantCredentials;
let tronHot: string;
let btcHot: string;

const newBtcAddress = () =>
  p2wpkh(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true), btcNetwork('regtest')).address!;

before(async () => {
  tron = await new TronStandin([USDT]).start();
  tron.mineEmpty(3);
  btc = await EsploraStandin.start(newBtcAddress(), 3);
  env = await startTestEnv({
    TENDER_MODE: 'live',
    TENDER_RPC_TRON: tron.url,
    TENDER_USDT_TRON: USDT,
    TENDER_CONFIRMATIONS_TRON: String(CONFIRMATIONS),
    TENDER_RPC_BITCOIN: btc.url,
    TENDER_BITCOIN_NETWORK: 'regtest',
    TENDER_CONFIRMATIONS_BITCOIN: String(CONFIRMATIONS),
    TENDER_PAYOUT_FEES: 'USDT:TRON=1+0,TRX:TRON=1+0,BTC:BITCOIN=0.0001+0',
    TENDER_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1',
  });
  dbUrl = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  tronHot = (await createHotWallet(env.deps, 'tron')).address;
  btcHot = (await createHotWallet(env.deps, 'bitcoin')).address;
  hooks = await webhookReceiver([{ status: 200, body: 'OK' }]);
  m = await newMerchant(env, { webhookFormat: 'cpay-legacy', callbackUrl: hooks.url });
  await fundMerchant(env, m, 'USDT', '10000');
  await fundMerchant(env, m, 'TRX', '10000');
  await fundMerchant(env, m, 'BTC', '10');
  sender = startPayoutSender(env.deps, { pollMs: 50 });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await sender?.stop();
  await dispatcher?.stop();
  await hooks?.close();
  await env?.close();
  await tron?.close();
  await btc?.close();
});

/** Funds the TRON hot wallet on chain, solidified (the rail reads confirmed balances only). */
function fundTron(asset: 'TRX' | 'USDT', units: bigint): void {
  tron.mine([asset === 'TRX' ? trx(tronHot, units) : trc20(USDT, tronHot, units)]);
  tron.mineEmpty(tron.solidityLag + 1);
}
/** One confirmed funding transaction paying the Bitcoin hot wallet these outputs (sats). */
function fundBtc(...values: number[]): void {
  btc.mine([{ outputs: values.map((value) => ({ address: btcHot, value })) }]);
}
/** Sats paying `address` in blocks (the stand-in's balanceOf counts the mempool too). */
const btcConfirmed = (address: string) =>
  btc
    .utxosOf(address)
    .filter((u) => u.status.confirmed)
    .reduce((s, u) => s + BigInt(u.value), 0n);
const tronOf = (to: string, asset: string) => tron.balanceOf(to, asset === 'USDT' ? USDT : undefined).amount;
const mineBoth = (n: number) => {
  tron.mineEmpty(n);
  btc.mineEmpty(n);
};

/** Withdraws, waits for 11 (the hash known, nothing paid), mines to the depth, waits for 14. */
async function payOut(fields: Record<string, string>, paid: () => bigint, units: bigint) {
  const r = await withdraw(env, m, fields);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const id = r.body.data.orderId as string;
  const held = await apiBalance(env, m, fields.cryptoCurrency!);
  assert.equal(Number(held.frozen), Number(fields.totalAmount), 'the total is frozen');
  await until(`${fields.cryptoCurrency} at 11`, async () => (await statusOf(env, id)) === 11);
  const d11 = await orderDetail(env, m, id);
  assert.match(String(d11.hash), /^[0-9a-f]{64}$/);
  assert.equal(paid(), 0n, 'nothing paid before a block');
  mineBoth(CONFIRMATIONS);
  await until(`${fields.cryptoCurrency} at 14`, async () => (await statusOf(env, id)) === 14);
  assert.equal(paid(), units, `${fields.cryptoCurrency}: the recipient gains exactly receivedAmount`);
  const d14 = await orderDetail(env, m, id);
  assert.equal(d14.hash, d11.hash);
  const after = await apiBalance(env, m, fields.cryptoCurrency!);
  assert.equal(Number(after.frozen), 0, 'the hold became the debit');
  assert.equal(after.available, held.available);
  const got = await until('webhooks 11 and 14', async () => {
    const h = hooksOf(hooks, id);
    return h.length >= 2 && h;
  });
  assert.deepEqual(
    got.map((h) => String(h.orderStatus)),
    ['11', '14'],
  );
  return { id, hash: String(d11.hash) };
}

test(
  'issue 11: live TRON and Bitcoin: TRX, USDT-TRC20 and BTC withdraw → 11 → 14, exact amounts, ' + 'webhooks, ledger',
  async () => {
    fundTron('TRX', 1_000n * SUN);
    fundTron('USDT', 500n * SUN);
    fundBtc(2_000_000, 2_000_000, 2_000_000);
    const trxTo = randomTronAddress();
    await payOut(
      { cryptoCurrency: 'TRX', network: 'TRON(TRC-20)', totalAmount: '26', receivedAmount: '25', toAddress: trxTo },
      () => tronOf(trxTo, 'TRX'),
      25n * SUN,
    );
    const usdtTo = randomTronAddress();
    const usdt = await payOut(
      { cryptoCurrency: 'USDT', network: 'TRON', totalAmount: '43.5', receivedAmount: '42.5', toAddress: usdtTo },
      () => tronOf(usdtTo, 'USDT'),
      42_500_000n,
    );
    // The stand-in mined the transaction the hot wallet's key signed, paying this recipient this amount.
    const sent = tron.calls.find((c) => c.path === '/wallet/broadcasttransaction' && c.body.txID === usdt.hash);
    assert.equal(
      (sent?.body as { signature?: string[] })?.signature?.length,
      1,
      'one signature, checked by the stand-in',
    );
    const btcTo = newBtcAddress();
    await payOut(
      { cryptoCurrency: 'BTC', network: 'Bitcoin', totalAmount: '0.0125', receivedAmount: '0.0124', toAddress: btcTo },
      () => btcConfirmed(btcTo),
      1_240_000n,
    );
    assert.deepEqual(btc.refused, [], 'no broadcast refused');
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  },
);

test(
  'issue 11: live TRON: a hot wallet with USDT but no TRX for energy waits (hot_wallet_short), ' + 'pays once funded',
  async () => {
    // Spend the hot wallet's TRX down to nothing spendable: the operator swept it.
    const trxLeft = tron.balanceOf(tronHot).amount;
    tron.mine([trx(randomTronAddress(), trxLeft, { from: tronHot })]);
    tron.mineEmpty(tron.solidityLag + 1);
    assert.equal(tron.balanceOf(tronHot).amount, 0n);
    const to = randomTronAddress();
    const r = await withdraw(env, m, {
      cryptoCurrency: 'USDT',
      network: 'TRON(TRC-20)',
      totalAmount: '11',
      receivedAmount: '10',
      toAddress: to,
    });
    assert.equal(r.body.code, 0, JSON.stringify(r.body));
    const id = r.body.data.orderId as string;
    await until('waiting for TRX', async () => (await stageOf(env, id)).reason === 'hot_wallet_short');
    assert.equal(await statusOf(env, id), 0);
    assert.equal((await env.deps.db.query('SELECT 1 FROM payout_attempts WHERE payout_id = $1', [id])).rowCount, 0);
    // A TRX payout larger than what the wallet holds waits the same way (the balance check, before signing).
    const trxTo = randomTronAddress();
    const big = await withdraw(env, m, {
      cryptoCurrency: 'TRX',
      network: 'TRON(TRC-20)',
      totalAmount: '101',
      receivedAmount: '100',
      toAddress: trxTo,
    });
    const bigId = big.body.data.orderId as string;
    await until('TRX payout waiting', async () => (await stageOf(env, bigId)).reason === 'hot_wallet_short');
    fundTron('TRX', 300n * SUN);
    await until(
      'both broadcast once funded',
      async () => (await statusOf(env, id)) === 11 && (await statusOf(env, bigId)) === 11,
      30_000,
    );
    tron.mineEmpty(CONFIRMATIONS);
    await until('both paid', async () => (await statusOf(env, id)) === 14 && (await statusOf(env, bigId)) === 14);
    assert.equal(tronOf(to, 'USDT'), 10n * SUN);
    assert.equal(tronOf(trxTo, 'TRX'), 100n * SUN);
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  },
);

test(
  'issue 11: live TRON: a transaction that expired unsent (node refusing broadcasts) is dropped ' +
    'and signed anew, paid once',
  async () => {
    const to = randomTronAddress();
    tron.failNext(100_000, { path: '/wallet/broadcasttransaction' });
    const r = await withdraw(env, m, {
      cryptoCurrency: 'TRX',
      network: 'TRON(TRC-20)',
      totalAmount: '8',
      receivedAmount: '7',
      toAddress: to,
    });
    const id = r.body.data.orderId as string;
    const first = await until('signed and stored', async () => {
      const { rows } = await env.deps.db.query('SELECT tx_hash FROM payout_attempts WHERE payout_id = $1', [id]);
      return rows[0]?.tx_hash as string | undefined;
    });
    await until('a broadcast refused', async () => tron.pendingFailures < 100_000);
    // 60 s of TRON time (20 blocks of 3 s) and the depth: no block can include the first transaction any more.
    tron.mineEmpty(25 + CONFIRMATIONS);
    tron.clearFailures();
    await until('signed anew and broadcast', async () => (await statusOf(env, id)) === 11);
    tron.mineEmpty(CONFIRMATIONS);
    await until('paid', async () => (await statusOf(env, id)) === 14);
    const { rows } = await env.deps.db.query(
      'SELECT tx_hash, state, failure FROM payout_attempts WHERE payout_id = $1 ORDER BY id',
      [id],
    );
    assert.deepEqual(
      rows.map((a) => [a.tx_hash === first, a.state]),
      [
        [true, 'dropped'],
        [false, 'confirmed'],
      ],
    );
    assert.match(rows[0].failure, /expired/);
    assert.equal(tronOf(to, 'TRX'), 7n * SUN, 'paid once');
    assert.equal((await orderDetail(env, m, id)).hash, rows[1].tx_hash);
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  },
);

test(
  'issue 11: live Bitcoin: a hot wallet whose inputs cannot also pay the fee waits ' +
    '(hot_wallet_short), pays once funded',
  async () => {
    // A payout the confirmed balance covers, but not with the fee of spending every input on top.
    const utxos = btc.utxosOf(btcHot).filter((u) => u.status.confirmed);
    const held = utxos.reduce((s, u) => s + BigInt(u.value), 0n);
    const amount = held - 100n; // 100 sats cannot pay the fee of a transaction spending every input
    const to = newBtcAddress();
    const btcText = (sats: bigint) => `${sats / 100_000_000n}.${String(sats % 100_000_000n).padStart(8, '0')}`;
    const r = await withdraw(env, m, {
      cryptoCurrency: 'BTC',
      network: 'Bitcoin',
      totalAmount: btcText(amount + 10_000n),
      receivedAmount: btcText(amount),
      toAddress: to,
    });
    assert.equal(r.body.code, 0, JSON.stringify(r.body));
    const id = r.body.data.orderId as string;
    await until('waiting for inputs', async () => (await stageOf(env, id)).reason === 'hot_wallet_short');
    assert.equal(await statusOf(env, id), 0);
    fundBtc(500_000);
    await until('broadcast once funded', async () => (await statusOf(env, id)) === 11, 30_000);
    btc.mineEmpty(CONFIRMATIONS);
    await until('paid', async () => (await statusOf(env, id)) === 14);
    assert.equal(btcConfirmed(to), amount);
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  },
);

test(
  'issue 11: live Bitcoin: after a restart the sender re-broadcasts the stored bytes of a payout ' + 'the node forgot',
  async () => {
    fundBtc(3_000_000);
    const to = newBtcAddress();
    const r = await withdraw(env, m, {
      cryptoCurrency: 'BTC',
      network: 'Bitcoin',
      totalAmount: '0.0051',
      receivedAmount: '0.005',
      toAddress: to,
    });
    const id = r.body.data.orderId as string;
    await until('broadcast', async () => (await statusOf(env, id)) === 11);
    const hash = String((await orderDetail(env, m, id)).hash);
    assert.equal(btc.mempool.length, 1);
    // The sender stops (a crash, a deploy) and the node restarts with an empty mempool.
    await sender.stop();
    btc.mempool = [];
    sender = startPayoutSender(env.deps, { pollMs: 50 });
    await until('re-broadcast by the new sender', async () => btc.mempool.some((t) => t.txid === hash));
    btc.mineEmpty(CONFIRMATIONS);
    await until('paid', async () => (await statusOf(env, id)) === 14);
    assert.equal(btcConfirmed(to), 500_000n, 'paid once, by the same transaction');
    const { rows } = await env.deps.db.query('SELECT tx_hash, state FROM payout_attempts WHERE payout_id = $1', [id]);
    assert.deepEqual(rows, [{ tx_hash: hash, state: 'confirmed' }]);
    assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  },
);
