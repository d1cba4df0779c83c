// Operator-set rates and per-merchant rate settings (migration 012).
import type { Tx } from './db.js';

export interface OperatorRateRow {
  base: string;
  quote: string;
  price: string;
  setAt: Date;
}

export async function upsertOperatorRate(tx: Tx, r: OperatorRateRow): Promise<void> {
  await tx.query(
    `INSERT INTO operator_rates (base, quote, price, set_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (base, quote) DO UPDATE SET price = excluded.price, set_at = excluded.set_at`,
    [r.base, r.quote, r.price, r.setAt],
  );
}

export async function deleteOperatorRate(tx: Tx, base: string, quote: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM operator_rates WHERE base = $1 AND quote = $2', [base, quote]);
  return (rowCount ?? 0) > 0;
}

export async function operatorRates(tx: Tx): Promise<OperatorRateRow[]> {
  const { rows } = await tx.query<{ base: string; quote: string; price: string; set_at: Date }>(
    'SELECT base, quote, price, set_at FROM operator_rates ORDER BY base, quote',
  );
  return rows.map((r) => ({ base: r.base, quote: r.quote, price: r.price, setAt: r.set_at }));
}

export interface MerchantRateSettings {
  spreadBps: number | null;
  exchangeFeeBps: number | null;
}

export async function merchantRateSettings(tx: Tx, merchantId: string): Promise<MerchantRateSettings> {
  const { rows } = await tx.query<{ spread_bps: number | null; exchange_fee_bps: number | null }>(
    'SELECT spread_bps, exchange_fee_bps FROM merchant_rate_settings WHERE merchant_id = $1',
    [merchantId],
  );
  return { spreadBps: rows[0]?.spread_bps ?? null, exchangeFeeBps: rows[0]?.exchange_fee_bps ?? null };
}

/** Sets the fields given (undefined keeps, null returns to the default). */
export async function updateMerchantRateSettings(
  tx: Tx,
  merchantId: string,
  s: Partial<MerchantRateSettings>,
): Promise<MerchantRateSettings> {
  const { rows } = await tx.query<{ spread_bps: number | null; exchange_fee_bps: number | null }>(
    `INSERT INTO merchant_rate_settings (merchant_id, spread_bps, exchange_fee_bps) VALUES ($1, $2, $4)
     ON CONFLICT (merchant_id) DO UPDATE SET
       spread_bps = CASE WHEN $3 THEN excluded.spread_bps ELSE merchant_rate_settings.spread_bps END,
       exchange_fee_bps = CASE WHEN $5 THEN excluded.exchange_fee_bps ELSE merchant_rate_settings.exchange_fee_bps END
     RETURNING spread_bps, exchange_fee_bps`,
    [
      merchantId,
      s.spreadBps ?? null,
      s.spreadBps !== undefined,
      s.exchangeFeeBps ?? null,
      s.exchangeFeeBps !== undefined,
    ],
  );
  return { spreadBps: rows[0]!.spread_bps, exchangeFeeBps: rows[0]!.exchange_fee_bps };
}
