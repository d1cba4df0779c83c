// HTTP provider adapter: Binance's public ticker (GET /api/v3/ticker/price), whose answer is
// [{"symbol":"BTCUSDT","price":"67187.34000000"}, ...]. Prices are strings, so they are parsed exactly, never
// through a float. The answer carries no time: a price is stamped with the moment its answer arrived.
import { parsePositiveDecimal } from '../../domain/rates/rate-math.js';
import type { RatePoint } from '../../domain/rates/pair.js';
import type { RateSource } from './rate-source.js';

/**
 * The prices of an answer between currencies in `known`. A symbol is the two codes run together
 * ("ETHBTC"); it is split where both halves are known currencies, and symbols of other assets are skipped.
 * Throws on an answer that is not a list of {symbol, price} strings, or that holds no usable price.
 */
export function parseTickerAnswer(text: string, known: ReadonlySet<string>, at: Date): RatePoint[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error('rate provider answer is not JSON');
  }
  if (!Array.isArray(body)) throw new Error('rate provider answer is not a list');
  const out: RatePoint[] = [];
  for (const row of body) {
    const { symbol, price } = (row ?? {}) as { symbol?: unknown; price?: unknown };
    if (typeof symbol !== 'string' || typeof price !== 'string')
      throw new Error('rate provider answer has a row without string symbol and price');
    const split = splitSymbol(symbol, known);
    if (!split) continue;
    const p = parsePositiveDecimal(price);
    // A zero or malformed price of a pair we use is a broken answer, not a price of zero.
    if (!p) throw new Error(`rate provider price of ${symbol} is not a positive decimal: ${price.slice(0, 40)}`);
    out.push({ base: split[0], quote: split[1], price: p, at });
  }
  if (out.length === 0) throw new Error('rate provider answer has no price of a known pair');
  return out;
}

function splitSymbol(symbol: string, known: ReadonlySet<string>): [string, string] | undefined {
  for (let i = 1; i < symbol.length; i++) {
    const base = symbol.slice(0, i);
    const quote = symbol.slice(i);
    if (known.has(base) && known.has(quote)) return [base, quote];
  }
  return undefined;
}

/** Reads at most `maxBytes` of the body; a longer answer is refused, not truncated. */
async function readBounded(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new Error(`rate provider answer of ${declared} bytes is over ${maxBytes}`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new Error(`rate provider answer is over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface HttpSourceOptions {
  url: string;
  timeoutMs: number;
  maxBytes: number;
  refreshMs: number;
  known: ReadonlySet<string>;
  now: () => Date;
}

/** The provider as a rate source, asked at most once per refreshMs (concurrent callers share one request). */
export function httpRateSource(o: HttpSourceOptions): RateSource {
  let last: { points: RatePoint[]; fetchedAt: number } | undefined;
  let inFlight: Promise<RatePoint[]> | undefined;
  const fetchOnce = async (): Promise<RatePoint[]> => {
    // One deadline for connecting, headers and the whole body: a trickling provider cannot hold a request.
    const signal = AbortSignal.timeout(o.timeoutMs);
    const res = await fetch(o.url, { signal, headers: { accept: 'application/json' }, redirect: 'error' });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`rate provider answered HTTP ${res.status}`);
    }
    const text = await readBounded(res, o.maxBytes);
    const points = parseTickerAnswer(text, o.known, o.now());
    last = { points, fetchedAt: Date.now() };
    return points;
  };
  return {
    name: 'http',
    async points() {
      if (last && Date.now() - last.fetchedAt < o.refreshMs) return last.points;
      inFlight ??= fetchOnce().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
