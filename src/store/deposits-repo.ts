// Chain watcher state: cursors per network and the deposits seen on chain.
import type { Tx } from './db.js';
import type { DepositAddressRow } from './addresses-repo.js';

export interface ChainDepositRow {
  id: string;
  network: string;
  tx_hash: string;
  log_index: number;
  block_number: string;
  block_hash: string;
  address: string;
  asset: string;
  chain_amount: string;
  amount: string;
  order_id: string | null;
  merchant_id: string;
  status: 'seen' | 'confirmed' | 'reorged';
  seen_at: Date;
  confirmed_at: Date | null;
  updated_at: Date;
}

export async function getCursor(tx: Tx, network: string): Promise<bigint | undefined> {
  const { rows } = await tx.query<{ next_block: string }>('SELECT next_block FROM chain_cursors WHERE network = $1', [
    network,
  ]);
  return rows[0] ? BigInt(rows[0].next_block) : undefined;
}

export async function setCursor(tx: Tx, network: string, nextBlock: bigint, at: Date): Promise<void> {
  await tx.query(
    `INSERT INTO chain_cursors (network, next_block, updated_at) VALUES ($1, $2, $3)
                  ON CONFLICT (network) DO UPDATE SET next_block = EXCLUDED.next_block,
                  updated_at = EXCLUDED.updated_at`,
    [network, nextBlock.toString(), at],
  );
}

export async function familyAddresses(tx: Tx, family: string): Promise<Pick<DepositAddressRow, 'address'>[]> {
  const { rows } = await tx.query<{ address: string }>('SELECT address FROM deposit_addresses WHERE family = $1', [
    family,
  ]);
  return rows;
}

export async function findAddress(tx: Tx, family: string, address: string): Promise<DepositAddressRow | undefined> {
  const { rows } = await tx.query<DepositAddressRow>(
    'SELECT * FROM deposit_addresses WHERE family = $1 AND address = $2',
    [family, address],
  );
  return rows[0];
}

export interface NewDeposit {
  network: string;
  txHash: string;
  logIndex: number;
  blockNumber: bigint;
  blockHash: string;
  address: string;
  asset: string;
  chainAmount: bigint;
  amount: bigint;
  orderId: string | null;
  merchantId: string;
  at: Date;
}

/**
 * Records a deposit. Returns the row when it is new, or when a deposit taken back by a re-org (or seen in
 * a block that has since been replaced) shows up again in a canonical block; otherwise undefined (already
 * known, or already confirmed).
 */
export async function upsertSeen(tx: Tx, d: NewDeposit): Promise<ChainDepositRow | undefined> {
  const { rows } = await tx.query<ChainDepositRow>(
    `INSERT INTO chain_deposits (network, tx_hash, log_index, block_number, block_hash, address, asset, chain_amount,
    amount, order_id, merchant_id, status, seen_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'seen', $12, $12)
     ON CONFLICT (network, tx_hash, log_index) DO UPDATE
       SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, status = 'seen',
       updated_at = EXCLUDED.updated_at
       WHERE chain_deposits.status = 'reorged' OR (chain_deposits.status = 'seen'
       AND chain_deposits.block_hash <> EXCLUDED.block_hash)
     RETURNING *`,
    [
      d.network,
      d.txHash,
      d.logIndex,
      d.blockNumber.toString(),
      d.blockHash,
      d.address,
      d.asset,
      d.chainAmount.toString(),
      d.amount.toString(),
      d.orderId,
      d.merchantId,
      d.at,
    ],
  );
  return rows[0];
}

export async function depositById(tx: Tx, id: string, forUpdate = false): Promise<ChainDepositRow | undefined> {
  const { rows } = await tx.query<ChainDepositRow>(
    `SELECT * FROM chain_deposits WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/**
 * Deposits seen but not yet confirmed, oldest block first. With `now`, those whose crediting failed are left
 * out until their retry time (work_failures kind 'deposit-confirm').
 */
export async function unconfirmedDeposits(tx: Tx, network: string, now?: Date): Promise<ChainDepositRow[]> {
  const { rows } = await tx.query<ChainDepositRow>(
    `SELECT * FROM chain_deposits d WHERE network = $1 AND status = 'seen'
       AND ($2::timestamptz IS NULL OR NOT EXISTS (SELECT 1 FROM work_failures f
         WHERE f.kind = 'deposit-confirm' AND f.item_id = d.id::text AND f.retry_at > $2))
     ORDER BY block_number, id`,
    [network, now ?? null],
  );
  return rows;
}

export async function setDepositStatus(
  tx: Tx,
  id: string,
  from: 'seen',
  to: 'confirmed' | 'reorged',
  orderId: string | null,
  at: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE chain_deposits SET status = $3, order_id = COALESCE($4, order_id), confirmed_at = CASE
    WHEN $3 = 'confirmed' THEN $5::timestamptz ELSE confirmed_at END, updated_at = $5
     WHERE id = $1 AND status = $2`,
    [id, from, to, orderId, at],
  );
  return rowCount === 1;
}
