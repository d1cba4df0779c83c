// Sessions of the merchant portal and the operator console (migration 016). The row's data is what
// @fastify/session keeps (the cookie's options, the CSRF secret, the login state); the account columns are
// copied out of it so that every session of one account can be ended at once.
import type { Tx } from './db.js';

export type AccountKind = 'merchant' | 'operator';

export interface SessionRowInput {
  sid: string;
  accountKind: AccountKind | null;
  accountId: string | null;
  data: unknown;
  expiresAt: Date;
  at: Date;
}

export async function readSession(tx: Tx, sid: string, now: Date): Promise<unknown | undefined> {
  const { rows } = await tx.query<{ data: unknown }>(
    'SELECT data FROM portal_sessions WHERE sid = $1 AND expires_at > $2',
    [sid, now],
  );
  return rows[0]?.data;
}

export async function writeSession(tx: Tx, s: SessionRowInput): Promise<void> {
  await tx.query(
    `INSERT INTO portal_sessions (sid, account_kind, account_id, data, expires_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (sid) DO UPDATE SET account_kind = $2, account_id = $3, data = $4, expires_at = $5, updated_at = $6`,
    [s.sid, s.accountKind, s.accountId, JSON.stringify(s.data), s.expiresAt, s.at],
  );
}

export async function deleteSession(tx: Tx, sid: string): Promise<void> {
  await tx.query('DELETE FROM portal_sessions WHERE sid = $1', [sid]);
}

/** Ends every session of one account, but the one given in `keep` (the caller's own, after a password change). */
export async function deleteAccountSessions(tx: Tx, kind: AccountKind, id: string, keep?: string): Promise<number> {
  const { rowCount } = await tx.query(
    'DELETE FROM portal_sessions WHERE account_kind = $1 AND account_id = $2 AND sid IS DISTINCT FROM $3',
    [kind, id, keep ?? null],
  );
  return rowCount ?? 0;
}

export async function countAccountSessions(tx: Tx, kind: AccountKind, id: string, now: Date): Promise<number> {
  const { rows } = await tx.query<{ n: string }>(
    'SELECT count(*) AS n FROM portal_sessions WHERE account_kind = $1 AND account_id = $2 AND expires_at > $3',
    [kind, id, now],
  );
  return Number(rows[0]!.n);
}

/** Expired rows are only garbage (readSession ignores them); deleted now and then, at a login. */
export async function purgeExpiredSessions(tx: Tx, now: Date): Promise<void> {
  await tx.query('DELETE FROM portal_sessions WHERE expires_at <= $1', [now]);
}
