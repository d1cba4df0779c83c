// KYC records (migration 019): sealed per (merchant, user), upserted in one statement per call.
import type { Tx } from './db.js';

export interface SealedKyc {
  userId: string;
  sealed: string;
  digest: string;
}

/**
 * Inserts or replaces every record in one statement. Rows are written in user_id order, so two calls that share
 * users lock them in the same order and one waits for the other instead of deadlocking (the later one wins on
 * every shared user). A record whose digest is unchanged is left as it is (an identical replay writes nothing).
 */
export async function upsertKycRecords(tx: Tx, merchantId: string, rows: SealedKyc[], at: Date): Promise<void> {
  await tx.query(
    `INSERT INTO kyc_records (merchant_id, user_id, record_sealed, record_digest, created_at, updated_at)
     SELECT $1, u, s, d, $5, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS r(u, s, d) ORDER BY u
     ON CONFLICT (merchant_id, user_id) DO UPDATE
       SET record_sealed = EXCLUDED.record_sealed, record_digest = EXCLUDED.record_digest,
           updated_at = EXCLUDED.updated_at
       WHERE kyc_records.record_digest <> EXCLUDED.record_digest`,
    [merchantId, rows.map((r) => r.userId), rows.map((r) => r.sealed), rows.map((r) => r.digest), at],
  );
}

export async function kycExists(q: Tx, merchantId: string, userId: string): Promise<boolean> {
  const { rowCount } = await q.query('SELECT 1 FROM kyc_records WHERE merchant_id = $1 AND user_id = $2', [
    merchantId,
    userId,
  ]);
  return (rowCount ?? 0) > 0;
}

/** The sealed record of one user, or undefined. */
export async function findKycSealed(q: Tx, merchantId: string, userId: string): Promise<string | undefined> {
  const { rows } = await q.query<{ record_sealed: string }>(
    'SELECT record_sealed FROM kyc_records WHERE merchant_id = $1 AND user_id = $2',
    [merchantId, userId],
  );
  return rows[0]?.record_sealed;
}

export async function countKyc(q: Tx, merchantId: string): Promise<number> {
  const { rows } = await q.query<{ n: string }>('SELECT count(*) AS n FROM kyc_records WHERE merchant_id = $1', [
    merchantId,
  ]);
  return Number(rows[0]!.n);
}
