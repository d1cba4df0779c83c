// TRON chain source over the full-node HTTP API as TronGrid serves it (TENDER_RPC_TRON is the base URL,
// e.g. https://api.trongrid.io; TENDER_TRON_API_KEY, when set, is sent as the `TRON-PRO-API-KEY` header).
// The subset used, all POST with a JSON body:
//   /wallet/getnowblock                     head: block_header.raw_data.number
//   /wallet/getblockbynum {"num":n}         blockID (the hash) and transactions: TransferContract
//                                           {owner_address,to_address (41-hex),amount (sun)}, ret[0].contractRet
//   /wallet/gettransactioninfobyblocknum {"num":n}
//                                           per transaction: id, blockNumber, receipt.result, log[] with
//                                           address (20-byte hex, no 41), topics[], data — only fetched for
//                                           blocks that hold a successful TriggerSmartContract call
//   /wallet/getaccount {"address":T…,"visible":true}          balance (sun; `{}` = no account = 0)
//   /wallet/triggerconstantcontract balanceOf(address)        USDT balance (constant_result[0])
// Errors: HTTP status other than 2xx, or java-tron's `{"Error": "..."}` body (answered with 200), throw;
// transient ones (network, 5xx, 429) are retried twice here, and the watcher's next pass retries the rest.
// Deposits are read by transform.ts (pure).
import { byChainOrder, type ChainSource, type ChainTransfer } from '../crypto/chain-source.js';
import {
  blockRef,
  hasContractCalls,
  infosMatchBlock,
  int,
  nativeTransfers,
  parseJsonExact,
  tokenTransfers,
  tronToHex,
  type TronBlock,
  type TronTxInfo,
} from './transform.js';

export interface TronChainOptions {
  /** TronGrid key (TRON-PRO-API-KEY header). */
  apiKey?: string;
  timeoutMs?: number;
  /** Blocks read in parallel by transfers() (TronGrid rate-limits per key). */
  concurrency?: number;
  retries?: number;
}

class TronHttpError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function tronChain(baseUrl: string, usdt: string | null, opts: TronChainOptions = {}): ChainSource {
  const base = baseUrl.replace(/\/+$/, '');
  const tokenHex = usdt ? tronToHex(usdt) : null; // 41… (throws at start-up on a bad TENDER_USDT_TRON)
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const retries = opts.retries ?? 2;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (opts.apiKey) headers['TRON-PRO-API-KEY'] = opts.apiKey;

  async function once(path: string, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new TronHttpError(`TRON ${path}: ${(e as Error).message}`, true);
    }
    const text = await res.text();
    if (!res.ok)
      throw new TronHttpError(
        `TRON ${path}: HTTP ${res.status} ${text.slice(0, 200)}`,
        res.status >= 500 || res.status === 429,
      );
    let json: unknown;
    try {
      json = parseJsonExact(text);
    } catch {
      throw new TronHttpError(`TRON ${path}: not JSON: ${text.slice(0, 200)}`, false);
    }
    if (
      json &&
      typeof json === 'object' &&
      !Array.isArray(json) &&
      typeof (json as { Error?: unknown }).Error === 'string'
    ) {
      throw new TronHttpError(`TRON ${path}: ${(json as { Error: string }).Error}`, false);
    }
    return json;
  }

  async function post<T>(path: string, body: unknown = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await once(path, body)) as T;
      } catch (e) {
        if (!(e instanceof TronHttpError) || !e.transient || attempt >= retries) throw e;
        await sleep(200 * (attempt + 1));
      }
    }
  }

  const getBlock = (n: bigint) => post<TronBlock>('/wallet/getblockbynum', { num: Number(n) });

  async function blockTransfers(n: bigint, watched: ReadonlySet<string>): Promise<ChainTransfer[]> {
    // The block and its infos are two requests; a re-org between them would pair a block with another
    // block's infos. The infos must name the block's own transactions, else both are read again.
    for (let attempt = 0; ; attempt++) {
      const block = await getBlock(n);
      const ref = blockRef(block);
      if (!ref) return []; // not produced (yet): the watcher only asks up to the head it read
      if (ref.number !== n) throw new Error(`TRON getblockbynum ${n} answered block ${ref.number}`);
      const natives = nativeTransfers(block, watched);
      if (!tokenHex || !hasContractCalls(block)) return natives;
      const raw = await post<TronTxInfo[] | Record<string, never>>('/wallet/gettransactioninfobyblocknum', {
        num: Number(n),
      });
      const infos = Array.isArray(raw) ? raw : [];
      if (!infosMatchBlock(infos, block)) {
        if (attempt >= 2) throw new Error(`TRON block ${n}: transaction infos do not match the block (chain moving?)`);
        continue;
      }
      return [...natives, ...tokenTransfers(infos, block, tokenHex.slice(2), watched)];
    }
  }

  return {
    async head() {
      const ref = blockRef(await post<TronBlock>('/wallet/getnowblock'));
      if (!ref) throw new Error('TRON getnowblock returned no block');
      return ref.number;
    },
    async blockHash(n) {
      const ref = blockRef(await getBlock(n));
      return ref && ref.number === n ? ref.hash : null;
    },
    async transfers(from, to, watched) {
      if (watched.size === 0 || to < from) return [];
      const numbers: bigint[] = [];
      for (let n = from; n <= to; n++) numbers.push(n);
      const out: ChainTransfer[] = [];
      for (let i = 0; i < numbers.length; i += concurrency) {
        const chunk = await Promise.all(numbers.slice(i, i + concurrency).map((n) => blockTransfers(n, watched)));
        out.push(...chunk.flat());
      }
      return out.sort(byChainOrder);
    },
    async balances(address) {
      // getaccount answers `{}` for an account that was never activated: balance 0. `balance` is omitted
      // when 0 (protobuf default).
      const acct = await post<{ balance?: number | string }>('/wallet/getaccount', { address, visible: true });
      const native = int(acct.balance);
      if (!tokenHex) return { native, usdt: null };
      const r = await post<{
        result?: { result?: boolean; message?: string };
        constant_result?: string[];
        transaction?: { ret?: Array<{ ret?: string }> };
      }>('/wallet/triggerconstantcontract', {
        owner_address: tronToHex(address),
        contract_address: tokenHex,
        function_selector: 'balanceOf(address)',
        parameter: tronToHex(address).slice(2).padStart(64, '0'),
        visible: false,
      });
      const word = r.constant_result?.[0];
      if (
        r.result?.result !== true ||
        r.transaction?.ret?.[0]?.ret === 'FAILED' ||
        typeof word !== 'string' ||
        !/^[0-9a-f]{1,64}$/i.test(word)
      ) {
        throw new Error(`TRON balanceOf(${address}) failed: ${r.result?.message ?? JSON.stringify(r).slice(0, 200)}`);
      }
      return { native, usdt: BigInt(`0x${word}`) };
    },
  };
}
