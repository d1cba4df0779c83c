// Bitcoin through an Esplora-compatible REST API (Blockstream's electrs as served at blockstream.info/api,
// mempool.space/api, or a self-hosted electrs): TENDER_RPC_BITCOIN is the API base URL.
//
// The subset used (field names and formats as Blockstream/esplora API.md documents them and
// Blockstream/electrs src/rest.rs serves them):
//   GET /blocks/tip/height               text: the best height, e.g. "840000"
//   GET /block-height/:height            text: the hash of the best-chain block at that height; 404 beyond the tip
//   GET /block/:hash                     JSON: { id, height, tx_count, ... }
//   GET /block/:hash/txs/:start_index    JSON: up to 25 txs from start_index (a multiple of 25), in block order:
//                                        { txid, vin[] { is_coinbase, ... }, vout[] { scriptpubkey, scriptpubkey_type,
//                                        scriptpubkey_address (absent for scripts without one), value (sats) },
//                                        status { confirmed, block_height, block_hash } }
//   GET /address/:address                JSON: { address, chain_stats, mempool_stats }, each stats object with
//                                        funded_txo_count, funded_txo_sum, spent_txo_count, spent_txo_sum, tx_count
//
// Deposits: every transaction output paying a watched address. Outputs of ONE transaction to ONE address are
// summed into one deposit whose logIndex is the first such output's index (what the customer paid in one
// payment; stable because a txid fixes its outputs). Coinbase outputs are not deposits (a customer payment is
// never a coinbase; a coinbase can be spent only after 100 blocks). Amounts are in sats, exact (JSON numbers
// below 2^53). Pages are fetched with bounded concurrency, and a block's outputs are cached by block hash
// (immutable content) for the few blocks the watcher re-reads on every pass.
import type { ChainSource, ChainTransfer } from '../crypto/chain-source.js';

/** Transactions per page of GET /block/:hash/txs/:start_index (electrs CHAIN_TXS_PER_PAGE). */
export const ESPLORA_PAGE = 25;

export interface EsploraOptions {
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Requests in flight at once, whatever the number of blocks and pages (default 4). */
  concurrency?: number;
  /** Retries of a request that failed with a network error, a timeout, 429 or 5xx (default 2). */
  retries?: number;
  /** First retry delay; doubles each time (default 250 ms). */
  retryDelayMs?: number;
  /** Blocks whose outputs stay cached by hash (default 12). */
  cacheBlocks?: number;
}

export class EsploraError extends Error {
  override readonly name = 'EsploraError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface EsploraVout {
  scriptpubkey?: string;
  scriptpubkey_type?: string;
  scriptpubkey_address?: string;
  value?: number;
}
interface EsploraTx {
  txid?: string;
  vin?: Array<{ is_coinbase?: boolean }>;
  vout?: EsploraVout[];
  status?: { confirmed?: boolean; block_hash?: string };
}
interface EsploraBlock {
  id?: string;
  height?: number;
  tx_count?: number;
}
interface EsploraStats {
  funded_txo_sum?: number;
  spent_txo_sum?: number;
}

/** One output of a block that pays an address: [txid, vout index, address, sats]. */
type BlockOutput = readonly [txid: string, vout: number, address: string, sats: bigint];

const HASH = /^[0-9a-f]{64}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** bech32 addresses are case-insensitive (stored and served lower-case); base58 ones are not. */
const addrKey = (a: string) => (/^(bc|tb|bcrt)1/i.test(a) ? a.toLowerCase() : a);

function sats(v: unknown, what: string): bigint {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new EsploraError(`${what}: not an amount in sats: ${String(v)}`);
  return BigInt(v);
}

