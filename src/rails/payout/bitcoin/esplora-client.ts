// The Esplora calls the Bitcoin payout rail makes (the same REST API as the deposit watcher,
// src/rails/bitcoin/esplora.ts, and its patterns: a timeout per request, GETs retried on network errors,
// 429 and 5xx, answers checked before use). Bodies are read up to a bound, so a misbehaving server cannot
// exhaust memory. Field names as Blockstream/esplora API.md documents them and Blockstream/electrs serves them:
//   GET  /address/:a/utxo          [{ txid, vout, value, status { confirmed, block_height } }]; includes mempool
//                                  outputs (confirmed: false) and leaves out outputs a mempool tx spends
//   GET  /fee-estimates            { "<target blocks>": sat/vB, ... }; {} where the node has no estimate
//   POST /tx                       raw hex as text; 200 txid, or 400 "sendrawtransaction RPC error: {code,message}"
//   GET  /tx/:txid                 the transaction with status { confirmed, block_height }; 404 when unknown
//                                  (GET /tx/:txid/status answers { confirmed: false } for unknown ids too, so the
//                                  rail asks for the transaction itself to tell "in the mempool" from "unknown")
//   GET  /tx/:txid/outspend/:vout  { spent: false } or { spent: true, txid, vin, status }
//   GET  /blocks/tip/height        text
import { EsploraError } from '../../bitcoin/esplora.js';

export interface EsploraPayoutOptions {
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Retries of a GET that failed with a network error, a timeout, 429 or 5xx (default 2). */
  retries?: number;
  /** First retry delay; doubles each time (default 250 ms). */
  retryDelayMs?: number;
  /** Largest answer body read (default 8 MiB). */
  maxBodyBytes?: number;
}

export interface AddressUtxo {
  txid: string;
  vout: number;
  value: bigint;
  confirmed: boolean;
}

export interface TxState {
  confirmed: boolean;
  blockHeight: number | null;
}

export interface Outspend {
  spent: boolean;
  txid?: string;
  confirmed?: boolean;
  blockHeight?: number | null;
}

/** The node refused the transaction (the message is bitcoind's, e.g. "bad-txns-inputs-missingorspent"). */
export class BroadcastRefusedError extends Error {
  override readonly name = 'BroadcastRefusedError';
  constructor(
    readonly reason: string,
    readonly status: number,
  ) {
    super(`broadcast refused: ${reason}`);
  }
}

const HASH = /^[0-9a-f]{64}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sats(v: unknown, what: string): bigint {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new EsploraError(`${what}: not an amount in sats: ${String(v)}`);
  return BigInt(v);
}

