// The ordered fallback between rate sources (TENDER_RATE_SOURCES): the first source with a fresh price of
// the pair answers. A source that fails, times out, or holds only stale prices gives way to the next; when
// none answers, the caller gets RATE_STALE (some price exists, all too old) or RATE_UNAVAILABLE, never a
// zero or an old rate.
import type { Deps } from '../deps.js';
import type { Config } from '../../config.js';
import { TenderError } from '../../domain/errors.js';
import { lookupPair, type RatePoint } from '../../domain/rates/pair.js';
import type { Ratio } from '../../domain/rates/rate-math.js';
import { parsePositiveDecimal } from '../../domain/rates/rate-math.js';
import { sandboxPoints } from '../../domain/rates/sandbox-rates.js';
import type { RateSource } from '../../rails/rates/rate-source.js';
import type { RateSourceName } from '../../rails/rates/config.js';
import { httpRateSource } from '../../rails/rates/binance.js';
import { fileRateSource } from '../../rails/rates/file.js';
import { operatorRates } from '../../store/rates-repo.js';
import { isDatabaseUnavailable } from '../../store/unavailable.js';

export interface MidRate {
  /** Units of source per 1 target, before any spread. */
  mid: Ratio;
  at: Date;
  source: string;
}

function operatorSource(deps: Deps): RateSource {
  return {
    name: 'operator',
    async points() {
      return (await operatorRates(deps.db)).map((r) => ({
        base: r.base,
        quote: r.quote,
        price: parsePositiveDecimal(r.price)!,
        at: r.setAt,
      }));
    },
  };
}

function sourceNamed(deps: Deps, name: RateSourceName): RateSource | undefined {
  const c = deps.config.rates;
  if (name === 'sandbox') return { name, points: async () => sandboxPoints(deps.clock.now()) };
  if (name === 'operator') return operatorSource(deps);
  // Named without a path: nothing to read, so the source is skipped (logged by rateChain).
  if (name === 'file') return c.file ? fileRateSource(c.file) : undefined;
  return httpRateSource({
    url: c.httpUrl,
    timeoutMs: c.httpTimeoutMs,
    maxBytes: c.httpMaxBytes,
    refreshMs: c.httpRefreshMs,
    known: new Set(deps.assets.ledgerCurrencies().map((a) => a.code)),
    now: () => deps.clock.now(),
  });
}

function buildChain(deps: Deps): RateSource[] {
  return deps.config.rates.sources.map((n) => sourceNamed(deps, n)).filter((s): s is RateSource => s !== undefined);
}

// One chain per configuration, so the HTTP source's short cache and in-flight request are shared.
const chains = new WeakMap<Config, RateSource[]>();

export function rateChain(deps: Deps): RateSource[] {
  let chain = chains.get(deps.config);
  if (!chain) {
    chain = buildChain(deps);
    if (deps.config.rates.sources.includes('file') && !deps.config.rates.file)
      deps.log.warn('TENDER_RATE_SOURCES names file but TENDER_RATES_FILE is not set: the file source is skipped');
    chains.set(deps.config, chain);
  }
  return chain;
}

/** The mid rate of source→target from the first source with a fresh price. */
export async function midRate(deps: Deps, source: string, target: string): Promise<MidRate> {
  const now = deps.clock.now();
  const maxAgeMs = deps.config.rates.maxAgeSeconds * 1000;
  let stale: Date | undefined;
  let outage: unknown;
  for (const s of rateChain(deps)) {
    let points: RatePoint[];
    try {
      points = await s.points();
    } catch (e) {
      if (isDatabaseUnavailable(e)) outage = e;
      deps.log.warn({ source: s.name, err: (e as Error).message }, 'rate source failed; trying the next');
      continue;
    }
    const found = lookupPair(points, source, target, now, maxAgeMs);
    if (found.kind === 'fresh') return { mid: found.rate, at: found.at, source: s.name };
    if (found.kind === 'stale' && (!stale || stale < found.at)) stale = found.at;
  }
  if (stale)
    throw new TenderError(
      'RATE_STALE',
      `the newest rate of ${source}/${target} is from ${stale.toISOString()}, older than ` +
        `${deps.config.rates.maxAgeSeconds} s`,
    );
  if (outage) throw outage;
  throw new TenderError('RATE_UNAVAILABLE', `no rate source has a rate for ${source}/${target}`);
}
