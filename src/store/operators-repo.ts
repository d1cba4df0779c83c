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
