// Login accounts of the portal (merchants) and the console (operators): the same columns on both tables
// (migration 016), so one set of queries serves both. Table and column names come from the fixed map below,
// never from input.
import type { Tx } from './db.js';
import type { AccountKind } from './portal-sessions-repo.js';

export interface AccountRow {
  id: string;
  username: string;
  /** null: an operator made with `operator create <name>` (API token only, no console login). */
  password_hash: string | null;
  must_change_password: boolean;
  failed_logins: number;
  locked_until: Date | null;
  totp_secret_sealed: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string;
  /** 'merchant' for merchants; the operator's role otherwise. */
  role: 'merchant' | 'admin' | 'support';
  disabled_at: Date | null;
}

const TABLE: Record<AccountKind, { table: string; columns: string }> = {
  merchant: {
    table: 'merchants',
    columns: `id, username, password_hash, must_change_password, failed_logins, locked_until, totp_secret_sealed,
      totp_enabled_at, totp_last_step, 'merchant' AS role, NULL::timestamptz AS disabled_at`,
  },
  operator: {
    table: 'operators',
    columns: `id, name AS username, password_hash, must_change_password, failed_logins, locked_until,
      totp_secret_sealed, totp_enabled_at, totp_last_step, role, disabled_at`,
  },
};

const idOk = (id: string) => /^[0-9]{1,18}$/.test(id);

export async function accountByUsername(tx: Tx, kind: AccountKind, username: string): Promise<AccountRow | undefined> {
  const t = TABLE[kind];
  const col = kind === 'merchant' ? 'username' : 'name';
  const { rows } = await tx.query<AccountRow>(`SELECT ${t.columns} FROM ${t.table} WHERE ${col} = $1`, [username]);
  return rows[0];
}

export async function accountById(tx: Tx, kind: AccountKind, id: string): Promise<AccountRow | undefined> {
  if (!idOk(id)) return undefined;
  const t = TABLE[kind];
  const { rows } = await tx.query<AccountRow>(`SELECT ${t.columns} FROM ${t.table} WHERE id = $1`, [id]);
  return rows[0];
}

/**
 * Takes one attempt from the account's allowance before a password or code is checked, so that parallel
 * guesses cannot all slip through while the first is being verified. Returns the attempt's number, or
 * undefined when the account is locked (or the allowance is used up).
 */
export async function reserveAttempt(
  tx: Tx,
  kind: AccountKind,
  id: string,
  now: Date,
  limit: number,
): Promise<number | undefined> {
  const { rows } = await tx.query<{ failed_logins: number }>(
    `UPDATE ${TABLE[kind].table} SET failed_logins = failed_logins + 1
      WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) AND failed_logins < $3
      RETURNING failed_logins`,
    [id, now, limit],
  );
  return rows[0]?.failed_logins;
}

/** The last allowed attempt failed: locked until `until`, and the count starts again after it. */
export async function lockAccount(tx: Tx, kind: AccountKind, id: string, until: Date): Promise<void> {
  await tx.query(`UPDATE ${TABLE[kind].table} SET locked_until = $2, failed_logins = 0 WHERE id = $1`, [id, until]);
}

export async function clearFailures(tx: Tx, kind: AccountKind, id: string): Promise<void> {
  await tx.query(`UPDATE ${TABLE[kind].table} SET failed_logins = 0, locked_until = NULL WHERE id = $1`, [id]);
}

export async function setPassword(
  tx: Tx,
  kind: AccountKind,
  id: string,
  hash: string,
  mustChange: boolean,
  at: Date,
): Promise<void> {
  const touch = kind === 'merchant' ? ', updated_at = $4' : '';
  await tx.query(
    `UPDATE ${TABLE[kind].table} SET password_hash = $2, must_change_password = $3${touch} WHERE id = $1`,
    kind === 'merchant' ? [id, hash, mustChange, at] : [id, hash, mustChange],
  );
}

/** Turns TOTP on (sealed secret) or off (null). */
export async function setTotp(
  tx: Tx,
  kind: AccountKind,
  id: string,
  sealed: string | null,
  at: Date | null,
  step: number,
): Promise<void> {
  await tx.query(
    `UPDATE ${TABLE[kind].table} SET totp_secret_sealed = $2, totp_enabled_at = $3, totp_last_step = $4 WHERE id = $1`,
    [id, sealed, at, step],
  );
}

/** Records the time step of an accepted code; false when that step (or a later one) was used already. */
export async function useTotpStep(tx: Tx, kind: AccountKind, id: string, step: number): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE ${TABLE[kind].table} SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`,
    [id, step],
  );
  return rowCount === 1;
}

export async function replaceRecoveryCodes(
  tx: Tx,
  kind: AccountKind,
  id: string,
  digests: string[],
  at: Date,
): Promise<void> {
  await tx.query('DELETE FROM recovery_codes WHERE account_kind = $1 AND account_id = $2', [kind, id]);
  await tx.query(
    `INSERT INTO recovery_codes (account_kind, account_id, digest, created_at)
     SELECT $1, $2, d, $4 FROM unnest($3::text[]) AS d`,
    [kind, id, digests, at],
  );
}

/** Spends a recovery code; false when it is unknown or already spent (two racing uses: one wins). */
export async function spendRecoveryCode(
  tx: Tx,
  kind: AccountKind,
  id: string,
  digest: string,
  at: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE recovery_codes SET used_at = $4
      WHERE account_kind = $1 AND account_id = $2 AND digest = $3 AND used_at IS NULL`,
    [kind, id, digest, at],
  );
  return rowCount === 1;
}

export async function unusedRecoveryCodes(tx: Tx, kind: AccountKind, id: string): Promise<number> {
  const { rows } = await tx.query<{ n: string }>(
    'SELECT count(*) AS n FROM recovery_codes WHERE account_kind = $1 AND account_id = $2 AND used_at IS NULL',
    [kind, id],
  );
  return Number(rows[0]!.n);
}
