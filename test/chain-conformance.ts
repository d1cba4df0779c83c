// One conformance suite for every chain rail and its local stand-in: the same scenarios run against the
// production watcher (src/workers/chain-watcher.ts) and the production chain source of each network
// (chosen by chainSourceFor from TENDER_RPC_<NET>), whatever drives the chain underneath — a real hardhat
// node (test/evm-watcher.test.ts), the TRON full-node stand-in (test/tron-watcher.test.ts) or the Esplora
// stand-in (test/bitcoin-watcher.test.ts). A chain plugs in through a small ChainDriver; each test file is
// then its driver, `runChainConformance(driver)` and only the tests that are about that chain alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { HDKey } from '@scure/bip32';
import {
  startTestEnv,
  newMerchant,
  signed,
  postForm,
  getJson,
  webhookReceiver,
  sleep,
  until,
  type TestEnv,
} from './harness.js';
import { referenceRoot } from './reference-keys.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { startChainWatcher, type ChainWatcher } from '../src/workers/chain-watcher.js';
import { getBalances } from '../src/core/balances.js';
import { listDepositAddresses } from '../src/core/address-listing.js';
import { findOrder } from '../src/store/orders-repo.js';
import { workFailures } from '../src/store/work-failures-repo.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import type { NetworkConfig } from '../src/rails/crypto/networks.js';
import type { KeyFamily } from '../src/rails/crypto/derivation.js';

/** 'native' = the network's own coin; 'USDT' = the configured token. */
export type ChainAsset = 'native' | 'USDT';

/** Issue 10.8: cpay webhooks write amounts with at least two decimals ("12.50", "0.0099", "100.00"). */
export const cpayStyle = (text: string): string => {
  const [int, frac = ''] = text.split('.');
  return `${int}.${frac.padEnd(2, '0')}`;
};

/** One payment of one asset, and what Tender must make of it with the merchant's 1% fee. */
export interface AmountCase {
  /** Decimal text: the order amount, the webhook's actualAmount and the listing's balance. */
  text: string;
  /** What is sent, in chain units. */
  chain: bigint;
  /** The ledger amount credited (paidAmount), in ledger minor units. */
  ledger: bigint;
  /** The 1% fee, in ledger minor units. */
  fee: bigint;
  /** The webhook's receivedAmount and fee texts. */
  receivedText: string;
  feeText: string;
}

/** A transfer the driver made, as the chain holds it. */
export interface Payment {
  hash: string;
  /** Where the deposit key puts it: token log index, Bitcoin output index, -1 for a native EVM/TRON transfer. */
  logIndex: number;
  blockHash: string;
  to: string;
  asset: ChainAsset;
  chainAmount: bigint;
}

export interface ChainDriver {
  /** Test-name prefix, e.g. "EVM". */
  name: string;
  /** The network key in Tender's config (ETHEREUM, TRON, BITCOIN). */
  networkKey: string;
  /** The network's wire name (createOrder `network`). */
  wire: string;
  /** The native coin's currency code. */
  native: string;
  family: KeyFamily;
  /** The BIP32 account path of the family's xpub. */
  accountPath: string;
  confirmations: number;
  /** Where a watcher without a cursor starts, in blocks below the head. */
  initialLookback: number;
  /** What an order's deposit address looks like. */
  addressPattern: RegExp;
  /** The amounts the scenarios pay; `token` only where the chain has one. */
  amounts: { native: AmountCase; token?: AmountCase };
  /**
   * Starts the chain (or its stand-in); returns the env Tender is started with (TENDER_RPC_*, xpub, token,
   * confirmations…).
   */
  start(): Promise<Record<string, string>>;
  stop(): Promise<void>;
  /** The current head (block number / height). */
  head(): Promise<bigint>;
  /** Sends `amount` of `asset` to `to`, mined in one new block (its first confirmation). */
  pay(to: string, asset: ChainAsset, amount: bigint): Promise<Payment>;
  /** Mines `n` more blocks. */
  confirm(n: number): Promise<void>;
  /** Marks the chain as it is now … */
  checkpoint(): Promise<unknown>;
  /** … and re-orgs back to it: every block since is replaced (another hash, or no block at that height yet). */
  rollback(mark: unknown): Promise<void>;
  /** Mines the very same transaction again in a new block. */
  replay(p: Payment): Promise<Payment>;
  /** An address that is not Tender's. */
  stranger(): string;
  /** The address the key holder controls with this private key node (derived from the seed). */
  addressOfKey(key: HDKey): string;
}

