// The sandbox card acquirer's books (migration 020): one authorisation per reference, its 3-D Secure challenge,
// captures and refunds. Used only by src/rails/card/sandbox-acquirer.ts.
import type { Tx } from './db.js';

export interface SandboxAuthRow {
  ref: string;
  reference: string;
  fingerprint: string;
  scenario: string;
  amount: string;
  currency: string;
  state: 'challenge' | 'authorised' | 'declined' | 'captured';
  decline_reason: string | null;
  challenge_id: string | null;
  cres: string | null;
  acs_passed: boolean | null;
  return_url: string | null;
  captured: string;
  refunded: string;
  created_at: Date;
  updated_at: Date;
}

export type NewSandboxAuth = Pick<
  SandboxAuthRow,
  | 'ref'
  | 'reference'
  | 'fingerprint'
  | 'scenario'
  | 'amount'
  | 'currency'
  | 'state'
  | 'decline_reason'
  | 'challenge_id'
  | 'return_url'
  | 'created_at'
>;

/** Keeps `a` unless the reference already has an authorisation; answers the one kept. */
export async function insertOrGetAuth(tx: Tx, a: NewSandboxAuth): Promise<SandboxAuthRow> {
  await tx.query(
    `INSERT INTO sandbox_card_auths (ref, reference, fingerprint, scenario, amount, currency, state, decline_reason,
       challenge_id, return_url, created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) ON CONFLICT (reference) DO NOTHING`,
    [
      a.ref,
      a.reference,
      a.fingerprint,
      a.scenario,
      a.amount,
      a.currency,
      a.state,
      a.decline_reason,
      a.challenge_id,
      a.return_url,
      a.created_at,
    ],
  );
  // A statement of its own: it sees a concurrent first authorisation that committed while the insert waited.
  const row = await authBy(tx, 'reference', a.reference);
  if (!row) throw new Error('sandbox card authorisation vanished');
  return row;
}

export async function authBy(
  tx: Tx,
  col: 'ref' | 'reference' | 'challenge_id',
  value: string,
  forUpdate = false,
): Promise<SandboxAuthRow | undefined> {
  const { rows } = await tx.query<SandboxAuthRow>(
    `SELECT * FROM sandbox_card_auths WHERE ${col} = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [value],
  );
  return rows[0];
}

export async function updateAuth(
  tx: Tx,
  ref: string,
  patch: Partial<Pick<SandboxAuthRow, 'state' | 'decline_reason' | 'cres' | 'acs_passed' | 'captured' | 'refunded'>>,
  at: Date,
): Promise<void> {
  const cols = Object.keys(patch);
  const sets = cols.map((c, i) => `${c} = $${i + 3}`).join(', ');
  await tx.query(`UPDATE sandbox_card_auths SET updated_at = $2${sets ? `, ${sets}` : ''} WHERE ref = $1`, [
    ref,
    at,
    ...cols.map((c) => (patch as Record<string, unknown>)[c]),
  ]);
}

/** Records a refund once per refundId; false when that refundId was already recorded. */
export async function insertRefund(tx: Tx, refundId: string, ref: string, amount: bigint, at: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO sandbox_card_refunds (refund_id, ref, amount, created_at) VALUES ($1,$2,$3,$4)
     ON CONFLICT (refund_id) DO NOTHING`,
    [refundId, ref, amount.toString(), at],
  );
  return rowCount === 1;
}

export async function refundById(tx: Tx, refundId: string): Promise<{ ref: string; amount: string } | undefined> {
  const { rows } = await tx.query<{ ref: string; amount: string }>(
    'SELECT ref, amount FROM sandbox_card_refunds WHERE refund_id = $1',
    [refundId],
  );
  return rows[0];
}

/** How many authorisations the sandbox acquirer holds for a reference (tests: "one authorisation"). */
export async function countAuths(tx: Tx, reference: string): Promise<number> {
  const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM sandbox_card_auths WHERE reference = $1', [
    reference,
  ]);
  return Number(rows[0]!.n);
}
