// Per-merchant counts of the signature recipe each signed request matched (migration 010).
import type { Tx } from './db.js';

export interface RecipeCount {
  merchantId: string;
  recipe: string;
  count: number;
  lastSeen: Date;
}

/** Adds the counts in one statement. Callers pass rows sorted by (merchant, recipe): one lock order. */
export async function addRecipeCounts(tx: Tx, rows: readonly RecipeCount[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO merchant_signature_recipes AS t (merchant_id, recipe, count, last_seen_at)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::timestamptz[])
     ON CONFLICT (merchant_id, recipe) DO UPDATE
       SET count = t.count + EXCLUDED.count, last_seen_at = GREATEST(t.last_seen_at, EXCLUDED.last_seen_at)`,
    [rows.map((r) => r.merchantId), rows.map((r) => r.recipe), rows.map((r) => r.count), rows.map((r) => r.lastSeen)],
  );
}

export async function recipeCountsOf(
  tx: Tx,
  merchantId: string,
): Promise<{ recipe: string; count: string; last_seen_at: Date }[]> {
  const { rows } = await tx.query<{ recipe: string; count: string; last_seen_at: Date }>(
    'SELECT recipe, count, last_seen_at FROM merchant_signature_recipes WHERE merchant_id = $1',
    [merchantId],
  );
  return rows;
}