export interface ChainContext {
  readonly env: TestEnv;
  readonly m: MerchantCredentials;
  readonly net: NetworkConfig;
  readonly rx: Awaited<ReturnType<typeof webhookReceiver>>;
  cryptoOrder(tradeNo: string, amount: string, currency: string): Promise<{ orderId: string; address: string }>;
  walletAddress(userId: string, currency: string): Promise<string>;
  order(id: string): Promise<NonNullable<Awaited<ReturnType<typeof findOrder>>>>;
  orderAt(id: string, status: number): ReturnType<ChainContext['order']>;
  hookFor(orderId: string, status: number): Promise<any>;
  entries(orderId?: string): Promise<number>;
  /** chain_deposits rows of one transaction, by log index. */
  deposits(txHash: string): Promise<any[]>;
  /** Waits until every deposit of the transaction is confirmed. */
  confirmed(txHash: string): Promise<any[]>;
  balance(currency: string): Promise<bigint>;
  /** Waits until the watcher has scanned past the chain's current head. */
  caughtUp(): Promise<unknown>;
}

/** Registers the shared scenarios (and the before/after that start Tender on the driver's chain). */
export function runChainConformance(d: ChainDriver): ChainContext {
  let env: TestEnv;
  let m: MerchantCredentials;
  let net: NetworkConfig;
  let dispatcher: Dispatcher;
  let watcher: ChainWatcher | undefined;
  let rx: Awaited<ReturnType<typeof webhookReceiver>>;
  const NET = d.wire;
  const currencyOf = (a: ChainAsset) => (a === 'native' ? d.native : 'USDT');
  /** The deposit asset of the no-order scenarios: the token where there is one. */
  const main: ChainAsset = d.amounts.token ? 'USDT' : 'native';
  const mainCase = d.amounts.token ?? d.amounts.native;
  let carol: { address: string; asset: ChainAsset } | undefined;

  before(async () => {
    const chainEnv = await d.start();
    env = await startTestEnv({ TENDER_PAYMENT_TOLERANCE_BPS: '100', ...chainEnv });
    net = env.deps.config.crypto.networks.find((n) => n.key === d.networkKey)!;
    assert.ok(net, `network ${d.networkKey} configured`);
    assert.equal(net.name, NET);
    assert.equal(net.native, d.native);
    assert.equal(net.confirmations, d.confirmations);
    rx = await webhookReceiver([{ status: 200, body: 'success' }]);
    m = await newMerchant(env, { callbackUrl: rx.url, feeBps: 100 });
    dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
    // no `chain`: the production source
    watcher = startChainWatcher(env.deps, net, { pollMs: 50, initialLookback: d.initialLookback });
  });

  after(async () => {
    await watcher?.stop();
    await dispatcher?.stop();
    await rx?.close();
    await env?.close();
    await d.stop();
  });

  const ctx: ChainContext = {
    get env() {
      return env;
    },
    get m() {
      return m;
    },
    get net() {
      return net;
    },
    get rx() {
      return rx;
    },
    async cryptoOrder(tradeNo, amount, currency) {
      const p = {
        merchantId: String(m.merchantId),
        merchantTradeNo: tradeNo,
        createTime: String(Date.now()),
        userId: 'buyer-1',
        amount,
        cryptoCurrency: currency,
        network: NET,
      };
      const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      assert.equal(r.body.data.network, NET);
      assert.match(r.body.data.address, d.addressPattern);
      return { orderId: r.body.data.orderId, address: r.body.data.address };
    },
    async walletAddress(userId, currency) {
      const w = await getJson(
        `${env.url}/openapi/v1/getWalletAddress`,
        signed({ merchantId: String(m.merchantId), userId }, m.securityKey),
      );
      return w.body.data.find((x: any) => x.currency === currency && x.network === NET).address as string;
    },
    order: async (id) => (await findOrder(env.deps.db, { by: 'id', id }))!,
    orderAt: (id, status) =>
      until(`order ${id} at ${status}`, async () => {
        const o = await ctx.order(id);
        return o.status === status ? o : undefined;
      }),
    hookFor: (orderId, status) =>
      until(`webhook of ${orderId} at ${status}`, async () =>
        rx.calls
          .map((c) => JSON.parse(c.form.get('param')!))
          .find((p) => p.orderId === orderId && p.orderStatus === status),
      ),
    entries: async (orderId) =>
      (
        await env.deps.db.query(
          `SELECT count(*)::int AS n FROM journal_entries${orderId ? ' WHERE order_id = $1' : ''}`,
          orderId ? [orderId] : [],
        )
      ).rows[0].n as number,
    deposits: async (txHash) =>
      (await env.deps.db.query('SELECT * FROM chain_deposits WHERE tx_hash = $1 ORDER BY log_index', [txHash])).rows,
    confirmed: (txHash) =>
      until(`confirmed deposit ${txHash}`, async () => {
        const r = await ctx.deposits(txHash);
        return r.length && r.every((x) => x.status === 'confirmed') ? r : undefined;
      }),
    balance: async (currency) =>
      (await getBalances(env.deps, String(m.merchantId))).find((b) => b.currency === currency)?.available ?? 0n,
    async caughtUp() {
      const head = await d.head();
      return until('the cursor past the head', async () => {
        const { rows } = await env.deps.db.query('SELECT next_block FROM chain_cursors WHERE network = $1', [NET]);
        return rows[0] && BigInt(rows[0].next_block) > head;
      });
    },
  };
  const { cryptoOrder, order, orderAt, hookFor, entries, deposits, confirmed, balance, caughtUp } = ctx;
  const byHash = async (hash: string) => {
    const r = await getJson(
      `${env.url}/openapi/v1/getOrderDetail`,
      signed({ merchantId: String(m.merchantId), hash }, m.securityKey),
    );
    return r.body.data?.orderId ?? r.body.data?.[0]?.orderId ?? JSON.stringify(r.body);
  };

  const paidOrder = (asset: ChainAsset, c: AmountCase, tag: string) => async () => {
    const o = await cryptoOrder(`${d.name}-${tag}-1`, c.text, currencyOf(asset));
    const p = await d.pay(o.address, asset, c.chain);
    const seen = await orderAt(o.orderId, 11);
    assert.equal(seen.hash, p.hash);
    const rows = await deposits(p.hash);
    assert.equal(rows.length, 1, "only the transfer to Tender's address is a deposit");
    assert.equal(rows[0].status, 'seen');
    assert.equal(rows[0].address, o.address);
    assert.equal(rows[0].log_index, p.logIndex);
    assert.equal(rows[0].asset, currencyOf(asset));
    assert.equal(rows[0].chain_amount, String(c.chain));
    assert.equal(rows[0].block_hash, p.blockHash);
    await sleep(300);
    assert.equal((await order(o.orderId)).status, 11, 'one confirmation is not enough');

    await d.confirm(d.confirmations - 1);
    const done = await orderAt(o.orderId, 14);
    assert.equal(done.hash, p.hash);
    assert.equal(done.network, NET);
    assert.equal(done.currency, currencyOf(asset));
    assert.equal(done.paidAmount, c.ledger);
    assert.equal(done.fee, c.fee);
    assert.equal(done.receivedAmount, c.ledger - c.fee);
    assert.ok(!done.extInfo, 'paid exactly: no over/underpayment note');
    const hook = await hookFor(o.orderId, 14);
    assert.equal(hook.actualAmount, cpayStyle(c.text));
    assert.equal(hook.receivedAmount, cpayStyle(c.receivedText));
    assert.equal(hook.fee, cpayStyle(c.feeText));
    assert.equal(hook.hash, p.hash);
    assert.equal(hook.cryptoCurrency ?? hook.currency, currencyOf(asset));
    assert.equal(await entries(o.orderId), 1);
    assert.equal(await byHash(p.hash), o.orderId);
  };

  if (d.amounts.token) {
    test(
      `${d.name}: an order paid in USDT: seen → 11, ${d.confirmations} confirmations → 14 with hash,` +
        ` amounts and fee; webhook; found by hash`,
      paidOrder('USDT', d.amounts.token, 'USDT'),
    );
  }
  test(
    `${d.name}: an order paid in ${d.native} (native): seen → 11, ${d.confirmations} confirmations →` +
      ` 14 with hash, amounts and fee; webhook; found by hash`,
    paidOrder('native', d.amounts.native, d.native),
  );

  test(`${d.name}: a no-order deposit to a getWalletAddress address is credited and notified`, async () => {
    const addr = await ctx.walletAddress('carol', currencyOf(main));
    assert.match(addr, d.addressPattern);
    const before = await balance(currencyOf(main));
    const p = await d.pay(addr, main, mainCase.chain);
    await d.confirm(d.confirmations - 1);
    const [row] = await confirmed(p.hash);
    const o = await order(row.order_id);
    assert.equal(o.dialect, 'deposit');
    assert.equal(o.merchantTradeNo, `deposit:${NET}:${p.hash}:${p.logIndex}`);
    assert.equal(o.userId, 'carol');
    assert.equal(o.status, 14);
    assert.equal(o.currency, currencyOf(main));
    assert.equal((await balance(currencyOf(main))) - before, mainCase.ledger - mainCase.fee, 'net of the 1% fee');
    const hook = await hookFor(o.id, 14);
    assert.equal(hook.merchantUserId ?? 'carol', 'carol');
    assert.equal(hook.actualAmount, cpayStyle(mainCase.text));
    assert.equal(await byHash(p.hash), o.id);
    carol = { address: addr, asset: main };
  });

  test(
    `${d.name}: watcher restart after "seen": nothing lost, nothing doubled; a second watcher` +
      ` cannot take the lease`,
    async () => {
      const second = startChainWatcher(env.deps, net, { pollMs: 50 });
      assert.equal(await second.runOnce(), false, 'the running watcher holds the network lease');
      await second.stop();

      const o = await cryptoOrder(`${d.name}-RESTART`, mainCase.text, currencyOf(main));
      const totalBefore = await entries();
      const p = await d.pay(o.address, main, mainCase.chain);
      await orderAt(o.orderId, 11);
      await watcher!.stop();
      watcher = undefined;
      await d.confirm(d.confirmations + 2);
      watcher = startChainWatcher(env.deps, net, { pollMs: 50 });
      await orderAt(o.orderId, 14);
      await d.confirm(d.confirmations);
      await caughtUp();
      await sleep(300);
      assert.equal((await deposits(p.hash)).length, 1);
      assert.equal(await entries(o.orderId), 1);
      assert.equal(await entries(), totalBefore + 1, 'exactly one new ledger entry');
    },
  );

  test(
    `${d.name}: a re-org before confirmation takes the deposit back (never credited); the same` +
      ` transaction mined again is credited once`,
    async () => {
      await caughtUp();
      const o = await cryptoOrder(`${d.name}-REORG`, mainCase.text, currencyOf(main));
      const mark = await d.checkpoint();
      const p = await d.pay(o.address, main, mainCase.chain);
      await orderAt(o.orderId, 11);
      assert.equal((await deposits(p.hash))[0].block_hash, p.blockHash);
      await d.rollback(mark);
      await until('reorged deposit', async () => (await deposits(p.hash))[0]?.status === 'reorged');
      await d.confirm(d.confirmations + 1);
      await caughtUp();
      await sleep(300);
      assert.equal((await deposits(p.hash))[0].status, 'reorged');
      assert.equal((await order(o.orderId)).status, 11, 'no way back to 0; the order waits for a payment that sticks');
      assert.equal(await entries(o.orderId), 0, 'nothing credited');

      // The same transaction is included again in a later block: seen again, confirmed as usual, credited once.
      const again = await d.replay(p);
      assert.equal(again.hash, p.hash);
      assert.notEqual(again.blockHash, p.blockHash);
      await d.confirm(d.confirmations - 1);
      const done = await orderAt(o.orderId, 14);
      assert.equal(done.hash, p.hash);
      const rows = await confirmed(p.hash);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].block_hash, again.blockHash);
      assert.equal(await entries(o.orderId), 1);
    },
  );

  test(`${d.name}: defect 9.1: a deposit that cannot be credited is set aside; a later one is credited`, async () => {
    await caughtUp();
    const stuck = await cryptoOrder(`${d.name}-STUCK-1`, mainCase.text, currencyOf(main));
    const fine = await cryptoOrder(`${d.name}-STUCK-2`, mainCase.text, currencyOf(main));
    // A real fault on one order's completion (a trigger), as a bad row of any kind could cause.
    const fn = `fail_${stuck.orderId.replace(/[^a-zA-Z0-9]/g, '_')}`;
    await env.deps.db.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF OLD.id = '${stuck.orderId}' AND NEW.status = 14 THEN RAISE EXCEPTION 'injected fault'; END IF;
      RETURN NEW; END $$`);
    await env.deps.db.query(`CREATE TRIGGER ${fn} BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    try {
      const first = await d.pay(stuck.address, main, mainCase.chain);
      await d.pay(fine.address, main, mainCase.chain);
      await d.confirm(d.confirmations);
      await orderAt(fine.orderId, 14);
      assert.equal((await order(stuck.orderId)).status, 11, 'the failing one waits, seen');
      const [dep] = await deposits(first.hash);
      assert.equal(dep.status, 'seen');
      const f = await until('the failure recorded', async () =>
        (await workFailures(env.deps.db, 'deposit-confirm')).find((x) => x.item_id === String(dep.id)),
      );
      assert.match(f.last_error, /injected fault/);
    } finally {
      await env.deps.db.query(`DROP TRIGGER ${fn} ON orders; DROP FUNCTION ${fn}()`);
    }
    env.clock.advance(3600); // past its retry time
    await orderAt(stuck.orderId, 14);
    assert.equal(await entries(stuck.orderId), 1);
    await until(
      'the credited deposit no longer listed as stuck',
      async () => (await workFailures(env.deps.db, 'deposit-confirm')).length === 0,
    );
  });

  test(`${d.name}: transfers to addresses that are not Tender's are ignored`, async () => {
    await caughtUp();
    const totalBefore = await entries();
    const sent: Payment[] = [];
    for (const asset of ['native', ...(d.amounts.token ? ['USDT' as const] : [])] as ChainAsset[]) {
      sent.push(await d.pay(d.stranger(), asset, (asset === 'native' ? d.amounts.native : d.amounts.token!).chain));
    }
    await d.confirm(d.confirmations + 1);
    await caughtUp();
    await sleep(300);
    for (const p of sent) assert.deepEqual(await deposits(p.hash), [], `nothing recorded for ${p.hash}`);
    assert.equal(await entries(), totalBefore);
  });

  test(
    `${d.name}: the operator listing shows deposit addresses with their derivation path and live` +
      ` on-chain balances`,
    async () => {
      const o = await cryptoOrder(`${d.name}-LIST-1`, mainCase.text, currencyOf(main));
      const expected: Array<{ network: string; currency: string; balance: string }> = [];
      if (d.amounts.token) await d.pay(o.address, 'USDT', d.amounts.token.chain);
      await d.pay(o.address, 'native', d.amounts.native.chain);
      expected.push({ network: NET, currency: d.native, balance: d.amounts.native.text });
      if (d.amounts.token) expected.push({ network: NET, currency: 'USDT', balance: d.amounts.token.text });
      const list = await listDepositAddresses(env.deps, { merchantId: String(m.merchantId), balances: true });
      const row = list.find((r) => r.address === o.address)!;
      assert.ok(row, 'the order address is listed');
      assert.equal(row.family, d.family);
      assert.equal(row.purpose, 'order');
      assert.equal(row.orderId, o.orderId);
      assert.equal(row.derivationPath, `${d.accountPath}/0/${row.index}`);
      assert.deepEqual(row.balances, expected);
      // The derivation path really is where the key holder finds the funds.
      assert.equal(d.addressOfKey(referenceRoot.derive(row.derivationPath)), o.address);

      // The no-order deposit's user address, with what arrived there.
      assert.ok(carol, 'the no-order deposit scenario ran');
      const user = list.find((r) => r.address === carol!.address)!;
      assert.ok(user, 'the user address is listed');
      assert.equal(user.purpose, 'user');
      assert.equal(user.userId, 'carol');
      assert.equal(user.family, d.family);
      assert.equal(user.derivationPath, `${d.accountPath}/0/${user.index}`);
      assert.deepEqual(
        user.balances!.find((b) => 'currency' in b && b.currency === currencyOf(carol!.asset)),
        { network: NET, currency: currencyOf(carol.asset), balance: mainCase.text },
      );
    },
  );

  return ctx;
}
