// EVM JSON-RPC I/O (viem public client over HTTP): chain head, canonical block hashes, and the deposits
// in a block range — native transfers to watched addresses (plain value transfers whose receipt says
// success) and USDT Transfer logs of the configured token whose `to` is watched.
import { BlockNotFoundError, createPublicClient, getAddress, http, parseAbiItem, type PublicClient } from 'viem';

export interface ChainTransfer {
  txHash: string;
  /** The Transfer log's index in its block; -1 for a native transfer. */
  logIndex: number;
  blockNumber: bigint;
  blockHash: string;
  /** Checksummed (EIP-55) recipient. */
  to: string;
  asset: 'USDT' | 'native';
  chainAmount: bigint;
}

export interface EvmChain {
  head(): Promise<bigint>;
  /** The canonical block hash at `n`, or null when the chain is shorter. */
  blockHash(n: bigint): Promise<string | null>;
  /** Deposits to `watched` (lower-case addresses) in blocks from..to inclusive, in chain order. */
  transfers(from: bigint, to: bigint, watched: ReadonlySet<string>): Promise<ChainTransfer[]>;
}

const TRANSFER = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');
const TOPIC_CHUNK = 500;

export function evmChain(rpcUrl: string, usdt: string | null, opts: { timeoutMs?: number } = {}): EvmChain {
  const client: PublicClient = createPublicClient({ transport: http(rpcUrl, { batch: { batchSize: 50 }, timeout: opts.timeoutMs ?? 15_000, retryCount: 2 }) });
  const token = usdt ? getAddress(usdt) : null;

  async function natives(n: bigint, watched: ReadonlySet<string>): Promise<ChainTransfer[]> {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
    const hits = block.transactions.filter((t) => t.to && watched.has(t.to.toLowerCase()) && t.value > 0n && t.input === '0x');
    const out: ChainTransfer[] = [];
    for (const t of hits) {
      const receipt = await client.getTransactionReceipt({ hash: t.hash });
      if (receipt.status !== 'success') continue;
      out.push({ txHash: t.hash, logIndex: -1, blockNumber: n, blockHash: block.hash!, to: getAddress(t.to!), asset: 'native', chainAmount: t.value });
    }
    return out;
  }

  async function tokenLogs(from: bigint, to: bigint, watched: ReadonlySet<string>): Promise<ChainTransfer[]> {
    if (!token || watched.size === 0) return [];
    const all = [...watched].map((a) => getAddress(a));
    const out: ChainTransfer[] = [];
    for (let i = 0; i < all.length; i += TOPIC_CHUNK) {
      const logs = await client.getLogs({ address: token, event: TRANSFER, args: { to: all.slice(i, i + TOPIC_CHUNK) }, fromBlock: from, toBlock: to });
      for (const l of logs) {
        if (l.removed || l.blockHash === null || l.transactionHash === null || l.logIndex === null || l.blockNumber === null) continue;
        const value = l.args.value ?? 0n;
        if (value <= 0n || !l.args.to || !watched.has(l.args.to.toLowerCase())) continue;
        out.push({ txHash: l.transactionHash, logIndex: l.logIndex, blockNumber: l.blockNumber, blockHash: l.blockHash, to: getAddress(l.args.to), asset: 'USDT', chainAmount: value });
      }
    }
    return out;
  }

  return {
    head: () => client.getBlockNumber({ cacheTime: 0 }),
    async blockHash(n) {
      try { return (await client.getBlock({ blockNumber: n })).hash; } catch (e) { if (e instanceof BlockNotFoundError) return null; throw e; }
    },
    async transfers(from, to, watched) {
      if (watched.size === 0 || to < from) return [];
      const numbers: bigint[] = [];
      for (let n = from; n <= to; n++) numbers.push(n);
      const [nat, logs] = await Promise.all([Promise.all(numbers.map((n) => natives(n, watched))), tokenLogs(from, to, watched)]);
      return [...nat.flat(), ...logs].sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
    },
  };
}
