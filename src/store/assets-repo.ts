import type { Tx } from './db.js';
import { AssetTable, type AssetRow } from '../domain/assets.js';
import { parseDecimal } from '../domain/money.js';

/**
 * The exponent table with each currency's maximum order amount; `maxAmounts` (major units by currency code,
 * from TENDER_MAX_AMOUNTS) replaces the database defaults.
 */
export async function loadAssets(db: Tx, maxAmounts: Record<string, string> = {}): Promise<AssetTable> {
  const { rows } = await db.query<Omit<AssetRow, 'maxAmount'> & { max_amount: string | null }>(
    'SELECT code, network, exponent, kind, max_amount FROM assets ORDER BY code, network',
  );
  const known = new Set(rows.filter((r) => r.network === '').map((r) => r.code));
  for (const code of Object.keys(maxAmounts)) {
    if (!known.has(code)) throw new Error(`TENDER_MAX_AMOUNTS names ${code}, which is not a currency of this install`);
  }
  return new AssetTable(
    rows.map(({ max_amount, ...r }) => {
      const override = r.network === '' ? maxAmounts[r.code] : undefined;
      const maxAmount =
        override !== undefined
          ? parseDecimal(override, r.exponent, `TENDER_MAX_AMOUNTS ${r.code}`)
          : max_amount === null
            ? null
            : BigInt(max_amount);
      if (maxAmount !== null && maxAmount <= 0n) throw new Error(`TENDER_MAX_AMOUNTS ${r.code} must be above zero`);
      return { ...r, maxAmount };
    }),
  );
}
