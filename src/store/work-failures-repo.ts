// Items a worker failed on: each is skipped until its retry time (doubling, capped), so one bad row never
// holds up the others, and operators can see what is stuck and why (SELECT * FROM work_failures).
import type { Tx } from './db.js';

const FIRST_RETRY_SECONDS = 30;
const MAX_RETRY_SECONDS = 3600;

export async function recordWorkFailure(tx: Tx, kind: string, itemId: string, error: string, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO work_failures (kind, item_id, attempts, last_error, first_failed_at, last_failed_at, retry_at)
     VALUES ($1, $2, 1, $3, $4, $4, $4::timestamptz + make_interval(secs => $5))
     ON CONFLICT (kind, item_id) DO UPDATE SET attempts = work_failures.attempts + 1, last_error = $3,
       last_failed_at = $4,
       retry_at = $4::timestamptz + make_interval(secs => least($6, $5 * power(2, work_failures.attempts)))`,
    [kind, itemId, error.slice(0, 1000), now, FIRST_RETRY_SECONDS, MAX_RETRY_SECONDS],
  );
}

export async function clearWorkFailure(tx: Tx, kind: string, itemId: string): Promise<void> {
  await tx.query('DELETE FROM work_failures WHERE kind = $1 AND item_id = $2', [kind, itemId]);
}

export async function workFailures(
  tx: Tx,
  kind: string,
): Promise<{ item_id: string; attempts: number; last_error: string; retry_at: Date }[]> {
  const { rows } = await tx.query(
    'SELECT item_id, attempts, last_error, retry_at FROM work_failures WHERE kind = $1 ORDER BY item_id',
    [kind],
  );
  return rows;
}
