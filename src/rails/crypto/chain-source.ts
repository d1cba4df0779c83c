// What a chain watcher needs from a chain, whatever the chain: its head, its canonical block hashes and
// the transfers to Tender's addresses in a range of blocks. One implementation per family (EVM JSON-RPC,
// TRON HTTP API, Bitcoin Esplora REST); the watcher (src/workers/chain-watcher.ts) is the same for all.

export interface ChainTransfer {
  txHash: string;
  /**
   * Position inside the transaction: EVM/TRON token log index, Bitcoin output index; -1 for a native EVM/TRON transfer.
   */
  logIndex: number;
  blockNumber: bigint;
  blockHash: string;
  /** The recipient exactly as Tender stores it (EIP-55 for EVM, base58 for TRON, bech32 for Bitcoin). */
  to: string;
  /** 'native' = the network's own coin (ETH, BNB, TRX, BTC); 'USDT' = the configured token. */
  asset: 'USDT' | 'native';
  chainAmount: bigint;
}

export interface ChainSource {
  head(): Promise<bigint>;
  /** The canonical block hash at `n`, or null when the chain is shorter. */
  blockHash(n: bigint): Promise<string | null>;
  /** Transfers to `watched` (addresses as stored) in blocks from..to inclusive, in chain order. */
  transfers(from: bigint, to: bigint, watched: ReadonlySet<string>): Promise<ChainTransfer[]>;
  /** On-chain balances of one address, in chain units (for the operator's sweep listing). */
  balances?(address: string): Promise<{ native: bigint; usdt: bigint | null }>;
}

export const byChainOrder = (a: ChainTransfer, b: ChainTransfer): number =>
  a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1;
