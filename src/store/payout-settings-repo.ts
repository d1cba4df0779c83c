// Per-merchant payout fee schedule and approval thresholds (migration 013); defaults come from the config.
import type { Tx } from './db.js';

export async function merchantPayoutFee(
  tx: Tx,
  merchantId: string,
  asset: string,
  network: string,
): Promise<{ fixed: bigint; bps: number } | undefined> {
  const { rows } = await tx.query<{ fixed: string; bps: number }>(
    'SELECT fixed, bps FROM payout_fees WHERE merchant_id = $1 AND asset = $2 AND network = $3',
    [merchantId, asset, network],
  );
  return rows[0] ? { fixed: BigInt(rows[0].fixed), bps: rows[0].bps } : undefined;
}

export async function upsertPayoutFee(
  tx: Tx,
  merchantId: string,
  asset: string,
  network: string,
  fixed: bigint,
  bps: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO payout_fees (merchant_id, asset, network, fixed, bps) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (merchant_id, asset, network) DO UPDATE SET fixed = EXCLUDED.fixed, bps = EXCLUDED.bps`,
    [merchantId, asset, network, fixed.toString(), bps],
  );
}

export async function merchantThreshold(tx: Tx, merchantId: string, currency: string): Promise<bigint | undefined> {
  const { rows } = await tx.query<{ threshold: string }>(
    'SELECT threshold FROM payout_approval_thresholds WHERE merchant_id = $1 AND currency = $2',
    [merchantId, currency],
  );
  return rows[0] ? BigInt(rows[0].threshold) : undefined;
}

export async function upsertThreshold(tx: Tx, merchantId: string, currency: string, threshold: bigint) {
  await tx.query(
    `INSERT INTO payout_approval_thresholds (merchant_id, currency, threshold) VALUES ($1, $2, $3)
     ON CONFLICT (merchant_id, currency) DO UPDATE SET threshold = EXCLUDED.threshold`,
    [merchantId, currency, threshold.toString()],
  );
}
