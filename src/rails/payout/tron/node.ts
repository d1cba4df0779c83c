// The TRON payout rail's I/O: POSTs to a full node's HTTP API (TENDER_RPC_TRON, as TronGrid serves it) with a
// timeout, a bounded read and exact int64 parsing, and the same transport handed to tronweb as its provider,
// so that every request the rail makes (its own and tronweb's) has the same limits.
import { providers, TronWeb } from 'tronweb';
import { parseJsonExact } from '../../tron/transform.js';

export interface TronNodeOptions {
  /** TronGrid key, sent as TRON-PRO-API-KEY. */
  apiKey?: string;
  timeoutMs?: number;
  /** Largest answer read, in bytes (a block query never reaches it; a misbehaving node cannot exhaust memory). */
  maxBytes?: number;
}

export type TronPost = <T>(path: string, body?: unknown) => Promise<T>;

async function readBounded(res: Response, maxBytes: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`answer larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One POST; throws on transport failure, non-2xx, non-JSON and java-tron's `{"Error": "..."}` body. */
export function tronPost(baseUrl: string, opts: TronNodeOptions = {}): TronPost {
  const base = baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (opts.apiKey) headers['TRON-PRO-API-KEY'] = opts.apiKey;
  return async <T>(path: string, body: unknown = {}): Promise<T> => {
    const url = `${base}/${path.replace(/^\/+/, '')}`;
    const signal = AbortSignal.timeout(timeoutMs);
    let text: string;
    let status: number;
    try {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
      status = res.status;
      text = await readBounded(res, maxBytes);
    } catch (e) {
      throw new Error(`TRON ${path}: ${(e as Error).message}`);
    }
    if (status < 200 || status >= 300) throw new Error(`TRON ${path}: HTTP ${status} ${text.slice(0, 200)}`);
    let json: unknown;
    try {
      json = parseJsonExact(text);
    } catch {
      throw new Error(`TRON ${path}: not JSON: ${text.slice(0, 200)}`);
    }
    if (json && typeof json === 'object' && typeof (json as { Error?: unknown }).Error === 'string') {
      throw new Error(`TRON ${path}: ${(json as { Error: string }).Error}`);
    }
    return json as T;
  };
}

/** tronweb's HTTP provider, its requests sent through `post` (tronweb accepts only its own provider classes). */
class RailProvider extends providers.HttpProvider {
  constructor(
    host: string,
    private readonly post: TronPost,
  ) {
    super(host);
  }
  override request<T = unknown>(url: string, payload: Record<string, unknown> = {}): Promise<T> {
    return this.post<T>(url, payload);
  }
}

/** A TronWeb instance without a key (the rail signs through its Secp256k1Signer) talking through `post`. */
export function tronWebOver(baseUrl: string, post: TronPost): TronWeb {
  const node = new RailProvider(baseUrl, post);
  return new TronWeb({ fullNode: node, solidityNode: node, eventServer: node });
}
