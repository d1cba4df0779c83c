// The interface every crypto payout rail implements (issue 11, spec M1). The payout sender (src/workers)
// never lets a crash pay twice because of the order of its steps, which every rail must allow:
//   1. under the hot wallet's row lock it reserves what the chain needs to be unique (the EVM nonce; the
//      Bitcoin outpoints other unconfirmed payouts spend) and asks the rail to SIGN, which touches no chain;
//   2. it stores the signed transaction and its hash in the same database transaction;
//   3. only then it BROADCASTs, and repeats the very same bytes after any crash or timeout;
//   4. it asks the chain for the VERDICT by hash until the transaction is confirmed or failed.
// A transaction the chain has never seen can be broadcast again safely: it is the same signed bytes, so it
// can land at most once. The sender signs a NEW transaction for a payout only when the old one can never land
// and never ran (the verdict `dropped`, or an EVM nonce the chain has used for another transaction); a
// transaction that ran and failed (`failed`) closes the payout instead: a copy would likely fail the same way.
import type { NetworkKey } from '../crypto/networks.js';

/**
 * What to pay: `amount` is the payout's receivedAmount in the CHAIN's units of `asset` on `network` (the
 * exponent of the asset AND network in the `assets` table: 6 for USDT on TRON and Ethereum, 18 on BSC, 8 for
 * BTC), converted exactly from the ledger's units by the sender; a withdraw that cannot convert is refused.
 */
export interface PayoutTransfer {
  payoutId: string;
  network: NetworkKey;
  asset: string;
  /** Already validated for the network (src/domain/payout-address.ts). */
  to: string;
  amount: bigint;
}

/** What the sender must reserve before signing, read under the hot wallet's row lock. */
export interface SendContext {
  /** The next nonce of the hot wallet (EVM); null on chains without nonces. */
  nonce: bigint | null;
  /** Outpoints "txid:vout" already spent by this hot wallet's unconfirmed payouts (Bitcoin): never reuse. */
  reservedOutpoints: ReadonlySet<string>;
}

export interface SignedTransfer {
  /** The id the chain knows the transaction by: EVM tx hash, TRON txID, Bitcoin txid (lower-case hex). */
  txHash: string;
  /** Exactly what broadcast() sends, as text (hex, or JSON for TRON); stored before the first broadcast. */
  raw: string;
  /**
   * Facts kept with the attempt, as text: `nonce` (EVM), `spent` (Bitcoin outpoints, comma-separated),
   * `change` (Bitcoin change amount), `fee` (the network fee paid by the hot wallet, in the native asset's
   * minor units), `expiration` (TRON, ms).
   */
  detail: Record<string, string>;
}

export type ChainVerdict =
  /** Never seen by the chain (not in a block, not in the mempool): the same `raw` may be broadcast again. */
  | { state: 'unknown' }
  /** Accepted into the mempool, not yet in a block. */
  | { state: 'pending' }
  /** In a block that succeeded, with this many confirmations (1 = in the head block). */
  | { state: 'included'; confirmations: number }
  /** Ran and failed (reverted on chain, a TRON contract failure, fees burnt) or was refused for good. */
  | { state: 'failed'; reason: string }
  /**
   * Never ran and can never land: its EVM nonce was used by another transaction, it expired unconfirmed (TRON),
   * or an input was spent by another transaction confirmed to the depth (Bitcoin). Nothing was paid.
   */
  | { state: 'dropped'; reason: string };

export interface PayoutRail {
  /** 'evm', 'tron', 'bitcoin', or 'sandbox'. */
  readonly id: string;
  readonly networks: readonly NetworkKey[];
  /** The hot wallet's address on `network` (what the operator funds). */
  hotWalletAddress(network: NetworkKey): string;
  /** Spendable balance of the hot wallet in `asset`, chain units (confirmed funds only). */
  hotWalletBalance(network: NetworkKey, asset: string): Promise<bigint>;
  /** The chain's count of transactions sent by the hot wallet (EVM `pending` nonce); rails without nonces omit it. */
  chainNonce?(network: NetworkKey): Promise<bigint>;
  /** Builds and signs; reads the chain at most (fees, outpoints), never changes it. */
  sign(t: PayoutTransfer, ctx: SendContext): Promise<SignedTransfer>;
  /** Sends `raw`; sending a transaction the chain already has is not an error. Throws on transport failure. */
  broadcast(network: NetworkKey, s: SignedTransfer): Promise<void>;
  verdict(network: NetworkKey, txHash: string): Promise<ChainVerdict>;
}

/**
 * sign() cannot pay this transfer now: the hot wallet lacks the amount, or the chain's fee on top (TRX for
 * energy, sats for the inputs). Not a failure of the payout: the sender leaves it waiting in status 0 with the
 * reason `hot_wallet_short` and tries again once the operator funds the wallet.
 */
export class HotWalletShortError extends Error {
  override readonly name = 'HotWalletShortError';
  readonly code = 'hot_wallet_short';
}
