// The fee rate of a Bitcoin payout from the node's estimates (pure). Esplora's /fee-estimates maps a
// confirmation target in blocks to sat/vB. The rate for the configured target is used, or the estimate of
// the nearest LONGER target the node has (a cheaper but still bounded wait), or the nearest shorter one;
// with no estimate at all (a fresh regtest or signet node answers {}) the fallback rate. The result is
// clamped to [minimum relay rate, maximum]: the maximum protects the hot wallet from a rogue or spiking
// estimate (the payout then confirms later instead of overpaying).

export interface FeePolicy {
  /** Confirmation target in blocks (default 3). */
  targetBlocks?: number;
  /** sat/vB when the node gives no estimate (default 2). */
  fallbackSatPerVb?: number;
  /** Lowest rate, Bitcoin Core's default minimum relay fee (default 1 sat/vB). */
  minSatPerVb?: number;
  /** Highest rate ever paid (default 500 sat/vB). */
  maxSatPerVb?: number;
}

/** The rate in millisatoshis per vbyte (integer, rounded up). */
export function feeRateMilli(estimates: ReadonlyMap<number, number>, p: FeePolicy = {}): bigint {
  const target = p.targetBlocks ?? 3;
  const min = p.minSatPerVb ?? 1;
  const max = p.maxSatPerVb ?? 500;
  const targets = [...estimates.keys()].sort((a, b) => a - b);
  const longer = targets.find((t) => t >= target);
  const shorter = targets.filter((t) => t < target).pop();
  const chosen = longer ?? shorter;
  const rate = chosen === undefined ? (p.fallbackSatPerVb ?? 2) : estimates.get(chosen)!;
  const clamped = Math.min(max, Math.max(min, rate));
  return BigInt(Math.ceil(clamped * 1000));
}
