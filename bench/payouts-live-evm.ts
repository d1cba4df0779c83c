// `npm run bench:payouts-live`: EVM payouts per second signed, broadcast AND confirmed, in live mode on a real
// local node (hardhat, started here, automining off; a miner seals a block every --block-ms), two ways in the
// same run, each over --payouts transfers (default 100, alternating ETH and the 6-decimal test USDT) to fresh
// recipients, confirmation depth 1:
//   rail     the EVM payout rail alone, driven the way the sender drives it but without a database: sign with
//            consecutive nonces, broadcast, then ask the verdict of every transaction until all are included;
//   sender   the whole payout sender (src/workers/payout-sender.ts) on an embedded PostgreSQL: the payouts are
//            accepted first (acceptWithdraw, not timed), then the clock runs from the sender's start until every
//            payout is at 14 (reserve nonce and sign under the row lock, store, broadcast, reconcile, ledger).
// The hot wallet is made by the core of `tender hot-wallet create`. Every batch is checked on chain: each
// recipient holds exactly its amount, the hot wallet's nonce moved by exactly the number of payouts.
// Prints plain-text lines and one JSON line.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { getAddress } from 'viem';
import { startHardhatNode, HARDHAT_CHAIN_ID, type HardhatNode } from '../test/hardhat-node.js';
import { openEmbedded, type EmbeddedDb } from '../src/store/embedded.js';
import { createPool } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { loadAssets } from '../src/store/assets-repo.js';
import { loadConfig } from '../src/config.js';
import { secretBox } from '../src/domain/secret-box.js';
import { randomIds, systemClock } from '../src/domain/clock.js';
import type { Deps } from '../src/core/deps.js';
import { createHotWallet } from '../src/core/hot-wallets.js';
import { createMerchant } from '../src/core/merchants.js';
import { createOrder } from '../src/core/orders.js';
import { completeOrder } from '../src/core/payments.js';
import { acceptWithdraw } from '../src/core/withdraw.js';
import { findMerchant } from '../src/store/merchants-repo.js';
import { openPayoutRoutes } from '../src/rails/payout/registry.js';
import { startPayoutSender } from '../src/workers/payout-sender.js';
import type { SignedTransfer } from '../src/rails/payout/payout-rail.js';

const { values: a } = parseArgs({
  options: { payouts: { type: 'string', default: '100' }, 'block-ms': { type: 'string', default: '100' } },
  strict: true,
});
const N = Number(a.payouts);
const BLOCK_MS = Number(a['block-ms']);
if (!Number.isInteger(N) || N < 2 || N > 1000) throw new Error('--payouts must be a whole number from 2 to 1000');
if (!Number.isInteger(BLOCK_MS) || BLOCK_MS < 10) throw new Error('--block-ms must be a whole number ≥ 10');

