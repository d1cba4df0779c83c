// The key that signs portal and console session cookies: made once per installation (sealed with the
// master key in instance_settings), so every process accepts every other's cookies and restarts keep them.
import type { Tx } from './db.js';

export async function cookieKeySealed(tx: Tx, candidateSealed: string): Promise<string> {
  await tx.query(
    `INSERT INTO instance_settings (name, value) VALUES ('portal_cookie_key', $1) ON CONFLICT (name) DO NOTHING`,
    [candidateSealed],
  );
  const { rows } = await tx.query<{ value: string }>(
    `SELECT value FROM instance_settings WHERE name = 'portal_cookie_key'`,
  );
  return rows[0]!.value;
}
