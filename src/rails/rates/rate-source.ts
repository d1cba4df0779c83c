// A rate source answers the prices it knows, each with the time it was observed. Sources are tried in the
// configured order (core/rates/chain.ts); one that fails, times out or has only stale prices gives way to
// the next.
import type { RatePoint } from '../../domain/rates/pair.js';

export interface RateSource {
  /** Name in TENDER_RATE_SOURCES and in logs: sandbox, operator, file, http. */
  readonly name: string;
  /** Every price the source holds now; throws when the source cannot be read. */
  points(): Promise<RatePoint[]>;
}
