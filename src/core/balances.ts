// Merchant balances as the ledger holds them: one row per currency, available and frozen.
import type { Deps } from './deps.js';
import { merchantBalances } from '../store/ledger-repo.js';

export interface BalanceRow {
  currency: string;
  exponent: number;
  available: bigint;
  frozen: bigint;
}

export async function getBalances(deps: Deps, merchantId: string): Promise<BalanceRow[]> {
  const rows = await merchantBalances(deps.db, merchantId);
  const byCurrency = new Map<string, BalanceRow>();
  for (const a of deps.assets.ledgerCurrencies())
    byCurrency.set(a.code, { currency: a.code, exponent: a.exponent, available: 0n, frozen: 0n });
  for (const r of rows) {
    const b = byCurrency.get(r.currency);
    if (!b) continue;
    if (r.kind === 'merchant_available') b.available += r.balance;
    else if (r.kind === 'merchant_frozen') b.frozen += r.balance;
  }
  return [...byCurrency.values()];
}
