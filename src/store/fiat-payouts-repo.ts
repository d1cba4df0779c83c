// Fiat payout rows (migration 014): the order (kind 'fiat_payout') with its payouts row (kind 'fiat'), the sealed
// destination account, and the rail's submission record.
import type { Tx } from './db.js';
import { ORDER_COLUMNS, toOrder, type NewOrder, type OrderRow } from './orders-repo.js';
import type { Order } from '../domain/order.js';
import type { NewPayout, PayoutRow } from './payouts-repo.js';

export interface NewFiatAccount {
  channel: 1 | 2;
  accountType: string | null;
  sealed: string;
  masked: string;
  bankCode: string | null;
  country: string;
}

export interface NewFiatOrder extends NewOrder {
  remark: string;
  extInfo: string;
}

/**
 * Inserts the order at status 11 (seed 001 §5 answers "11" at acceptance) with its event, the payouts row and the
 * sealed account in one statement; undefined when the merchant already has a fiat payout with this merchantTradeNo.
 */
export async function insertFiatPayoutOrder(
  tx: Tx,
  o: NewFiatOrder,
  p: NewPayout,
  a: NewFiatAccount,
): Promise<(Order & { requestDigest: string }) | undefined> {
  const { rows } = await tx.query<OrderRow>(
    `WITH ins AS (
       INSERT INTO orders (id, merchant_id, merchant_trade_no, kind, dialect, request_digest, user_id, currency,
         amount, amount_text, status, callback_url, success_url, fail_url, remark, ext_info, pay_code, watch_code,
         create_time_ms, expires_at, created_at, updated_at, fee, received_amount, paid_amount)
       VALUES ($1,$2,$3,'fiat_payout',$4,$5,$6,$7,$8,$9,11,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$19,$20,$21,$8)
       ON CONFLICT (merchant_id, merchant_trade_no, kind) DO NOTHING
       RETURNING ${ORDER_COLUMNS}),
     ev AS (INSERT INTO order_events (order_id, from_status, to_status, reason, at)
            SELECT id, NULL, 11, 'fiat payout accepted', $19 FROM ins),
     pay AS (INSERT INTO payouts (order_id, merchant_id, kind, rail, network, asset, to_address, total, fee, received,
               chain_amount, approvals_needed, stage, reason, next_try_at, created_at, updated_at)
             SELECT id, merchant_id, 'fiat', $22, $23, $7, $24, $8, $20, $21, $21, $25::smallint,
               CASE WHEN $25::smallint > 0 THEN 'approval' ELSE 'ready' END,
               CASE WHEN $25::smallint > 0 THEN 'awaiting_approval' END, $19, $19, $19 FROM ins),
     acc AS (INSERT INTO fiat_payout_accounts (payout_id, channel, account_type, account_sealed, account_masked,
               bank_code, country)
             SELECT id, $26, $27, $28, $24, $29, $30 FROM ins)
     SELECT * FROM ins`,
    [
      o.id,
      o.merchantId,
      o.merchantTradeNo,
      o.dialect,
      o.requestDigest,
      o.userId,
      o.currency,
      o.amount.toString(),
      o.amountText,
      o.callbackUrl,
      o.successUrl,
      o.failUrl,
      o.remark,
      o.extInfo,
      o.payCode,
      o.watchCode,
      o.createTimeMs,
      o.expiresAt,
      o.at,
      p.fee.toString(),
      p.received.toString(),
      p.rail,
      p.network,
      a.masked,
      p.approvalsNeeded,
      a.channel,
      a.accountType,
      a.sealed,
      a.bankCode,
      a.country,
    ],
  );
  return rows[0] ? toOrder(rows[0]) : undefined;
}

export interface FiatAccountRow {
  payout_id: string;
  channel: number;
  account_type: string | null;
  account_sealed: string;
  account_masked: string;
  bank_code: string | null;
  country: string;
}

export async function fiatAccountOf(tx: Tx, payoutId: string): Promise<FiatAccountRow | undefined> {
  const { rows } = await tx.query<FiatAccountRow>('SELECT * FROM fiat_payout_accounts WHERE payout_id = $1', [
    payoutId,
  ]);
  return rows[0];
}

/** Ready fiat payouts that are due, oldest first. */
export async function readyFiatPayoutIds(tx: Tx, now: Date, limit: number): Promise<string[]> {
  const { rows } = await tx.query<{ order_id: string }>(
    `SELECT order_id FROM payouts WHERE stage = 'ready' AND kind = 'fiat' AND next_try_at <= $1
     ORDER BY next_try_at LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.order_id);
}

/** Locks one fiat payout if it is still ready and due; undefined when it moved or another sender holds it. */
export async function lockReadyFiatPayout(tx: Tx, orderId: string, now: Date): Promise<PayoutRow | undefined> {
  const { rows } = await tx.query<PayoutRow>(
    `SELECT * FROM payouts WHERE order_id = $1 AND kind = 'fiat' AND stage = 'ready' AND next_try_at <= $2
     FOR UPDATE SKIP LOCKED`,
    [orderId, now],
  );
  return rows[0];
}

export interface SubmissionRow {
  payout_id: string;
  rail: string;
  ref: string;
  state: 'submitted' | 'succeeded' | 'failed';
  failure: string | null;
  submitted_at: Date;
}

/** Records the rail's reference (or keeps the one recorded) and shows it on the order as its `hash`. */
export async function recordSubmission(tx: Tx, payoutId: string, rail: string, ref: string, at: Date): Promise<void> {
  await tx.query(
    `INSERT INTO fiat_payout_submissions (payout_id, rail, ref, state, submitted_at, updated_at)
     VALUES ($1, $2, $3, 'submitted', $4, $4)
     ON CONFLICT (payout_id) DO UPDATE SET ref = EXCLUDED.ref, updated_at = EXCLUDED.updated_at
       WHERE fiat_payout_submissions.state = 'submitted'`,
    [payoutId, rail, ref, at],
  );
  await tx.query('UPDATE orders SET hash = $2 WHERE id = $1', [payoutId, ref]);
}

export async function submissionOf(tx: Tx, payoutId: string): Promise<SubmissionRow | undefined> {
  const { rows } = await tx.query<SubmissionRow>('SELECT * FROM fiat_payout_submissions WHERE payout_id = $1', [
    payoutId,
  ]);
  return rows[0];
}

/** Submissions still waiting for the rail's verdict, least recently looked at first. */
export async function openSubmissions(tx: Tx, limit: number): Promise<SubmissionRow[]> {
  const { rows } = await tx.query<SubmissionRow>(
    `SELECT * FROM fiat_payout_submissions WHERE state = 'submitted' ORDER BY updated_at LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Marks a submission looked at, so the next pass starts with the others. */
export async function touchSubmission(tx: Tx, payoutId: string, at: Date): Promise<void> {
  await tx.query(`UPDATE fiat_payout_submissions SET updated_at = $2 WHERE payout_id = $1 AND state = 'submitted'`, [
    payoutId,
    at,
  ]);
}

/** Compare-and-set submitted → succeeded | failed; false when another sender recorded the verdict first. */
export async function settleSubmission(
  tx: Tx,
  payoutId: string,
  to: 'succeeded' | 'failed',
  failure: string | null,
  at: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE fiat_payout_submissions SET state = $2, failure = $3, settled_at = $4, updated_at = $4
     WHERE payout_id = $1 AND state = 'submitted'`,
    [payoutId, to, failure, at],
  );
  return (rowCount ?? 0) > 0;
}
