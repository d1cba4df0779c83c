// Rate settings from the environment (docs/rates-and-exchange.md lists them with their defaults).
import type { Mode } from '../../config.js';

export const RATE_SOURCE_NAMES = ['sandbox', 'operator', 'file', 'http'] as const;
export type RateSourceName = (typeof RATE_SOURCE_NAMES)[number];

export interface RatesConfig {
  /** Sources in fallback order. Default: sandbox in sandbox mode, operator,file,http in live mode. */
  sources: RateSourceName[];
  /** A price older than this is never used (RATE_STALE). */
  maxAgeSeconds: number;
  /** Defaults for merchants without their own setting (basis points). */
  spreadBps: number;
  exchangeFeeBps: number;
  /** Extra margin of getExchangeRateForCreditCard over the merchant's spread (basis points). */
  cardMarginBps: number;
  file: string | undefined;
  httpUrl: string;
  httpTimeoutMs: number;
  /** An answer longer than this is refused unread (bounded read). */
  httpMaxBytes: number;
  /** The HTTP provider is asked at most once per this many ms; answers in between come from its last reply. */
  httpRefreshMs: number;
}

/** Binance's public ticker (GET /api/v3/ticker/price): every symbol; the adapter keeps the known ones. */
export const DEFAULT_HTTP_URL = 'https://api.binance.com/api/v3/ticker/price';

function int(env: NodeJS.ProcessEnv, name: string, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  if (!/^[0-9]+$/.test(v) || Number(v) > max) throw new Error(`${name} must be a whole number up to ${max}, got ${v}`);
  return Number(v);
}

export function parseSources(text: string | undefined, mode: Mode): RateSourceName[] {
  if (text === undefined || text.trim() === '') return mode === 'sandbox' ? ['sandbox'] : ['operator', 'file', 'http'];
  const list = text.split(',').map((s) => s.trim());
  for (const s of list)
    if (!(RATE_SOURCE_NAMES as readonly string[]).includes(s))
      throw new Error(`TENDER_RATE_SOURCES names ${s}; use ${RATE_SOURCE_NAMES.join(', ')}`);
  if (new Set(list).size !== list.length) throw new Error('TENDER_RATE_SOURCES names a source twice');
  return list as RateSourceName[];
}

export function loadRatesConfig(env: NodeJS.ProcessEnv, mode: Mode): RatesConfig {
  const httpUrl = env.TENDER_RATE_HTTP_URL || DEFAULT_HTTP_URL;
  if (!/^https?:\/\//.test(httpUrl)) throw new Error(`TENDER_RATE_HTTP_URL must be an http(s) URL, got ${httpUrl}`);
  return {
    sources: parseSources(env.TENDER_RATE_SOURCES, mode),
    maxAgeSeconds: int(env, 'TENDER_RATE_MAX_AGE_SECONDS', 600),
    spreadBps: int(env, 'TENDER_RATE_SPREAD_BPS', 0, 10000),
    exchangeFeeBps: int(env, 'TENDER_EXCHANGE_FEE_BPS', 0, 10000),
    cardMarginBps: int(env, 'TENDER_CARD_RATE_MARGIN_BPS', 0, 10000),
    file: env.TENDER_RATES_FILE || undefined,
    httpUrl,
    httpTimeoutMs: int(env, 'TENDER_RATE_HTTP_TIMEOUT_MS', 3000),
    httpMaxBytes: int(env, 'TENDER_RATE_HTTP_MAX_BYTES', 1024 * 1024),
    httpRefreshMs: int(env, 'TENDER_RATE_HTTP_REFRESH_MS', 10_000),
  };
}
