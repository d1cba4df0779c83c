// `npm run bench:payouts-evm`: EVM payouts signed and broadcast per second on a real local node (hardhat,
// started here, automining off so that mining does not weigh on the broadcast figure). For ETH and for the
// 6-decimal test USDT, --payouts transfers (default 200) to fresh recipients, three ways in the same run:
//   baseline  viem's wallet client with the private key in memory (prepare: fees and gas; sign; send),
//             nonces counted locally: a plain transfer done with the library directly;
//   floor     the least a payout can cost: fees read once for the batch, fixed gas, viem signs with the key
//             and sends the raw bytes (what the rail does minus its per-payout fee and gas estimates);
//   rail      the EVM payout rail as the sender drives it, one payout after another: sign(reserved nonce)
//             through the Secp256k1Signer, then broadcast;
//   rail xC   the same with --concurrency payouts in flight (each with its own reserved nonce).
// Also printed: signing alone (the Secp256k1Signer-backed account, no RPC), the floor under every figure.
// Every batch is then mined and checked: each recipient holds exactly its amount, the hot wallet's nonce
// moved by exactly the number of payouts. Prints plain-text lines and one JSON line.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createPublicClient, createWalletClient, encodeFunctionData, erc20Abi, getAddress, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hardhat } from 'viem/chains';
import { startHardhatNode, HARDHAT_CHAIN_ID, type HardhatNode } from '../test/hardhat-node.js';
import { NETWORKS } from '../src/rails/crypto/networks.js';
import { Secret } from '../src/domain/secret.js';
import { localSigner, newPrivateKeyHex } from '../src/rails/payout/signer.js';
import { evmPayoutRail } from '../src/rails/payout/evm/rail.js';
import { signerAccount } from '../src/rails/payout/evm/account.js';
import type { PayoutRail, SignedTransfer } from '../src/rails/payout/payout-rail.js';

const { values: a } = parseArgs({
  options: { payouts: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '8' } },
  strict: true,
});
let N = Number(a.payouts);
const C = Number(a.concurrency);
if (!Number.isInteger(N) || N < 1 || N > 2000) throw new Error('--payouts must be a whole number from 1 to 2000');
if (!Number.isInteger(C) || C < 1 || C > 64) throw new Error('--concurrency must be a whole number from 1 to 64');

type Asset = 'ETH' | 'USDT';
const AMOUNT: Record<Asset, bigint> = { ETH: 10n ** 12n, USDT: 1_000_000n };
const fresh = () => getAddress(`0x${randomBytes(20).toString('hex')}`);
const perSecond = (n: number, ms: number) => Math.round((n / ms) * 10_000) / 10;

async function pool<T>(items: T[], width: number, f: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await f(items[i]!, i);
      }
    }),
  );
}