function height(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

async function boundedText(res: Response, max: number, what: string): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new EsploraError(`${what}: answer larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function esploraPayoutClient(baseUrl: string, opts: EsploraPayoutOptions = {}) {
  const base = baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const retries = opts.retries ?? 2;
  const retryDelayMs = opts.retryDelayMs ?? 250;
  const maxBody = opts.maxBodyBytes ?? 8 * 1024 * 1024;

  /** GET with retries; null on 404 when `missingOk`. */
  async function get(path: string, as: 'text' | 'json', missingOk = false): Promise<unknown> {
    let last: unknown;
    for (let attempt = 0; ; attempt++) {
      let retryable = true;
      try {
        const res = await fetch(base + path, {
          signal: AbortSignal.timeout(timeoutMs),
          headers: { accept: as === 'json' ? 'application/json' : 'text/plain' },
        });
        const body = await boundedText(res, maxBody, `GET ${path}`);
        if (res.status === 404 && missingOk) return null;
        if (!res.ok) {
          retryable = res.status === 429 || res.status >= 500;
          throw new EsploraError(`GET ${path}: HTTP ${res.status} ${body.slice(0, 200)}`.trim(), res.status);
        }
        if (as === 'text') return body.trim();
        retryable = false;
        return JSON.parse(body) as unknown;
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

  return {
    async utxos(address: string): Promise<AddressUtxo[]> {
      const path = `/address/${encodeURIComponent(address)}/utxo`;
      const list = await get(path, 'json');
      if (!Array.isArray(list)) throw new EsploraError(`GET ${path}: not a list`);
      return list.map((u: { txid?: unknown; vout?: unknown; value?: unknown; status?: { confirmed?: unknown } }) => {
        if (
          typeof u?.txid !== 'string' ||
          !HASH.test(u.txid) ||
          !Number.isSafeInteger(u.vout) ||
          (u.vout as number) < 0
        )
          throw new EsploraError(`GET ${path}: malformed output ${JSON.stringify(u)?.slice(0, 120)}`);
        return {
          txid: u.txid,
          vout: u.vout as number,
          value: sats(u.value, `${path} ${u.txid}:${u.vout}`),
          confirmed: u.status?.confirmed === true,
        };
      });
    },

    /** sat/vB by confirmation target in blocks; empty when the node has no estimate. */
    async feeEstimates(): Promise<Map<number, number>> {
      const body = await get('/fee-estimates', 'json');
      const out = new Map<number, number>();
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw new EsploraError('GET /fee-estimates: not an object');
      for (const [k, v] of Object.entries(body)) {
        const target = Number(k);
        if (Number.isInteger(target) && target > 0 && typeof v === 'number' && Number.isFinite(v) && v > 0)
          out.set(target, v);
      }
      return out;
    },

    async tipHeight(): Promise<number> {
      const t = (await get('/blocks/tip/height', 'text')) as string;
      if (!/^\d{1,10}$/.test(t)) throw new EsploraError(`GET /blocks/tip/height: not a height: ${t.slice(0, 80)}`);
      return Number(t);
    },

    /** The transaction's state, or null when the node knows no transaction with this id. */
    async tx(txid: string): Promise<TxState | null> {
      const t = (await get(`/tx/${txid}`, 'json', true)) as {
        txid?: unknown;
        status?: { confirmed?: unknown; block_height?: unknown };
      } | null;
      if (t === null) return null;
      if (t?.txid !== txid) throw new EsploraError(`GET /tx/${txid}: another transaction answered`);
      const confirmed = t.status?.confirmed === true;
      const h = height(t.status?.block_height);
      if (confirmed && h === null) throw new EsploraError(`GET /tx/${txid}: confirmed without a block height`);
      return { confirmed, blockHeight: confirmed ? h : null };
    },

    async outspend(txid: string, vout: number): Promise<Outspend> {
      const o = (await get(`/tx/${txid}/outspend/${vout}`, 'json')) as {
        spent?: unknown;
        txid?: unknown;
        status?: { confirmed?: unknown; block_height?: unknown };
      };
      if (o?.spent !== true) return { spent: false };
      if (typeof o.txid !== 'string' || !HASH.test(o.txid))
        throw new EsploraError(`GET /tx/${txid}/outspend/${vout}: spent without a spending txid`);
      return {
        spent: true,
        txid: o.txid,
        confirmed: o.status?.confirmed === true,
        blockHeight: height(o.status?.block_height),
      };
    },

    /** POST /tx once (the sender repeats it): resolves with the node's txid, throws BroadcastRefusedError on
     * a 4xx refusal and EsploraError on a transport failure or a 5xx. */
    async postTx(hex: string): Promise<string> {
      let res: Response;
      try {
        res = await fetch(`${base}/tx`, {
          method: 'POST',
          body: hex,
          headers: { 'content-type': 'text/plain' },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        throw new EsploraError(`POST /tx: ${(e as Error).message}`);
      }
      const body = (await boundedText(res, 64 * 1024, 'POST /tx')).trim();
      if (res.ok) return body;
      if (res.status >= 400 && res.status < 500 && res.status !== 429)
        throw new BroadcastRefusedError(body.slice(0, 500) || `HTTP ${res.status}`, res.status);
      throw new EsploraError(`POST /tx: HTTP ${res.status} ${body.slice(0, 200)}`.trim(), res.status);
    },
  };
}

export type EsploraPayoutClient = ReturnType<typeof esploraPayoutClient>;
