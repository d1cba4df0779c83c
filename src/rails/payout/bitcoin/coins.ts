// UTXO selection, fee and change for a Bitcoin payout from a P2WPKH hot wallet (pure: no I/O). The rules:
//   - only CONFIRMED outputs that no unconfirmed payout of this wallet already spends (the sender's reserved
//     outpoints) are candidates. Unconfirmed change is never spent: a payout can then never be built on a
//     parent that may still be replaced or dropped, and a chain of unconfirmed payouts never forms;
//   - candidates are taken largest first (fewest inputs, so the lowest fee), ties by outpoint so the choice is
//     deterministic;
//   - the fee is the rate times an upper bound of the signed size (72-byte low-S signatures), so the real
//     rate is never below the target;
//   - change goes back to the hot wallet unless it would be dust (Bitcoin Core's GetDustThreshold at the
//     default 3 sat/vB dust relay fee): then it is left to the fee instead of making an output nobody could
//     spend at a profit (and that nodes would refuse to relay).
import { HotWalletShortError } from '../payout-rail.js';

export interface Utxo {
  txid: string;
  vout: number;
  value: bigint;
}

export interface CoinSelection {
  inputs: Utxo[];
  /** 0n when the leftover was dust and went to the fee. */
  change: bigint;
  fee: bigint;
  /** Upper bound of the signed transaction's virtual size the fee was computed for. */
  vsize: number;
}

/** The confirmed funds cannot pay `amount` plus the fee: the payout waits until the hot wallet is funded. */
export class BitcoinHotWalletShortError extends HotWalletShortError {
  constructor(
    readonly needed: bigint,
    readonly available: bigint,
    detail: string,
  ) {
    super(`hot wallet short: needs ${needed} sats, ${available} sats confirmed and unreserved; ${detail}`);
  }
}

/** A payout Bitcoin nodes would refuse to relay (its output is below the destination's dust threshold). */
export class PayoutBelowDustError extends Error {
  override readonly name = 'PayoutBelowDustError';
  readonly code = 'PAYOUT_BELOW_DUST';
}

const DUST_RELAY_SAT_PER_VB = 3;
/** Non-witness bytes of one input: outpoint 36, empty scriptSig length 1, sequence 4. */
const INPUT_BASE = 41;
/** Witness of a P2WPKH input at most: item count 1, signature length 1 + 71 DER + 1 sighash, key 1 + 33. */
const INPUT_WITNESS = 108;

export const outpoint = (u: { txid: string; vout: number }) => `${u.txid}:${u.vout}`;

export function varIntLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

function isWitnessProgram(script: Uint8Array): boolean {
  const v = script[0];
  return (
    script.length >= 4 &&
    script.length <= 42 &&
    (v === 0 || (v !== undefined && v >= 0x51 && v <= 0x60)) &&
    script[1] === script.length - 2
  );
}

/** Bitcoin Core's GetDustThreshold for an output with this script at the default dust relay fee. */
export function dustThreshold(script: Uint8Array): bigint {
  const output = 8 + varIntLength(script.length) + script.length;
  // The cost of spending it later: 32 + 4 + 1 + 107 + 4 bytes, the 107-byte scriptSig discounted for witness.
  const spend = isWitnessProgram(script) ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4;
  return BigInt((output + spend) * DUST_RELAY_SAT_PER_VB);
}

/** Upper bound of the virtual size of a transaction spending `inputs` P2WPKH outputs to these scripts. */
export function estimateVsize(inputs: number, outputScripts: readonly Uint8Array[]): number {
  let base = 4 + 4 + varIntLength(inputs) + varIntLength(outputScripts.length) + inputs * INPUT_BASE;
  for (const s of outputScripts) base += 8 + varIntLength(s.length) + s.length;
  const witness = 2 + inputs * INPUT_WITNESS; // marker and flag, then each input's witness
  return Math.ceil((base * 4 + witness) / 4);
}

/** Fee for `vsize` at `rateMilli` millisatoshis per vbyte, rounded up. */
export function feeFor(vsize: number, rateMilli: bigint): bigint {
  return (BigInt(vsize) * rateMilli + 999n) / 1000n;
}

export interface SelectionRequest {
  utxos: readonly (Utxo & { confirmed: boolean })[];
  reserved: ReadonlySet<string>;
  amount: bigint;
  payScript: Uint8Array;
  changeScript: Uint8Array;
  rateMilli: bigint;
  /** A transaction with more inputs is not built (default 200): consolidate the hot wallet instead. */
  maxInputs?: number;
}

export function selectCoins(r: SelectionRequest): CoinSelection {
  if (r.amount < dustThreshold(r.payScript))
    throw new PayoutBelowDustError(
      `payout of ${r.amount} sats is below the destination's dust threshold of ${dustThreshold(r.payScript)} sats`,
    );
  const maxInputs = r.maxInputs ?? 200;
  const candidates = r.utxos
    .filter((u) => u.confirmed && u.value > 0n && !r.reserved.has(outpoint(u)))
    .sort((a, b) => (a.value === b.value ? (outpoint(a) < outpoint(b) ? -1 : 1) : a.value > b.value ? -1 : 1));
  const changeDust = dustThreshold(r.changeScript);
  const inputs: Utxo[] = [];
  let total = 0n;
  for (const u of candidates) {
    if (inputs.length >= maxInputs) break;
    inputs.push({ txid: u.txid, vout: u.vout, value: u.value });
    total += u.value;
    const withChange = estimateVsize(inputs.length, [r.payScript, r.changeScript]);
    const feeWithChange = feeFor(withChange, r.rateMilli);
    const change = total - r.amount - feeWithChange;
    if (change >= changeDust) return { inputs, change, fee: feeWithChange, vsize: withChange };
    const alone = estimateVsize(inputs.length, [r.payScript]);
    // No change output: whatever is left over (less than dust plus a change output's fee) is fee.
    if (total - r.amount >= feeFor(alone, r.rateMilli))
      return { inputs, change: 0n, fee: total - r.amount, vsize: alone };
  }
  const available = candidates.reduce((s, u) => s + u.value, 0n);
  const needed = r.amount + feeFor(estimateVsize(Math.max(1, inputs.length), [r.payScript]), r.rateMilli);
  const unconfirmed = r.utxos.filter((u) => !u.confirmed).reduce((s, u) => s + u.value, 0n);
  throw new BitcoinHotWalletShortError(
    needed,
    available,
    inputs.length >= maxInputs && available >= needed
      ? `more than ${maxInputs} inputs would be needed: consolidate the hot wallet`
      : `${unconfirmed} sats unconfirmed are not spent until confirmed`,
  );
}