let node: HardhatNode | undefined;
try {
  node = await startHardhatNode();
  const hn = node;
  const key = newPrivateKeyHex();
  const def = NETWORKS.find((x) => x.key === 'ETHEREUM')!;
  const config = {
    ...def,
    rpc: hn.url,
    confirmations: 1,
    usdt: hn.token,
    chainId: HARDHAT_CHAIN_ID,
    bitcoinNetwork: 'regtest' as const,
  };
  const rail: PayoutRail = evmPayoutRail([config], localSigner(new Secret(key)));
  const hot = rail.hotWalletAddress('ETHEREUM');
  await hn.fund(hot, 'ETH', 1000n * 10n ** 18n);
  await hn.fund(hot, 'USDT', 10n ** 12n);
  const direct = createWalletClient({
    chain: hardhat,
    transport: http(hn.url),
    account: privateKeyToAccount(`0x${key}`),
  });
  const nonceOf = async () => BigInt(await hn.rpc('eth_getTransactionCount', [hot, 'latest']));
  const balance = (to: string, asset: Asset) => (asset === 'USDT' ? hn.usdtBalance(to) : hn.ethBalance(to));

  /** Mines what the batch sent and checks that every payout landed exactly once. */
  async function settle(asset: Asset, recipients: string[], nonceBefore: bigint): Promise<void> {
    await hn.mine(1);
    const moved = (await nonceOf()) - nonceBefore;
    if (moved !== BigInt(recipients.length))
      throw new Error(`${asset}: ${moved} transactions for ${recipients.length}`);
    for (const to of recipients)
      if ((await balance(to, asset)) !== AMOUNT[asset]) throw new Error(`${asset}: ${to} was not paid exactly once`);
  }

  async function baseline(asset: Asset): Promise<number> {
    const recipients = Array.from({ length: N }, fresh);
    const n0 = await nonceOf();
    const t0 = performance.now();
    for (const [i, to] of recipients.entries()) {
      const nonce = Number(n0) + i;
      if (asset === 'ETH') await direct.sendTransaction({ to, value: AMOUNT.ETH, nonce });
      else
        await direct.sendTransaction({
          to: hn.token,
          nonce,
          data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, AMOUNT.USDT] }),
        });
    }
    const ms = performance.now() - t0;
    await settle(asset, recipients, n0);
    return ms;
  }

  /** The least work a payout can be: fees read once, gas fixed, viem signs with the key and sends the bytes. */
  async function rawFloor(asset: Asset): Promise<number> {
    const recipients = Array.from({ length: N }, fresh);
    const n0 = await nonceOf();
    const t0 = performance.now();
    const fees = await createPublicClient({ chain: hardhat, transport: http(hn.url) }).estimateFeesPerGas();
    for (const [i, to] of recipients.entries()) {
      const call =
        asset === 'ETH'
          ? { to, value: AMOUNT.ETH, gas: 21_000n }
          : {
              to: hn.token,
              gas: 100_000n,
              data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, AMOUNT.USDT] }),
            };
      const raw = await direct.account.signTransaction({
        ...call,
        type: 'eip1559',
        chainId: HARDHAT_CHAIN_ID,
        nonce: Number(n0) + i,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      await direct.sendRawTransaction({ serializedTransaction: raw });
    }
    const ms = performance.now() - t0;
    await settle(asset, recipients, n0);
    return ms;
  }

  async function viaRail(asset: Asset, width: number): Promise<{ ms: number; signMs: number }> {
    const recipients = Array.from({ length: N }, fresh);
    const n0 = await nonceOf();
    let signMs = 0;
    const t0 = performance.now();
    await pool(recipients, width, async (to, i) => {
      const s0 = performance.now();
      const s: SignedTransfer = await rail.sign(
        { payoutId: `bench-${asset}-${i}`, network: 'ETHEREUM', asset, to, amount: AMOUNT[asset] },
        { nonce: n0 + BigInt(i), reservedOutpoints: new Set() },
      );
      signMs += performance.now() - s0;
      await rail.broadcast('ETHEREUM', s);
    });
    const ms = performance.now() - t0;
    await settle(asset, recipients, n0);
    return { ms, signMs };
  }

  // The floor under every figure: the signer alone (serialise, keccak, secp256k1 sign), no RPC at all.
  const account = signerAccount(localSigner(new Secret(key)));
  const signOne = (i: number) =>
    account.signTransaction({
      type: 'eip1559',
      chainId: HARDHAT_CHAIN_ID,
      nonce: i,
      to: fresh(),
      value: AMOUNT.ETH,
      gas: 21_000n,
      maxFeePerGas: 2n * 10n ** 9n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
  for (let i = 0; i < 20; i++) await signOne(i); // warm-up
  const s0 = performance.now();
  for (let i = 0; i < N; i++) await signOne(i);
  const signOnlyPerSecond = perSecond(N, performance.now() - s0);
  console.log(`signing alone (no RPC): ${signOnlyPerSecond} EIP-1559 transactions/s`);
  const results: Record<string, unknown> = { signOnlyPerSecond };
  for (const asset of ['ETH', 'USDT'] as const) {
    // Warm-up (not measured): the node's and Node's JIT, connections; each way once, same amount of work.
    const measured = N;
    N = Math.min(20, measured);
    await baseline(asset);
    await rawFloor(asset);
    await viaRail(asset, C);
    N = measured;
    const base = await baseline(asset);
    const floor = await rawFloor(asset);
    const seq = await viaRail(asset, 1);
    const par = await viaRail(asset, C);
    const r = {
      baselinePerSecond: perSecond(N, base),
      rawFloorPerSecond: perSecond(N, floor),
      railPerSecond: perSecond(N, seq.ms),
      railSignSharePct: Math.round((seq.signMs / seq.ms) * 100),
      railConcurrentPerSecond: perSecond(N, par.ms),
      ratioRailToBaseline: Math.round((base / seq.ms) * 100) / 100,
      ratioConcurrentToBaseline: Math.round((base / par.ms) * 100) / 100,
      ratioRailToRawFloor: Math.round((floor / seq.ms) * 100) / 100,
    };
    results[asset] = r;
    console.log(
      `${asset}: ${N} payouts signed+broadcast, each landed once. viem wallet client directly ` +
        `${r.baselinePerSecond}/s; rail one at a time ${r.railPerSecond}/s (${r.ratioRailToBaseline}× baseline; ` +
        `sign ${r.railSignSharePct}% of it); rail ${C} in flight ${r.railConcurrentPerSecond}/s ` +
        `(${r.ratioConcurrentToBaseline}× baseline). Floor (fees once, fixed gas, sign+send raw) ` +
        `${r.rawFloorPerSecond}/s: the rail does ${r.ratioRailToRawFloor}× of it`,
    );
  }
  console.log(JSON.stringify({ payouts: N, concurrency: C, ...results }));
} finally {
  await node?.stop();
}