type Asset = 'ETH' | 'USDT';
const assetOf = (i: number): Asset => (i % 2 ? 'ETH' : 'USDT');
/** receivedAmount text and chain units per asset; the fee is 0 so totalAmount = receivedAmount. */
const AMOUNT: Record<Asset, { text: string; units: bigint }> = {
  ETH: { text: '0.001', units: 10n ** 15n },
  USDT: { text: '1', units: 1_000_000n },
};
const fresh = () => getAddress(`0x${randomBytes(20).toString('hex')}`);
const perSecond = (n: number, ms: number) => Math.round((n / ms) * 10_000) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let node: HardhatNode | undefined;
let emb: EmbeddedDb | undefined;
let miner: NodeJS.Timeout | undefined;
const dir = mkdtempSync(join(tmpdir(), 'tender-bench-payouts-live-'));
// As root, PostgreSQL runs as the `postgres` user, which must be able to reach its directory inside.
chmodSync(dir, 0o711);
try {
  node = await startHardhatNode();
  const hn = node;
  emb = await openEmbedded(join(dir, 'pg'));
  const db = createPool(emb.url, 10);
  await migrate(db);
  const config = loadConfig({
    TENDER_MODE: 'live',
    TENDER_DATA_DIR: join(dir, 'data'),
    TENDER_RPC_ETHEREUM: hn.url,
    TENDER_CHAIN_ID_ETHEREUM: String(HARDHAT_CHAIN_ID),
    TENDER_USDT_ETHEREUM: hn.token,
    TENDER_CONFIRMATIONS_ETHEREUM: '1',
  });
  const deps: Deps = {
    db,
    clock: systemClock,
    ids: randomIds,
    box: secretBox(randomBytes(32)),
    assets: await loadAssets(db),
    config,
    log: pino({ level: 'silent' }),
  };
  const hot = (await createHotWallet(deps, 'evm')).address;
  await hn.fund(hot, 'ETH', 1000n * 10n ** 18n);
  await hn.fund(hot, 'USDT', 10n ** 12n);
  const rail = (await openPayoutRoutes(deps)).find((r) => r.network === 'ETHEREUM')!.rail;
  const nonceOf = async () => BigInt(await hn.rpc('eth_getTransactionCount', [hot, 'latest']));
  const balance = (to: string, asset: Asset) => (asset === 'USDT' ? hn.usdtBalance(to) : hn.ethBalance(to));
  async function check(label: string, recipients: string[], nonceBefore: bigint): Promise<void> {
    for (const [i, to] of recipients.entries()) {
      const got = await balance(to, assetOf(i));
      if (got !== AMOUNT[assetOf(i)].units) throw new Error(`${label}: recipient ${i} holds ${got}`);
    }
    const moved = (await nonceOf()) - nonceBefore;
    if (moved !== BigInt(recipients.length))
      throw new Error(`${label}: ${moved} transactions for ${recipients.length}`);
  }
  miner = setInterval(() => void hn.mine(1).catch(() => {}), BLOCK_MS);

  // 1. The rail alone: sign with consecutive nonces and broadcast one after another, then verdicts to depth.
  const railTo = Array.from({ length: N }, fresh);
  const railNonce = await nonceOf();
  const t0 = performance.now();
  const signed: SignedTransfer[] = [];
  for (const [i, to] of railTo.entries()) {
    const asset = assetOf(i);
    const s = await rail.sign(
      { payoutId: `bench-${i}`, network: 'ETHEREUM', asset, to, amount: AMOUNT[asset].units },
      { nonce: railNonce + BigInt(i), reservedOutpoints: new Set() },
    );
    await rail.broadcast('ETHEREUM', s);
    signed.push(s);
  }
  const tSent = performance.now();
  let open = signed;
  while (open.length) {
    const verdicts = await Promise.all(open.map((s) => rail.verdict('ETHEREUM', s.txHash)));
    open = open.filter((_, i) => verdicts[i]!.state !== 'included');
    if (open.length) await sleep(20);
  }
  const railMs = performance.now() - t0;
  await check('rail', railTo, railNonce);

  // 2. The whole sender: the payouts accepted first, then timed from the sender's start to the last 14.
  const creds = await createMerchant(deps, {
    brand: 'Bench',
    company: 'Bench Ltd',
    website: 'https://bench.example',
    email: 'o@bench.example',
  });
  const merchant = (await findMerchant(db, String(creds.merchantId)))!;
  for (const currency of ['ETH', 'USDT']) {
    const { order } = await createOrder(deps, merchant, {
      dialect: 'openapi',
      merchantTradeNo: `funding-${currency}`,
      userId: 'u',
      currency,
      amount: 10_000n * 10n ** 18n,
      amountText: '10000',
      fingerprint: {},
    });
    await completeOrder(deps, order.id, { rail: 'sandbox' });
  }
  const senderTo = Array.from({ length: N }, fresh);
  for (const [i, to] of senderTo.entries()) {
    const amount = AMOUNT[assetOf(i)].text;
    await acceptWithdraw(deps, merchant, {
      merchantTradeNo: `bench-${i}`,
      userId: 'u',
      cryptoCurrency: assetOf(i),
      network: 'Ethereum(ERC-20)',
      totalAmount: amount,
      receivedAmount: amount,
      toAddress: to,
      callbackUrl: null,
      createTimeMs: String(Date.now()),
    });
  }
  const senderNonce = await nonceOf();
  const t1 = performance.now();
  const sender = startPayoutSender(deps, { pollMs: 20 });
  let at11 = 0;
  for (;;) {
    const { rows } = await db.query<{ status: number; n: number }>(
      "SELECT status, count(*)::int AS n FROM orders WHERE kind = 'payout' GROUP BY status",
    );
    const n = (s: number) => rows.find((r) => r.status === s)?.n ?? 0;
    if (!at11 && n(0) === 0) at11 = performance.now() - t1;
    if (n(14) === N) break;
    await sleep(20);
  }
  const senderMs = performance.now() - t1;
  await sender.stop();
  await check('sender', senderTo, senderNonce);
  await db.end();

  const result = {
    payouts: N,
    blockMs: BLOCK_MS,
    rail: { perSecond: perSecond(N, railMs), ms: Math.round(railMs), sentMs: Math.round(tSent - t0) },
    sender: { perSecond: perSecond(N, senderMs), ms: Math.round(senderMs), allBroadcastMs: Math.round(at11) },
  };
  console.log(`EVM payouts on hardhat, ${N} (ETH and USDT alternating), depth 1, a block every ${BLOCK_MS} ms`);
  console.log(`  rail alone   ${result.rail.perSecond}/s signed+broadcast+confirmed (${result.rail.ms} ms)`);
  console.log(`  whole sender ${result.sender.perSecond}/s signed+broadcast+confirmed → 14 (${result.sender.ms} ms)`);
  console.log('  every recipient holds exactly its amount; one transaction per payout');
  console.log(JSON.stringify(result));
} finally {
  if (miner) clearInterval(miner);
  await node?.stop();
  await emb?.stop();
  rmSync(dir, { recursive: true, force: true });
}
