// A merchant's own payout fee schedule and approval thresholds, as rows (migration 013), for the console.
import type { Tx } from './db.js';

export interface PayoutFeeRow {
  asset: string;
  network: string;
  fixed: string;
  bps: number;
}

export async function payoutFeesOf(tx: Tx, merchantId: string): Promise<PayoutFeeRow[]> {
  const { rows } = await tx.query<PayoutFeeRow>(
    'SELECT asset, network, fixed::text AS fixed, bps FROM payout_fees WHERE merchant_id = $1 ORDER BY asset, network',
    [merchantId],
  );
  return rows;
}

export async function thresholdsOf(
  tx: Tx,
  merchantId: string,
): Promise<Array<{ currency: string; threshold: string }>> {
  const { rows } = await tx.query<{ currency: string; threshold: string }>(
    `SELECT currency, threshold::text AS threshold FROM payout_approval_thresholds WHERE merchant_id = $1
      ORDER BY currency`,
    [merchantId],
  );
  return rows;
}
