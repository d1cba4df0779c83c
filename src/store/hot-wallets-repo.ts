// Operator hot wallets, one per chain family; the private key is sealed with the master key (migration 013).
import type { Tx } from './db.js';

export interface HotWalletRow {
  family: 'evm' | 'tron' | 'bitcoin';
  public_key: string;
  key_sealed: string;
  created_at: Date;
}

/** Inserts the family's wallet unless one exists; answers whether it was created. */
export async function insertHotWallet(
  tx: Tx,
  w: { family: string; publicKey: string; keySealed: string; at: Date },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO hot_wallets (family, public_key, key_sealed, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (family) DO NOTHING`,
    [w.family, w.publicKey, w.keySealed, w.at],
  );
  return (rowCount ?? 0) > 0;
}

export async function hotWallets(tx: Tx): Promise<HotWalletRow[]> {
  const { rows } = await tx.query<HotWalletRow>('SELECT * FROM hot_wallets ORDER BY family');
  return rows;
}

export async function hasHotWallet(tx: Tx, family: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM hot_wallets WHERE family = $1', [family]);
  return rows.length > 0;
}
