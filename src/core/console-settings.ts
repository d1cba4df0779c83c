// A merchant's fees and limits in one place for the operator console (issue 12): the pay-in fee (bps), the
// payout fee schedule and two-person approval thresholds per currency (the merchant's own rows, else the
// install's defaults), the exchange spread and fee, and the install-wide maximum order amount per currency.
// Every change goes through the existing audited use-cases, one audit row per changed setting.
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { formatMinor } from '../domain/money.js';
import { getMerchant, merchantView, updateSettings } from './merchants.js';
import { effectiveRateSettings, setMerchantRateSettings } from './rates/merchant-rates.js';
import { setApprovalThreshold, setPayoutFee } from './payout-settings.js';
import { payoutFeesOf, thresholdsOf } from '../store/console-settings-repo.js';
import type { Actor } from './audit-log.js';

export interface PayoutFeeView {
  asset: string;
  network: string;
  /** Major units of the asset, as a decimal string. */
  fixed: string;
  bps: number;
  /** 'merchant': its own row; 'default': TENDER_PAYOUT_FEES. */
  source: 'merchant' | 'default';
}

export interface MerchantSettingsView {
  merchant: ReturnType<typeof merchantView>;
  payinFeeBps: number;
  spreadBps: number;
  exchangeFeeBps: number;
  payoutFees: PayoutFeeView[];
  thresholds: Array<{ currency: string; amount: string; source: 'merchant' | 'default' }>;
  /** Install-wide (TENDER_MAX_AMOUNTS): the largest order per currency; null = no maximum. */
  maxAmounts: Array<{ currency: string; max: string | null }>;
}

const major = (deps: Deps, asset: string, minor: string | bigint) =>
  formatMinor(BigInt(minor), deps.assets.ledger(asset).exponent);

export async function merchantSettings(deps: Deps, merchantId: string): Promise<MerchantSettingsView> {
  const m = await getMerchant(deps, merchantId);
  const rates = await effectiveRateSettings(deps, m.id);
  const own = await payoutFeesOf(deps.db, m.id);
  const fees: PayoutFeeView[] = own.map((f) => ({ ...f, fixed: major(deps, f.asset, f.fixed), source: 'merchant' }));
  for (const [key, d] of Object.entries(deps.config.payout.defaultFees)) {
    const [asset, network] = key.split(':') as [string, string];
    if (!fees.some((f) => f.asset === asset && f.network === network))
      fees.push({ asset, network, fixed: d.fixed, bps: d.bps, source: 'default' });
  }
  const ownThresholds = await thresholdsOf(deps.db, m.id);
  const thresholds: MerchantSettingsView['thresholds'] = ownThresholds.map((t) => ({
    currency: t.currency,
    amount: major(deps, t.currency, t.threshold),
    source: 'merchant',
  }));
  for (const [currency, amount] of Object.entries(deps.config.payout.defaultThresholds))
    if (!thresholds.some((t) => t.currency === currency)) thresholds.push({ currency, amount, source: 'default' });
  return {
    merchant: merchantView(m),
    payinFeeBps: m.fee_bps,
    spreadBps: rates.spreadBps,
    exchangeFeeBps: rates.exchangeFeeBps,
    payoutFees: fees.sort((a, b) => `${a.asset}${a.network}`.localeCompare(`${b.asset}${b.network}`)),
    thresholds: thresholds.sort((a, b) => a.currency.localeCompare(b.currency)),
    maxAmounts: deps.assets
      .ledgerCurrencies()
      .map((r) => ({ currency: r.code, max: r.maxAmount == null ? null : formatMinor(r.maxAmount, r.exponent) }))
      .sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}

export interface SettingsChange {
  payinFeeBps?: number;
  spreadBps?: number | null;
  exchangeFeeBps?: number | null;
  payoutFee?: { asset: string; network: string; fixed: string; bps: number };
  threshold?: { currency: string; amount: string };
}

/** Applies each given change through its audited use-case; the first refusal stops (earlier ones stay). */
export async function changeMerchantSettings(
  deps: Deps,
  merchantId: string,
  c: SettingsChange,
  actor: Actor,
): Promise<MerchantSettingsView> {
  await getMerchant(deps, merchantId);
  if (c.payinFeeBps !== undefined) await updateSettings(deps, merchantId, { feeBps: c.payinFeeBps }, actor);
  if (c.spreadBps !== undefined || c.exchangeFeeBps !== undefined)
    await setMerchantRateSettings(
      deps,
      merchantId,
      { spreadBps: c.spreadBps, exchangeFeeBps: c.exchangeFeeBps },
      actor,
    );
  if (c.payoutFee) {
    const f = c.payoutFee;
    if (!Number.isInteger(f.bps)) throw new TenderError('INVALID_PARAM', 'bps must be a whole number');
    await setPayoutFee(deps, merchantId, f.asset, f.network, f.fixed, f.bps, actor);
  }
  if (c.threshold) await setApprovalThreshold(deps, merchantId, c.threshold.currency, c.threshold.amount, actor);
  return merchantSettings(deps, merchantId);
}
