// Every process sharing a database must seal secrets with the same master key; a process started with
// another key (e.g. a second host that generated its own) would fail to open them later. Refuse early.
import { createHmac } from 'node:crypto';
import type { Tx } from './db.js';

export async function assertMasterKeyMatches(db: Tx, masterKey: Buffer): Promise<void> {
  const fingerprint = createHmac('sha256', masterKey).update('tender master key fingerprint v1').digest('hex');
  await db.query(
    `INSERT INTO instance_settings (name, value) VALUES ('master_key_fingerprint', $1) ON CONFLICT (name) DO NOTHING`,
    [fingerprint],
  );
  const { rows } = await db.query<{ value: string }>(
    `SELECT value FROM instance_settings WHERE name = 'master_key_fingerprint'`,
  );
  if (rows[0]?.value !== fingerprint) {
    throw new Error(
      'TENDER_MASTER_KEY does not match the key this database was set up with; give every Tender ' +
        'process the same TENDER_MASTER_KEY',
    );
  }
}
