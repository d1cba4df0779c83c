// The audit of payout decisions (migration 013): one row per operator and payout, never updated.
import type { Tx } from './db.js';

export interface ApprovalRow {
  payout_id: string;
  operator_id: string;
  operator_name: string;
  decision: 'approve' | 'reject';
  at: Date;
}

/** Records the decision; answers the operator's decision on record (an earlier one wins). */
export async function recordDecision(
  tx: Tx,
  payoutId: string,
  operatorId: string,
  decision: 'approve' | 'reject',
  at: Date,
): Promise<'approve' | 'reject'> {
  await tx.query(
    `INSERT INTO payout_approvals (payout_id, operator_id, decision, at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (payout_id, operator_id) DO NOTHING`,
    [payoutId, operatorId, decision, at],
  );
  const { rows } = await tx.query<{ decision: 'approve' | 'reject' }>(
    'SELECT decision FROM payout_approvals WHERE payout_id = $1 AND operator_id = $2',
    [payoutId, operatorId],
  );
  return rows[0]!.decision;
}

export async function approvalsOf(tx: Tx, payoutId: string): Promise<ApprovalRow[]> {
  const { rows } = await tx.query<ApprovalRow>(
    `SELECT a.payout_id, a.operator_id, o.name AS operator_name, a.decision, a.at
     FROM payout_approvals a JOIN operators o ON o.id = a.operator_id WHERE a.payout_id = $1 ORDER BY a.id`,
    [payoutId],
  );
  return rows;
}
