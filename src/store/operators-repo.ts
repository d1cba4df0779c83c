// Operators who approve payouts (migration 013). Only a digest of each token is stored.
import type { Tx } from './db.js';

export interface OperatorRow {
  id: string;
  name: string;
  created_at: Date;
  disabled_at: Date | null;
}

export async function insertOperator(tx: Tx, name: string, tokenDigest: string, at: Date): Promise<OperatorRow> {
  const { rows } = await tx.query<OperatorRow>(
    `INSERT INTO operators (name, token_digest, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING
     RETURNING id, name, created_at, disabled_at`,
    [name, tokenDigest, at],
  );
  return rows[0]!;
}

/** A console operator (issue 12): logs in with email as username and a one-time password; also has a token. */
export async function insertConsoleOperator(
  tx: Tx,
  o: { email: string; role: 'admin' | 'support'; passwordHash: string; tokenDigest: string; at: Date },
): Promise<OperatorRow | undefined> {
  const { rows } = await tx.query<OperatorRow>(
    `INSERT INTO operators (name, email, role, password_hash, must_change_password, token_digest, created_at)
     VALUES ($1, $1, $2, $3, true, $4, $5) ON CONFLICT DO NOTHING
     RETURNING id, name, created_at, disabled_at`,
    [o.email, o.role, o.passwordHash, o.tokenDigest, o.at],
  );
  return rows[0];
}

export async function operatorByDigest(tx: Tx, tokenDigest: string): Promise<OperatorRow | undefined> {
  const { rows } = await tx.query<OperatorRow>(
    'SELECT id, name, created_at, disabled_at FROM operators WHERE token_digest = $1 AND disabled_at IS NULL',
    [tokenDigest],
  );
  return rows[0];
}

export async function listOperators(tx: Tx): Promise<OperatorRow[]> {
  const { rows } = await tx.query<OperatorRow>('SELECT id, name, created_at, disabled_at FROM operators ORDER BY id');
  return rows;
}
