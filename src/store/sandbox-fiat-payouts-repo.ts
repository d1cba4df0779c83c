// The sandbox fiat payout rails' durable store (migration 014): one row per payout id, the first submission wins.
// Shaped like src/rails/fiat-payout/sandbox-engine.ts SandboxPayoutStore (the rails layer adopts it there).
import type { Tx } from './db.js';

export interface SandboxFiatRecord {
  payoutId: string;
  ref: string;
  fingerprint: string;
  submittedAtMs: number;
  scenario: string;
}

interface Row {
  payout_id: string;
  ref: string;
  fingerprint: string;
  submitted_at_ms: string;
  scenario: string;
}

const toRecord = (r: Row): SandboxFiatRecord => ({
  payoutId: r.payout_id,
  ref: r.ref,
  fingerprint: r.fingerprint,
  submittedAtMs: Number(r.submitted_at_ms),
  scenario: r.scenario,
});

/** Keeps `r` unless the payout id has a record; answers the record kept. */
export async function insertOrGetSandboxFiat(tx: Tx, r: SandboxFiatRecord): Promise<SandboxFiatRecord> {
  await tx.query(
    `INSERT INTO sandbox_fiat_payouts (payout_id, ref, fingerprint, submitted_at_ms, scenario)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (payout_id) DO NOTHING`,
    [r.payoutId, r.ref, r.fingerprint, r.submittedAtMs, r.scenario],
  );
  // A statement of its own: it sees a concurrent first submission that committed while the insert waited.
  const { rows } = await tx.query<Row>('SELECT * FROM sandbox_fiat_payouts WHERE payout_id = $1', [r.payoutId]);
  if (!rows[0]) throw new Error('sandbox fiat payout record vanished');
  return toRecord(rows[0]);
}

export async function sandboxFiatByRef(tx: Tx, ref: string): Promise<SandboxFiatRecord | undefined> {
  const { rows } = await tx.query<Row>('SELECT * FROM sandbox_fiat_payouts WHERE ref = $1', [ref]);
  return rows[0] && toRecord(rows[0]);
}

/**
 * The sandbox helper's "settle now": the payout's scenario becomes `scenario` and its submission is dated far
 * enough back (`backMs`) that the rail answers it final at once. False when the payout was never submitted.
 */
export async function forceSandboxFiat(
  tx: Tx,
  payoutId: string,
  scenario: string,
  nowMs: number,
  backMs: number,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    'UPDATE sandbox_fiat_payouts SET scenario = $2, submitted_at_ms = $3 WHERE payout_id = $1',
    [payoutId, scenario, nowMs - backMs],
  );
  return (rowCount ?? 0) > 0;
}
