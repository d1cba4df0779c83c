// EVM JSON-RPC I/O (viem public client over HTTP): chain head, canonical block hashes, and the deposits
// in a block range — native transfers to watched addresses (plain value transfers whose receipt says
// success) and USDT Transfer logs of the configured token whose `to` is watched.
import {
  BlockNotFoundError,
  createPublicClient,
  erc20Abi,
  getAddress,
  http,
  parseAbiItem,
  type PublicClient,
} from 'viem';
import { byChainOrder, type ChainSource, type ChainTransfer } from '../crypto/chain-source.js';
export type { ChainTransfer };

export type EvmChain = ChainSource;

const TRANSFER = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');
const TOPIC_CHUNK = 500;

export function evmChain(rpcUrl: string, usdt: string | null, opts: { timeoutMs?: number } = {}): EvmChain {
  const client: PublicClient = createPublicClient({
    transport: http(rpcUrl, { batch: { batchSize: 50 }, timeout: opts.timeoutMs ?? 15_000, retryCount: 2 }),
  });
  const token = usdt ? getAddress(usdt) : null;

  async function natives(n: bigint, watched: ReadonlySet<string>): Promise<ChainTransfer[]> {
    // `watched` holds lower-case addresses here (see transfers()).
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
    const hits = block.transactions.filter(
      (t) => t.to && watched.has(t.to.toLowerCase()) && t.value > 0n && t.input === '0x',
    );
    const out: ChainTransfer[] = [];
    for (const t of hits) {
      const receipt = await client.getTransactionReceipt({ hash: t.hash });
      if (receipt.status !== 'success') continue;
      out.push({
        txHash: t.hash,
        logIndex: -1,
        blockNumber: n,
        blockHash: block.hash!,
        to: getAddress(t.to!),
        asset: 'native',
        chainAmount: t.value,
      });
    }
    return out;
  }

  async function tokenLogs(from: bigint, to: bigint, watched: ReadonlySet<string>): Promise<ChainTransfer[]> {
    if (!token || watched.size === 0) return [];
    const all = [...watched].map((a) => getAddress(a));
    const out: ChainTransfer[] = [];
    for (let i = 0; i < all.length; i += TOPIC_CHUNK) {
      const logs = await client.getLogs({
        address: token,
        event: TRANSFER,
        args: { to: all.slice(i, i + TOPIC_CHUNK) },
        fromBlock: from,
        toBlock: to,
      });
      for (const l of logs) {
        if (
          l.removed ||
          l.blockHash === null ||
          l.transactionHash === null ||
          l.logIndex === null ||
          l.blockNumber === null
        )
          continue;
        const value = l.args.value ?? 0n;
        if (value <= 0n || !l.args.to || !watched.has(l.args.to.toLowerCase())) continue;
        out.push({
          txHash: l.transactionHash,
          logIndex: l.logIndex,
          blockNumber: l.blockNumber,
          blockHash: l.blockHash,
          to: getAddress(l.args.to),
          asset: 'USDT',
          chainAmount: value,
        });
      }
    }
    return out;
  }

  return {
    head: () => client.getBlockNumber({ cacheTime: 0 }),
    async blockHash(n) {
      try {
        return (await client.getBlock({ blockNumber: n })).hash;
      } catch (e) {
        if (e instanceof BlockNotFoundError) return null;
        throw e;
      }
    },
    async transfers(from, to, stored) {
      if (stored.size === 0 || to < from) return [];
      const watched = new Set([...stored].map((a) => a.toLowerCase()));
      const numbers: bigint[] = [];
      for (let n = from; n <= to; n++) numbers.push(n);
      const [nat, logs] = await Promise.all([
        Promise.all(numbers.map((n) => natives(n, watched))),
        tokenLogs(from, to, watched),
      ]);
      return [...nat.flat(), ...logs].sort(byChainOrder);
    },
    async balances(address) {
      const a = getAddress(address);
      const native = await client.getBalance({ address: a });
      const usdt = token
        ? await client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [a] })
        : null;
      return { native, usdt };
    },
  };
}
