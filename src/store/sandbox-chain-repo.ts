// The sandbox payout rail's pretend chain (migration 013): transactions by hash and a head height per network.
import type { Tx } from './db.js';

export interface SandboxTxRow {
  network: string;
  tx_hash: string;
  asset: string;
  from_address: string | null;
  to_address: string;
  amount: string;
  payout_id: string | null;
  state: 'pending' | 'included' | 'failed';
  block: string | null;
  settle_at: Date | null;
  forced: boolean;
  failure: string | null;
}

export async function chainHead(tx: Tx, network: string): Promise<bigint> {
  const { rows } = await tx.query<{ height: string }>('SELECT height FROM sandbox_chain_heads WHERE network = $1', [
    network,
  ]);
  return BigInt(rows[0]?.height ?? 0);
}

/** Adds `n` blocks; every pending transaction of the network goes into the first of them. */
export async function mineBlocks(tx: Tx, network: string, n: number): Promise<void> {
  await tx.query(
    `WITH h AS (INSERT INTO sandbox_chain_heads (network, height) VALUES ($1, $2)
                ON CONFLICT (network) DO UPDATE SET height = sandbox_chain_heads.height + $2
                RETURNING height)
     UPDATE sandbox_chain_txs SET state = 'included', block = (SELECT height FROM h) - $2 + 1
     WHERE network = $1 AND state = 'pending'`,
    [network, n],
  );
}

/** Stores a broadcast transaction once; the same hash again changes nothing (the same signed bytes). */
export async function insertChainTx(
  tx: Tx,
  t: {
    network: string;
    hash: string;
    asset: string;
    from: string | null;
    to: string;
    amount: bigint;
    payoutId: string | null;
    state: 'pending' | 'included';
    forced: boolean;
    settleAt: Date | null;
    at: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO sandbox_chain_txs (network, tx_hash, asset, from_address, to_address, amount, payout_id, state,
       block, settle_at, forced, at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,
       CASE WHEN $8 = 'included' THEN (SELECT coalesce(max(height), 0) FROM sandbox_chain_heads WHERE network = $1)
       END, $9, $10, $11)
     ON CONFLICT (network, tx_hash) DO NOTHING`,
    [t.network, t.hash, t.asset, t.from, t.to, t.amount.toString(), t.payoutId, t.state, t.settleAt, t.forced, t.at],
  );
}

export async function findChainTx(tx: Tx, network: string, hash: string): Promise<SandboxTxRow | undefined> {
  const { rows } = await tx.query<SandboxTxRow>('SELECT * FROM sandbox_chain_txs WHERE network = $1 AND tx_hash = $2', [
    network,
    hash,
  ]);
  return rows[0];
}

/** Confirms (deep at once) or fails a transaction that is not yet final; the outcome of the sandbox helper. */
export async function settleChainTx(
  tx: Tx,
  network: string,
  hash: string,
  outcome: 'included' | 'failed',
  failure: string | null,
): Promise<void> {
  await tx.query(
    `UPDATE sandbox_chain_txs SET state = $3, forced = ($3 = 'included'), failure = $4,
       block = CASE WHEN $3 = 'included' THEN coalesce(block,
         (SELECT coalesce(max(height), 0) FROM sandbox_chain_heads WHERE network = $1)) END
     WHERE network = $1 AND tx_hash = $2 AND state = 'pending'`,
    [network, hash, outcome, failure],
  );
}

/** Pending transactions whose delay is over become included, deep enough for any confirmation depth. */
export async function settleDue(tx: Tx, network: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE sandbox_chain_txs SET state = 'included', forced = true,
       block = (SELECT coalesce(max(height), 0) FROM sandbox_chain_heads WHERE network = $1)
     WHERE network = $1 AND state = 'pending' AND settle_at <= $2`,
    [network, now],
  );
}

/** What `address` holds of `asset`: received (confirmed or not) minus sent, failed transactions left out. */
export async function chainBalance(tx: Tx, network: string, address: string, asset: string, confirmedIn: boolean) {
  const { rows } = await tx.query<{ b: string }>(
    `SELECT coalesce(sum(CASE WHEN to_address = $2 AND (NOT $4 OR state = 'included') THEN amount ELSE 0 END), 0)
          - coalesce(sum(CASE WHEN from_address = $2 THEN amount ELSE 0 END), 0) AS b
     FROM sandbox_chain_txs WHERE network = $1 AND asset = $3 AND state <> 'failed'
       AND (to_address = $2 OR from_address = $2)`,
    [network, address, asset, confirmedIn],
  );
  return BigInt(rows[0]!.b);
}
