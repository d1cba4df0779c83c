// The EVM payout rail's chain I/O: one viem public client per network over HTTP JSON-RPC, with a per-request
// timeout, bounded retries of transport failures (429, 5xx, network errors; viem's rules) and a bounded
// response size, so a hostile or broken endpoint can neither hang the sender nor exhaust its memory.
// Only reads and eth_sendRawTransaction: the rail never asks a node to sign.
import {
  createPublicClient,
  erc20Abi,
  getAddress,
  type Hex,
  http,
  type PublicClient,
  type Transaction,
  type TransactionReceipt,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
} from 'viem';
import { type EvmCall, eip1559Fees, type Fees } from './transform.js';

export interface EvmRpcOptions {
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Retries of a request that failed in transport (default 2). */
  retries?: number;
}

/** A JSON-RPC answer is small (a receipt, a transaction); 1 MiB is generous and still bounded. */
const MAX_RESPONSE_BYTES = 1 << 20;

export interface EvmRpc {
  head(): Promise<bigint>;
  chainId(): Promise<number>;
  fees(): Promise<Fees>;
  estimateGas(from: Hex, call: EvmCall): Promise<bigint>;
  /** Transactions sent by `address`: in mined blocks ('latest') or counting the node's mempool ('pending'). */
  nonce(address: Hex, tag: 'latest' | 'pending'): Promise<bigint>;
  sendRaw(raw: Hex): Promise<Hex>;
  receipt(hash: Hex): Promise<TransactionReceipt | null>;
  transaction(hash: Hex): Promise<Transaction | null>;
  nativeBalance(address: Hex): Promise<bigint>;
  tokenBalance(token: string, address: Hex): Promise<bigint>;
}

export function evmRpc(url: string, opts: EvmRpcOptions = {}): EvmRpc {
  const client: PublicClient = createPublicClient({
    transport: http(url, {
      timeout: opts.timeoutMs ?? 15_000,
      retryCount: opts.retries ?? 2,
      maxResponseBodySize: MAX_RESPONSE_BYTES,
    }),
  });
  return {
    head: () => client.getBlockNumber({ cacheTime: 0 }),
    chainId: () => client.getChainId(),
    async fees() {
      const [block, priority] = await Promise.all([
        client.getBlock({ blockTag: 'latest' }),
        client.estimateMaxPriorityFeePerGas({ chain: null }),
      ]);
      if (block.baseFeePerGas === null) throw new Error('the node serves no EIP-1559 base fee');
      return eip1559Fees(block.baseFeePerGas, priority);
    },
    estimateGas: (from, call) =>
      client.estimateGas({ account: from, to: call.to, value: call.value, data: call.data, blockTag: 'latest' }),
    async nonce(address, tag) {
      return BigInt(await client.getTransactionCount({ address, blockTag: tag }));
    },
    sendRaw: (raw) => client.sendRawTransaction({ serializedTransaction: raw }),
    async receipt(hash) {
      try {
        return await client.getTransactionReceipt({ hash });
      } catch (e) {
        if (e instanceof TransactionReceiptNotFoundError) return null;
        throw e;
      }
    },
    async transaction(hash) {
      try {
        return await client.getTransaction({ hash });
      } catch (e) {
        if (e instanceof TransactionNotFoundError) return null;
        throw e;
      }
    },
    nativeBalance: (address) => client.getBalance({ address, blockTag: 'latest' }),
    tokenBalance: (token, address) =>
      client.readContract({
        address: getAddress(token),
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [address],
        blockTag: 'latest',
      }),
  };
}
