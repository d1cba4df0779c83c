// Sandbox rates are fixed and documented (docs/rates-and-exchange.md, "Sandbox rates"): round numbers a
// merchant can check by hand. They are always current, so the sandbox never answers RATE_STALE.
import { parsePositiveDecimal } from './rate-math.js';
import type { RatePoint } from './pair.js';

/** [base, quote, price]: 1 base costs price quote. Keep docs/rates-and-exchange.md in step. */
export const SANDBOX_PRICES: readonly (readonly [string, string, string])[] = [
  ['BTC', 'USD', '40000'],
  ['ETH', 'USD', '3000'],
  ['BNB', 'USD', '500'],
  ['TRX', 'USD', '0.25'],
  ['USDT', 'USD', '1'],
  ['EUR', 'USD', '1.25'],
  ['USD', 'BRL', '5'],
  ['USD', 'XOF', '600'],
  ['USD', 'XAF', '600'],
  ['USD', 'CDF', '2500'],
  ['USD', 'GNF', '8000'],
];

export function sandboxPoints(now: Date): RatePoint[] {
  return SANDBOX_PRICES.map(([base, quote, price]) => ({ base, quote, price: parsePositiveDecimal(price)!, at: now }));
}
