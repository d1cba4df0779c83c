// Two-person approval of large payouts (issue 11). Each decision is one transaction that locks the payout
// row, writes the audit row and moves the payout on: so approving twice, from two consoles at once, or while
// the payout is already being sent can never send it twice (the sender only signs a payout in stage 'ready',
// under the same row lock, and at most one live attempt per payout exists: migration 013).
import type { Deps } from './deps.js';
import type { OperatorRow } from '../store/operators-repo.js';
import { TenderError } from '../domain/errors.js';
import { inTx } from '../store/db.js';
import { findPayout, setPayoutStage, type PayoutStage } from '../store/payouts-repo.js';
import { approvalsOf, recordDecision } from '../store/payout-approvals-repo.js';
import { payoutClosedInTx } from './payout-transitions.js';
import { audit, type Actor } from './audit-log.js';

/** The operator, from wherever they decided (console, admin API, CLI); audited as that operator. */
const operatorActor = (operator: OperatorRow, address?: string | null): Actor => ({
  kind: 'operator',
  operatorId: String(operator.id),
  address: address ?? null,
});

export interface DecisionResult {
  orderId: string;
  stage: PayoutStage;
  approvedBy: string[];
  /** Whether this call changed the payout (false for a repeated or late approval). */
  changed: boolean;
}

export async function approvePayout(
  deps: Deps,
  operator: OperatorRow,
  orderId: string,
  address?: string | null,
): Promise<DecisionResult> {
  return inTx(deps.db, async (tx) => {
    const payout = await findPayout(tx, orderId, 'update');
    if (!payout) throw new TenderError('ORDER_NOT_FOUND');
    if (payout.stage === 'closed') throw new TenderError('ILLEGAL_TRANSITION', 'payout is already final');
    const now = deps.clock.now();
    const decision = await recordDecision(tx, orderId, operator.id, 'approve', now);
    if (decision !== 'approve') throw new TenderError('ALREADY_DECIDED', 'this operator rejected the payout');
    const approvedBy = (await approvalsOf(tx, orderId)).filter((a) => a.decision === 'approve');
    let changed = false;
    // Distinct operators only: the table holds one row per operator, so the same one twice counts once.
    if (payout.stage === 'approval' && approvedBy.length >= payout.approvals_needed) {
      await setPayoutStage(tx, orderId, 'ready', null, now);
      changed = true;
    }
    await audit(tx, deps, operatorActor(operator, address), {
      action: 'payout.approve',
      merchantId: payout.merchant_id,
      target: orderId,
      before: { stage: payout.stage },
      after: { stage: changed ? 'ready' : payout.stage, approvals: approvedBy.length },
    });
    deps.log.info({ orderId, operator: operator.name, approvals: approvedBy.length }, 'payout approval');
    return {
      orderId,
      stage: changed ? 'ready' : payout.stage,
      approvedBy: approvedBy.map((a) => a.operator_name),
      changed,
    };
  });
}

/** One operator's rejection closes a payout that is still waiting for approval: 15, and the hold released. */
export async function rejectPayout(
  deps: Deps,
  operator: OperatorRow,
  orderId: string,
  address?: string | null,
): Promise<DecisionResult> {
  return inTx(deps.db, async (tx) => {
    const payout = await findPayout(tx, orderId, 'update');
    if (!payout) throw new TenderError('ORDER_NOT_FOUND');
    if (payout.stage !== 'approval')
      throw new TenderError('ILLEGAL_TRANSITION', `payout is ${payout.stage === 'closed' ? 'final' : 'being sent'}`);
    const now = deps.clock.now();
    const decision = await recordDecision(tx, orderId, operator.id, 'reject', now);
    if (decision !== 'reject') throw new TenderError('ALREADY_DECIDED', 'this operator approved the payout');
    await payoutClosedInTx(tx, deps, orderId, `rejected by operator ${operator.name}`, 'payout rejected');
    await audit(tx, deps, operatorActor(operator, address), {
      action: 'payout.reject',
      merchantId: payout.merchant_id,
      target: orderId,
      before: { stage: payout.stage },
      after: { stage: 'closed' },
    });
    const approvedBy = (await approvalsOf(tx, orderId)).filter((a) => a.decision === 'approve');
    return { orderId, stage: 'closed', approvedBy: approvedBy.map((a) => a.operator_name), changed: true };
  });
}
