// Operator-set rates (CLI `tender rate set|list|delete`, admin API /admin/rates): 1 base costs price quote.
import type { Deps } from '../deps.js';
import { TenderError } from '../../domain/errors.js';
import { parsePositiveDecimal } from '../../domain/rates/rate-math.js';
import { deleteOperatorRate, operatorRates, upsertOperatorRate } from '../../store/rates-repo.js';

export interface OperatorRateView {
  base: string;
  quote: string;
  price: string;
  setAt: string;
  /** Whether the rate is within the staleness limit now (TENDER_RATE_MAX_AGE_SECONDS). */
  fresh: boolean;
}

const known = (deps: Deps, code: string, field: string) => {
  if (!deps.assets.find(code)) throw new TenderError('UNSUPPORTED_CURRENCY', `${field} ${code} is not supported`);
};

export async function setOperatorRate(
  deps: Deps,
  base: string,
  quote: string,
  price: string,
): Promise<OperatorRateView> {
  known(deps, base, 'base');
  known(deps, quote, 'quote');
  if (base === quote) throw new TenderError('SAME_CURRENCY', 'base and quote are the same');
  if (!parsePositiveDecimal(price))
    throw new TenderError('INVALID_PARAM', 'price must be a positive plain decimal (at most 30 decimals)');
  const setAt = deps.clock.now();
  await upsertOperatorRate(deps.db, { base, quote, price, setAt });
  return view(deps, { base, quote, price, setAt });
}

function view(deps: Deps, r: { base: string; quote: string; price: string; setAt: Date }): OperatorRateView {
  const age = deps.clock.now().getTime() - r.setAt.getTime();
  return { ...r, setAt: r.setAt.toISOString(), fresh: age <= deps.config.rates.maxAgeSeconds * 1000 };
}

export async function listOperatorRates(deps: Deps): Promise<OperatorRateView[]> {
  return (await operatorRates(deps.db)).map((r) => view(deps, r));
}

export async function removeOperatorRate(deps: Deps, base: string, quote: string): Promise<{ deleted: boolean }> {
  return { deleted: await deleteOperatorRate(deps.db, base, quote) };
}
