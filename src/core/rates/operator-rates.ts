// Operator-set rates (CLI `tender rate set|list|delete`, admin API /admin/rates): 1 base costs price quote.
import type { Deps } from '../deps.js';
import { TenderError } from '../../domain/errors.js';
import { parsePositiveDecimal } from '../../domain/rates/rate-math.js';
import { deleteOperatorRate, operatorRates, upsertOperatorRate } from '../../store/rates-repo.js';
import { inTx } from '../../store/db.js';
import { audit, SYSTEM_ACTOR, type Actor } from '../audit-log.js';

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
  actor: Actor = SYSTEM_ACTOR,
): Promise<OperatorRateView> {
  known(deps, base, 'base');
  known(deps, quote, 'quote');
  if (base === quote) throw new TenderError('SAME_CURRENCY', 'base and quote are the same');
  if (!parsePositiveDecimal(price))
    throw new TenderError('INVALID_PARAM', 'price must be a positive plain decimal (at most 30 decimals)');
  const setAt = deps.clock.now();
  await inTx(deps.db, async (tx) => {
    await upsertOperatorRate(tx, { base, quote, price, setAt });
    await audit(tx, deps, actor, { action: 'rate.set', target: `${base}/${quote}`, after: { price } });
  });
  return view(deps, { base, quote, price, setAt });
}

function view(deps: Deps, r: { base: string; quote: string; price: string; setAt: Date }): OperatorRateView {
  const age = deps.clock.now().getTime() - r.setAt.getTime();
  return { ...r, setAt: r.setAt.toISOString(), fresh: age <= deps.config.rates.maxAgeSeconds * 1000 };
}

export async function listOperatorRates(deps: Deps): Promise<OperatorRateView[]> {
  return (await operatorRates(deps.db)).map((r) => view(deps, r));
}

export async function removeOperatorRate(
  deps: Deps,
  base: string,
  quote: string,
  actor: Actor = SYSTEM_ACTOR,
): Promise<{ deleted: boolean }> {
  return inTx(deps.db, async (tx) => {
    const deleted = await deleteOperatorRate(tx, base, quote);
    if (deleted) await audit(tx, deps, actor, { action: 'rate.delete', target: `${base}/${quote}` });
    return { deleted };
  });
}
