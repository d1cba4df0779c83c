// A JSON file of prices (TENDER_RATES_FILE), re-read when it changes, for operators who feed rates from
// their own job. Shape: {"updatedAt": "<ISO time>", "rates": [{"base": "BTC", "quote": "USD",
// "price": "40000.00", "at": "<ISO time, optional>"}]}. Prices are decimal strings; a rate without its own
// `at` takes `updatedAt`; a file without either is refused (a rate without a time cannot be judged fresh).
import { stat, readFile } from 'node:fs/promises';
import { parsePositiveDecimal } from '../../domain/rates/rate-math.js';
import type { RatePoint } from '../../domain/rates/pair.js';
import type { RateSource } from './rate-source.js';

const MAX_FILE_BYTES = 1024 * 1024;
const CODE = /^[A-Z0-9]{2,16}$/;

function time(v: unknown, where: string): Date | undefined {
  if (v === undefined) return undefined;
  const d = typeof v === 'string' ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new Error(`${where} must be an ISO 8601 time`);
  return d;
}

export function parseRatesFile(text: string): RatePoint[] {
  const body = JSON.parse(text) as { updatedAt?: unknown; rates?: unknown };
  if (!body || typeof body !== 'object' || !Array.isArray(body.rates)) throw new Error('rates file has no rates list');
  const fileTime = time(body.updatedAt, 'updatedAt');
  return body.rates.map((r: unknown, i: number) => {
    const { base, quote, price, at } = (r ?? {}) as Record<string, unknown>;
    if (typeof base !== 'string' || !CODE.test(base) || typeof quote !== 'string' || !CODE.test(quote))
      throw new Error(`rates[${i}] needs base and quote currency codes`);
    const p = typeof price === 'string' ? parsePositiveDecimal(price) : undefined;
    if (!p) throw new Error(`rates[${i}].price must be a positive decimal string`);
    const when = time(at, `rates[${i}].at`) ?? fileTime;
    if (!when) throw new Error(`rates[${i}] has no time: give it "at" or the file "updatedAt"`);
    return { base, quote, price: p, at: when };
  });
}

export function fileRateSource(path: string): RateSource {
  let cache: { key: string; points: RatePoint[] } | undefined;
  return {
    name: 'file',
    async points() {
      const s = await stat(path);
      if (s.size > MAX_FILE_BYTES) throw new Error(`rates file is over ${MAX_FILE_BYTES} bytes`);
      const key = `${s.mtimeMs}/${s.size}`;
      if (cache?.key !== key) cache = { key, points: parseRatesFile(await readFile(path, 'utf8')) };
      return cache.points;
    },
  };
}
