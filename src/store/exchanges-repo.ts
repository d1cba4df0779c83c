// Exchange records (migration 012): one per (merchant, merchantTradeNo), written in the transaction of the
// journal entry that moves the money.
import type { Tx } from './db.js';

export interface ExchangeRow {
  id: string;
  merchantId: string;
  merchantTradeNo: string;
  userId: string;
  fingerprint: string;
  sourceCurrency: string;
  sourceAmount: bigint;
  targetCurrency: string;
  targetAmount: bigint;
  fee: bigint;
  rate: string;
  rateSource: string;
  rateAt: Date;
  entryId: string;
  answer: string;
  createdAt: Date;
}

/** Inserts the record; false when (merchant, merchantTradeNo) exists (a concurrent twin waits, then yields). */
export async function insertExchange(tx: Tx, r: ExchangeRow): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO exchanges (id, merchant_id, merchant_trade_no, user_id, fingerprint, source_currency, source_amount,
       target_currency, target_amount, fee, rate, rate_source, rate_at, entry_id, answer, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (merchant_id, merchant_trade_no) DO NOTHING`,
    [
      r.id,
      r.merchantId,
      r.merchantTradeNo,
      r.userId,
      r.fingerprint,
      r.sourceCurrency,
      r.sourceAmount.toString(),
      r.targetCurrency,
      r.targetAmount.toString(),
      r.fee.toString(),
      r.rate,
      r.rateSource,
      r.rateAt,
      r.entryId,
      r.answer,
      r.createdAt,
    ],
  );
  return (rowCount ?? 0) > 0;
}

export async function findExchange(
  tx: Tx,
  merchantId: string,
  merchantTradeNo: string,
): Promise<{ fingerprint: string; answer: string } | undefined> {
  const { rows } = await tx.query<{ fingerprint: string; answer: string }>(
    'SELECT fingerprint, answer FROM exchanges WHERE merchant_id = $1 AND merchant_trade_no = $2',
    [merchantId, merchantTradeNo],
  );
  return rows[0];
}
