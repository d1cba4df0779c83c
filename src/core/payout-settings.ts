// Per-merchant payout fee schedule and approval thresholds (issue 11), set by the operator.
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { parseDecimal } from '../domain/money.js';
import { NETWORKS } from '../rails/crypto/networks.js';
import { findMerchant } from '../store/merchants-repo.js';
import {
  merchantPayoutFee,
  merchantThreshold,
  upsertPayoutFee,
  upsertThreshold,
} from '../store/payout-settings-repo.js';
import { inTx } from '../store/db.js';
import { audit, SYSTEM_ACTOR, type Actor } from './audit-log.js';

async function merchantOrThrow(deps: Deps, merchantId: string) {
  if (!(await findMerchant(deps.db, merchantId))) throw new TenderError('MERCHANT_NOT_FOUND');
}

/**
 * Fee of a payout of `asset` on `network` (network key, e.g. TRON; PIX or CARD for fiat payouts): `fixed` (major
 * units) + `bps` of the total (crypto) or of the amount the user receives (fiat).
 */
export async function setPayoutFee(
  deps: Deps,
  merchantId: string,
  asset: string,
  network: string,
  fixed: string,
  bps: number,
  actor: Actor = SYSTEM_ACTOR,
): Promise<void> {
  await merchantOrThrow(deps, merchantId);
  const key = network.toUpperCase();
  // Fiat payouts (spec M2) are keyed by their channel's network: PIX (BRL only) or CARD, for a fiat asset.
  const fiat = deps.assets.find(asset)?.kind === 'fiat' && (key === 'CARD' || (key === 'PIX' && asset === 'BRL'));
  const def = NETWORKS.find((n) => n.key === key);
  if (!fiat && (!def || !deps.assets.find(asset, def.name)))
    throw new TenderError('PAYOUT_PAIR_NOT_SUPPORTED', `${asset} is not paid out on ${network}`);
  if (!Number.isInteger(bps) || bps < 0 || bps > 10000) throw new TenderError('INVALID_PARAM', 'bps: 0 to 10000');
  const amount = parseDecimal(fixed, deps.assets.ledger(asset).exponent, 'fixed');
  await inTx(deps.db, async (tx) => {
    const before = await merchantPayoutFee(tx, merchantId, asset, key);
    await upsertPayoutFee(tx, merchantId, asset, key, amount, bps);
    await audit(tx, deps, actor, {
      action: 'payout.fee',
      merchantId,
      target: `${asset} ${key}`,
      before: before ? { fixedMinor: before.fixed, bps: before.bps } : null,
      after: { fixedMinor: amount, bps },
    });
  });
}

/** Payouts of `currency` above `amount` (major units) need two different operators. */
export async function setApprovalThreshold(
  deps: Deps,
  merchantId: string,
  currency: string,
  amount: string,
  actor: Actor = SYSTEM_ACTOR,
) {
  await merchantOrThrow(deps, merchantId);
  const threshold = parseDecimal(amount, deps.assets.ledger(currency).exponent, 'threshold');
  await inTx(deps.db, async (tx) => {
    const before = await merchantThreshold(tx, merchantId, currency);
    await upsertThreshold(tx, merchantId, currency, threshold);
    await audit(tx, deps, actor, {
      action: 'payout.threshold',
      merchantId,
      target: currency,
      before: before === undefined ? null : { thresholdMinor: before },
      after: { thresholdMinor: threshold },
    });
  });
}
