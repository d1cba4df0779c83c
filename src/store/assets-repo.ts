import type { Tx } from './db.js';
import { AssetTable, type AssetRow } from '../domain/assets.js';

export async function loadAssets(db: Tx): Promise<AssetTable> {
  const { rows } = await db.query<AssetRow>('SELECT code, network, exponent, kind FROM assets ORDER BY code, network');
  return new AssetTable(rows);
}
