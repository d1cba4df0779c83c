import type { Tx } from './db.js';
import type { KeyFamily } from '../rails/crypto/derivation.js';

export interface DepositAddressRow {
  id: string;
  family: KeyFamily;
  derivation_index: number;
  address: string;
  merchant_id: string;
  user_id: string | null;
  order_id: string | null;
  purpose: 'user' | 'order';
  created_at: Date;
}

/** Serialises allocation for one owner (a merchant's user, or an order) inside the caller's transaction. */
export async function lockOwner(tx: Tx, owner: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(727002, hashtext($1))', [owner]);
}

export async function userAddresses(tx: Tx, merchantId: string, userId: string): Promise<DepositAddressRow[]> {
  const { rows } = await tx.query<DepositAddressRow>(
    `SELECT * FROM deposit_addresses WHERE merchant_id = $1 AND user_id = $2 AND purpose = 'user'`,
    [merchantId, userId],
  );
  return rows;
}

export async function orderAddresses(tx: Tx, orderId: string): Promise<DepositAddressRow[]> {
  const { rows } = await tx.query<DepositAddressRow>(`SELECT * FROM deposit_addresses WHERE order_id = $1`, [orderId]);
  return rows;
}

/** Takes the next derivation index of a family; the row lock keeps indexes gapless under concurrency. */
export async function nextIndex(tx: Tx, family: KeyFamily): Promise<number> {
  const { rows } = await tx.query<{ idx: number }>(
    'UPDATE derivation_counters SET next_index = next_index + 1 WHERE family = $1 RETURNING next_index - 1 AS idx',
    [family],
  );
  return rows[0]!.idx;
}

export async function insertAddress(
  tx: Tx,
  a: {
    family: KeyFamily;
    index: number;
    address: string;
    merchantId: string;
    userId: string | null;
    orderId: string | null;
    at: Date;
  },
): Promise<DepositAddressRow> {
  const { rows } = await tx.query<DepositAddressRow>(
    `INSERT INTO deposit_addresses (family, derivation_index, address, merchant_id, user_id, order_id, purpose,
    created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [a.family, a.index, a.address, a.merchantId, a.userId, a.orderId, a.userId ? 'user' : 'order', a.at],
  );
  return rows[0]!;
}
