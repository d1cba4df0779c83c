// The sandbox payout rail (issue 11): a PayoutRail over a pretend chain in the database, so a merchant can
// try the whole payout lifecycle, webhooks included, with no node and no hot wallet. A broadcast transaction
// is confirmed on its own after TENDER_SANDBOX_PAYOUT_DELAY_MS, or at once by the sandbox helper
// (/sandbox/orders/{orderId}/complete|fail); tests also "mine" blocks. Hashes are sha256 of the signed text,
// so the same signed bytes are the same transaction, exactly as on a real chain.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../store/db.js';
import type { Clock } from '../../domain/clock.js';
import type { NetworkKey } from '../crypto/networks.js';
import type { ChainVerdict, PayoutRail, SignedTransfer } from './payout-rail.js';
import {
  chainBalance,
  chainHead,
  findChainTx,
  insertChainTx,
  mineBlocks,
  settleChainTx,
  settleDue,
} from '../../store/sandbox-chain-repo.js';

export const SANDBOX_NETWORKS: readonly NetworkKey[] = ['ETHEREUM', 'BSC', 'TRON', 'BITCOIN'];
/** Confirmations reported for a transaction the delay or the helper settled: deeper than any network's depth. */
const DEEP = 1_000_000;

export interface SandboxPayoutRail extends PayoutRail {
  /** Advances the pretend chain by n blocks (tests). */
  mine(network: NetworkKey, n: number): Promise<void>;
  /** Grants `amount` to `address`, confirmed at once (tests, and the operator funding the sandbox hot wallet). */
  fund(network: NetworkKey, address: string, asset: string, amount: bigint): Promise<void>;
  balanceOf(network: NetworkKey, address: string, asset: string): Promise<bigint>;
  /** The sandbox helper: confirm (deep) or fail a broadcast transaction at once. */
  settle(network: NetworkKey, txHash: string, outcome: 'complete' | 'fail'): Promise<void>;
}

interface RawTransfer {
  network: NetworkKey;
  asset: string;
  from: string;
  to: string;
  amount: string;
  payoutId: string;
  nonce: string | null;
  salt: string;
}

export function sandboxPayoutRail(opts: {
  db: Db;
  clock: Clock;
  /** Read at each broadcast; null: only mining or the helper confirm (the conformance suite). */
  delayMs: () => number | null;
  /** true: the hot wallet never runs short (TENDER_SANDBOX_HOT_WALLET=unlimited). */
  unlimited: boolean;
}): SandboxPayoutRail {
  const { db, clock } = opts;
  const hot = (network: NetworkKey) => `sandbox-hot-wallet-${network.toLowerCase()}`;
  return {
    id: 'sandbox',
    networks: SANDBOX_NETWORKS,
    hotWalletAddress: hot,
    async hotWalletBalance(network, asset) {
      if (opts.unlimited) return 10n ** 36n;
      return chainBalance(db, network, hot(network), asset, true);
    },
    async sign(t, ctx): Promise<SignedTransfer> {
      const raw: RawTransfer = {
        network: t.network,
        asset: t.asset,
        from: hot(t.network),
        to: t.to,
        amount: t.amount.toString(),
        payoutId: t.payoutId,
        nonce: ctx.nonce === null ? null : ctx.nonce.toString(),
        // A real signature differs per signing too (fresh fee, nonce, inputs): a re-sign is a new transaction.
        salt: randomBytes(8).toString('hex'),
      };
      const text = JSON.stringify(raw);
      return { txHash: createHash('sha256').update(text).digest('hex'), raw: text, detail: { fee: '0' } };
    },
    async broadcast(network, s) {
      const raw = JSON.parse(s.raw) as RawTransfer;
      if (raw.network !== network) throw new Error('transaction signed for another network');
      const now = clock.now();
      const delay = opts.delayMs();
      await insertChainTx(db, {
        network,
        hash: createHash('sha256').update(s.raw).digest('hex'),
        asset: raw.asset,
        from: raw.from,
        to: raw.to,
        amount: BigInt(raw.amount),
        payoutId: raw.payoutId,
        state: 'pending',
        forced: false,
        settleAt: delay === null ? null : new Date(now.getTime() + delay),
        at: now,
      });
    },
    async verdict(network, txHash): Promise<ChainVerdict> {
      await settleDue(db, network, clock.now());
      const t = await findChainTx(db, network, txHash);
      if (!t) return { state: 'unknown' };
      if (t.state === 'failed') return { state: 'failed', reason: t.failure ?? 'failed on the sandbox chain' };
      if (t.state === 'pending') return { state: 'pending' };
      if (t.forced) return { state: 'included', confirmations: DEEP };
      return { state: 'included', confirmations: Number((await chainHead(db, network)) - BigInt(t.block!) + 1n) };
    },
    mine: (network, n) => mineBlocks(db, network, n),
    async fund(network, address, asset, amount) {
      const at = clock.now();
      const hash = createHash('sha256').update(`grant:${network}:${address}:${randomBytes(8).toString('hex')}`);
      await insertChainTx(db, {
        network,
        hash: hash.digest('hex'),
        asset,
        from: null,
        to: address,
        amount,
        payoutId: null,
        state: 'included',
        forced: true,
        settleAt: null,
        at,
      });
    },
    balanceOf: (network, address, asset) => chainBalance(db, network, address, asset, false),
    settle: (network, txHash, outcome) =>
      settleChainTx(
        db,
        network,
        txHash,
        outcome === 'complete' ? 'included' : 'failed',
        outcome === 'fail' ? 'failed by the sandbox helper' : null,
      ),
  };
}