export function esploraChain(baseUrl: string, opts: EsploraOptions = {}): ChainSource {
  const base = baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const retries = opts.retries ?? 2;
  const retryDelayMs = opts.retryDelayMs ?? 250;
  const cacheBlocks = opts.cacheBlocks ?? 12;

  // A counting semaphore: at most `concurrency` requests in flight for this source.
  let free = Math.max(1, opts.concurrency ?? 4);
  const waiting: Array<() => void> = [];
  async function limited<T>(f: () => Promise<T>): Promise<T> {
    if (free > 0) free--;
    else await new Promise<void>((r) => waiting.push(r));
    try {
      return await f();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  }

  async function get(path: string, as: 'text', missingOk?: boolean): Promise<string | null>;
  async function get(path: string, as: 'json', missingOk?: boolean): Promise<unknown>;
  async function get(path: string, as: 'text' | 'json', missingOk = false): Promise<unknown> {
    let last: unknown;
    for (let attempt = 0; ; attempt++) {
      let retryable = true;
      try {
        return await limited(async () => {
          const res = await fetch(base + path, {
            signal: AbortSignal.timeout(timeoutMs),
            headers: { accept: as === 'json' ? 'application/json' : 'text/plain' },
          });
          if (res.status === 404 && missingOk) {
            await res.body?.cancel();
            return null;
          }
          if (!res.ok) {
            const body = (await res.text().catch(() => '')).slice(0, 200);
            retryable = res.status === 429 || res.status >= 500;
            throw new EsploraError(`GET ${path}: HTTP ${res.status}${body ? ` ${body}` : ''}`, res.status);
          }
          if (as === 'text') return (await res.text()).trim();
          retryable = false;
          return await res.json();
        });
      } catch (e) {
        last = e;
        if (!retryable || attempt >= retries) break;
        await sleep(retryDelayMs * 2 ** attempt);
      }
    }
    throw last instanceof EsploraError
      ? last
      : new EsploraError(`GET ${path}: ${(last as Error)?.message ?? String(last)}`);
  }

  async function blockHash(n: bigint): Promise<string | null> {
    const h = await get(`/block-height/${n}`, 'text', true);
    if (h === null) return null;
    if (!HASH.test(h)) throw new EsploraError(`GET /block-height/${n}: not a block hash: ${h.slice(0, 80)}`);
    return h;
  }

  const cache = new Map<string, BlockOutput[]>();
  /** Every output with an address in block `hash` (height `n`), coinbase excluded, in block order. */
  async function blockOutputs(hash: string, n: bigint): Promise<BlockOutput[]> {
    const hit = cache.get(hash);
    if (hit) return hit;
    const block = (await get(`/block/${hash}`, 'json')) as EsploraBlock;
    if (
      block?.id !== hash ||
      block.height !== Number(n) ||
      !Number.isSafeInteger(block.tx_count) ||
      block.tx_count! < 1
    ) {
      throw new EsploraError(
        `GET /block/${hash}: unexpected block` +
          ` ${JSON.stringify({ id: block?.id, height: block?.height, tx_count: block?.tx_count })} for` +
          ` height ${n}`,
      );
    }
    const count = block.tx_count!;
    const starts: number[] = [];
    for (let s = 0; s < count; s += ESPLORA_PAGE) starts.push(s);
    const pages = await Promise.all(
      starts.map(async (s) => {
        const page = (await get(`/block/${hash}/txs/${s}`, 'json')) as EsploraTx[];
        const expected = Math.min(ESPLORA_PAGE, count - s);
        if (!Array.isArray(page) || page.length !== expected) {
          throw new EsploraError(
            `GET /block/${hash}/txs/${s}: ${Array.isArray(page) ? page.length : 'no'} transactions,` +
              ` expected ${expected}`,
          );
        }
        return page;
      }),
    );
    const out: BlockOutput[] = [];
    for (const tx of pages.flat()) {
      if (typeof tx.txid !== 'string' || !HASH.test(tx.txid) || !Array.isArray(tx.vout))
        throw new EsploraError(`block ${hash}: malformed transaction ${String(tx?.txid)}`);
      // electrs gives each tx its block's status; a block that left the best chain while we read it says
      // confirmed: false. The pass is then retried against the new chain.
      if (
        tx.status &&
        (tx.status.confirmed !== true || (tx.status.block_hash !== undefined && tx.status.block_hash !== hash))
      ) {
        throw new EsploraError(`block ${hash} left the best chain while being read`);
      }
      if (tx.vin?.[0]?.is_coinbase === true) continue;
      tx.vout.forEach((o, i) => {
        if (typeof o.scriptpubkey_address !== 'string') return; // OP_RETURN and other scripts without an address
        out.push([tx.txid!, i, o.scriptpubkey_address, sats(o.value, `tx ${tx.txid} output ${i}`)]);
      });
    }
    cache.set(hash, out);
    while (cache.size > cacheBlocks) cache.delete(cache.keys().next().value!);
    return out;
  }

  return {
    async head() {
      const t = (await get('/blocks/tip/height', 'text'))!;
      if (!/^\d{1,10}$/.test(t)) throw new EsploraError(`GET /blocks/tip/height: not a height: ${t.slice(0, 80)}`);
      return BigInt(t);
    },
    blockHash,
    async transfers(from, to, stored) {
      if (stored.size === 0 || to < from) return [];
      const watched = new Map<string, string>();
      for (const a of stored) watched.set(addrKey(a), a);
      const heights: bigint[] = [];
      for (let n = from; n <= to; n++) heights.push(n);
      const perBlock = await Promise.all(
        heights.map(async (n) => {
          const hash = await blockHash(n);
          if (hash === null) throw new EsploraError(`no block at height ${n}: the chain got shorter while being read`);
          const found = new Map<string, ChainTransfer>(); // txid + address → one deposit
          for (const [txid, vout, address, value] of await blockOutputs(hash, n)) {
            const to = watched.get(addrKey(address));
            if (to === undefined || value === 0n) continue;
            const key = `${txid}:${to}`;
            const prev = found.get(key);
            if (prev) prev.chainAmount += value;
            else
              found.set(key, {
                txHash: txid,
                logIndex: vout,
                blockNumber: n,
                blockHash: hash,
                to,
                asset: 'native',
                chainAmount: value,
              });
          }
          return [...found.values()];
        }),
      );
      return perBlock.flat(); // chain order: heights ascending, transactions in block order
    },
    async balances(address) {
      const info = (await get(`/address/${encodeURIComponent(address)}`, 'json')) as { chain_stats?: EsploraStats };
      const c = info?.chain_stats;
      if (!c) throw new EsploraError(`GET /address/${address}: no chain_stats`);
      // Confirmed balance, like the EVM source's balance at the latest block; unconfirmed (mempool) funds are not
      // counted.
      return { native: sats(c.funded_txo_sum, 'funded_txo_sum') - sats(c.spent_txo_sum, 'spent_txo_sum'), usdt: null };
    },
  };
}
