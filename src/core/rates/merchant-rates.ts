// A merchant's spread and exchange fee: its own setting, else the install's default.
import type { Deps } from '../deps.js';
import { TenderError } from '../../domain/errors.js';
import { findMerchant } from '../../store/merchants-repo.js';
import { merchantRateSettings, updateMerchantRateSettings } from '../../store/rates-repo.js';
import { inTx } from '../../store/db.js';
import { audit, changedFields, SYSTEM_ACTOR, type Actor } from '../audit-log.js';

export interface EffectiveRateSettings {
  merchantId: string;
  spreadBps: number;
  exchangeFeeBps: number;
  /** Whether each value is the merchant's own (false: the install's default). */
  ownSpread: boolean;
  ownExchangeFee: boolean;
}

export async function effectiveRateSettings(deps: Deps, merchantId: string): Promise<EffectiveRateSettings> {
  const s = await merchantRateSettings(deps.db, merchantId);
  return {
    merchantId,
    spreadBps: s.spreadBps ?? deps.config.rates.spreadBps,
    exchangeFeeBps: s.exchangeFeeBps ?? deps.config.rates.exchangeFeeBps,
    ownSpread: s.spreadBps !== null,
    ownExchangeFee: s.exchangeFeeBps !== null,
  };
}

const bps = (v: number | null | undefined, name: string) => {
  if (v === undefined || v === null) return v;
  if (!Number.isInteger(v) || v < 0 || v > 10000)
    throw new TenderError('INVALID_PARAM', `${name} must be a whole number of basis points from 0 to 10000`);
  return v;
};

async function assertMerchant(deps: Deps, merchantId: string): Promise<void> {
  if (!/^[0-9]{1,18}$/.test(merchantId) || !(await findMerchant(deps.db, merchantId)))
    throw new TenderError('MERCHANT_NOT_FOUND');
}

/** The operator's view: MERCHANT_NOT_FOUND for an unknown merchant. */
export async function merchantRateView(deps: Deps, merchantId: string): Promise<EffectiveRateSettings> {
  await assertMerchant(deps, merchantId);
  return effectiveRateSettings(deps, merchantId);
}

/** undefined keeps a value, null returns it to the install's default. */
export async function setMerchantRateSettings(
  deps: Deps,
  merchantId: string,
  patch: { spreadBps?: number | null; exchangeFeeBps?: number | null },
  actor: Actor = SYSTEM_ACTOR,
): Promise<EffectiveRateSettings> {
  const spreadBps = bps(patch.spreadBps, 'spreadBps');
  const exchangeFeeBps = bps(patch.exchangeFeeBps, 'exchangeFeeBps');
  await assertMerchant(deps, merchantId);
  await inTx(deps.db, async (tx) => {
    const before = await merchantRateSettings(tx, merchantId);
    await updateMerchantRateSettings(tx, merchantId, { spreadBps, exchangeFeeBps });
    const after = await merchantRateSettings(tx, merchantId);
    await audit(tx, deps, actor, {
      action: 'merchant.rates',
      merchantId,
      ...changedFields({ ...before }, { ...after }),
    });
  });
  return effectiveRateSettings(deps, merchantId);
}
