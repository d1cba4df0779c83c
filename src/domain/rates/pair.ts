// Finds the rate of a currency pair in one source's prices: direct, inverse, or across one pivot currency
// (BTC→USD and USDT→USD give USDT→BTC). Prices older than the staleness limit are never used.
import { invert, times, type Ratio } from './rate-math.js';

/** One price as a source gives it: 1 `base` costs `price` units of `quote`, observed at `at`. */
export interface RatePoint {
  base: string;
  quote: string;
  price: Ratio;
  at: Date;
}

export type PairLookup =
  /** `rate` is units of source per 1 target; `at` the time of the oldest price used. */
  | { kind: 'fresh'; rate: Ratio; at: Date }
  /** The pair could be priced, but only from prices older than the limit. */
  | { kind: 'stale'; at: Date }
  | { kind: 'missing' };

interface Edge {
  to: string;
  price: Ratio;
  at: Date;
}

/** 1 unit of `from` = price units of `to`, both directions of every point; the newest point wins per edge. */
function edges(points: RatePoint[]): Map<string, Map<string, Edge>> {
  const out = new Map<string, Map<string, Edge>>();
  const add = (from: string, e: Edge) => {
    const m = out.get(from) ?? new Map<string, Edge>();
    const old = m.get(e.to);
    if (!old || old.at < e.at) m.set(e.to, e);
    out.set(from, m);
  };
  for (const p of points) {
    if (p.base === p.quote) continue;
    add(p.base, { to: p.quote, price: p.price, at: p.at });
    add(p.quote, { to: p.base, price: invert(p.price), at: p.at });
  }
  return out;
}

/** Units of `source` per 1 `target` from these points, or undefined. */
function path(points: RatePoint[], source: string, target: string): { rate: Ratio; at: Date } | undefined {
  const g = edges(points);
  const fromTarget = g.get(target);
  if (!fromTarget) return undefined;
  const direct = fromTarget.get(source);
  if (direct) return { rate: direct.price, at: direct.at };
  // One pivot, in a fixed order (sorted by name) so the same prices always give the same rate.
  for (const pivot of [...fromTarget.keys()].sort()) {
    const second = g.get(pivot)?.get(source);
    if (!second) continue;
    const first = fromTarget.get(pivot)!;
    return { rate: times(first.price, second.price), at: new Date(Math.min(first.at.getTime(), second.at.getTime())) };
  }
  return undefined;
}

export function lookupPair(
  points: RatePoint[],
  source: string,
  target: string,
  now: Date,
  maxAgeMs: number,
): PairLookup {
  const oldest = now.getTime() - maxAgeMs;
  // A price stamped in the future (clock skew) is treated as current, not as fresher than now.
  const fresh = path(
    points.filter((p) => p.at.getTime() >= oldest),
    source,
    target,
  );
  if (fresh) return { kind: 'fresh', ...fresh };
  const any = path(points, source, target);
  return any ? { kind: 'stale', at: any.at } : { kind: 'missing' };
}
