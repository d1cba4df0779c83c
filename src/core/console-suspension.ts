// Suspending a merchant (issue 12): every authenticated request of every dialect is refused with
// MERCHANT_SUSPENDED while its orders, balances and webhooks are left exactly as they are (nothing in the ledger
// changes; webhooks of orders already paid still go out). Reactivation lifts it. Both are audited.
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { inTx } from '../store/db.js';
import { findMerchant, setSuspension, type MerchantRow } from '../store/merchants-repo.js';
import { audit, type Actor } from './audit-log.js';

/** Refuses a suspended merchant; called by every dialect's authentication once the credentials matched. */
export function assertMerchantActive(m: Pick<MerchantRow, 'suspended_at'>): void {
  if (m.suspended_at) throw new TenderError('MERCHANT_SUSPENDED');
}

export interface SuspensionResult {
  merchantId: number;
  suspended: boolean;
  suspendedAt: string | null;
  reason: string | null;
  /** False when the merchant already was in the asked state (a repeated click): nothing written. */
  changed: boolean;
}

const result = (m: MerchantRow, changed: boolean): SuspensionResult => ({
  merchantId: Number(m.id),
  suspended: m.suspended_at !== null,
  suspendedAt: m.suspended_at?.toISOString() ?? null,
  reason: m.suspended_reason,
  changed,
});

const MAX_REASON = 200;

export async function suspendMerchant(
  deps: Deps,
  merchantId: string,
  reason: string,
  actor: Actor,
): Promise<SuspensionResult> {
  const why = reason.trim();
  if (!why) throw new TenderError('MISSING_PARAM', 'reason is required: say why the merchant is suspended');
  if (why.length > MAX_REASON) throw new TenderError('INVALID_PARAM', `reason: at most ${MAX_REASON} characters`);
  return inTx(deps.db, async (tx) => {
    const now = deps.clock.now();
    // Compare-and-set: of two operators suspending at once, one changes the row and writes the audit row.
    const row = await setSuspension(tx, merchantId, { at: now, reason: why }, now);
    if (!row) {
      const current = await findMerchant(tx, merchantId);
      if (!current) throw new TenderError('MERCHANT_NOT_FOUND');
      return result(current, false);
    }
    await audit(tx, deps, actor, {
      action: 'merchant.suspend',
      merchantId,
      before: { suspended: false },
      after: { suspended: true, reason: why },
    });
    deps.log.info({ merchantId, actor: actor.kind }, 'merchant suspended');
    return result(row, true);
  });
}

export async function reactivateMerchant(deps: Deps, merchantId: string, actor: Actor): Promise<SuspensionResult> {
  return inTx(deps.db, async (tx) => {
    const before = await findMerchant(tx, merchantId, 'update');
    if (!before) throw new TenderError('MERCHANT_NOT_FOUND');
    const row = await setSuspension(tx, merchantId, null, deps.clock.now());
    if (!row) return result(before, false);
    await audit(tx, deps, actor, {
      action: 'merchant.reactivate',
      merchantId,
      before: { suspended: true, reason: before.suspended_reason },
      after: { suspended: false },
    });
    deps.log.info({ merchantId, actor: actor.kind }, 'merchant reactivated');
    return result(row, true);
  });
}
