// Card payments, stored cards, reserves and per-merchant card settings (migration 020, docs/cards.md).
import type { Tx } from './db.js';

export type CardFlow = 'hosted' | 'pwpp_v1' | 'pwpp_v2';
export type CardState = 'awaiting_card' | 'authorising' | 'challenge' | 'captured' | 'declined' | 'failed';

export interface CardPaymentRow {
  order_id: string;
  merchant_id: string;
  flow: CardFlow;
  channel: string;
  tx_mode: string | null;
  acquirer: string;
  state: CardState;
  acquirer_ref: string | null;
  decline_reason: string | null;
  card_bin: string | null;
  card_last4: string | null;
  card_brand: string | null;
  country: string;
  store_card: boolean;
  stored_card_id: string | null;
  acs_url: string | null;
  acs_creq: string | null;
  ret_url: string | null;
  created_at: Date;
  updated_at: Date;
}

export type NewCardPayment = Pick<
  CardPaymentRow,
  'order_id' | 'merchant_id' | 'flow' | 'channel' | 'tx_mode' | 'acquirer' | 'state' | 'country' | 'store_card'
> &
  Partial<Pick<CardPaymentRow, 'card_bin' | 'card_last4' | 'card_brand' | 'stored_card_id' | 'ret_url'>>;

/** Inserts the card facts of a new order (the order's own transaction); a replayed order keeps its row. */
export async function insertCardPayment(tx: Tx, c: NewCardPayment, at: Date): Promise<void> {
  await tx.query(
    `INSERT INTO card_payments (order_id, merchant_id, flow, channel, tx_mode, acquirer, state, country, store_card,
       card_bin, card_last4, card_brand, stored_card_id, ret_url, created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$15) ON CONFLICT (order_id) DO NOTHING`,
    [
      c.order_id,
      c.merchant_id,
      c.flow,
      c.channel,
      c.tx_mode,
      c.acquirer,
      c.state,
      c.country,
      c.store_card,
      c.card_bin ?? null,
      c.card_last4 ?? null,
      c.card_brand ?? null,
      c.stored_card_id ?? null,
      c.ret_url ?? null,
      at,
    ],
  );
}

export async function findCardPayment(tx: Tx, orderId: string, forUpdate = false): Promise<CardPaymentRow | undefined> {
  const { rows } = await tx.query<CardPaymentRow>(
    `SELECT * FROM card_payments WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows[0];
}

export type CardPatch = Partial<
  Pick<
    CardPaymentRow,
    | 'state'
    | 'acquirer_ref'
    | 'decline_reason'
    | 'card_bin'
    | 'card_last4'
    | 'card_brand'
    | 'stored_card_id'
    | 'acs_url'
    | 'acs_creq'
    | 'store_card'
  >
>;

/** Compare-and-set on the state: false when the row was no longer in `from`. */
export async function updateCardPayment(
  tx: Tx,
  orderId: string,
  from: CardState,
  patch: CardPatch,
  at: Date,
): Promise<boolean> {
  const cols = Object.keys(patch);
  const sets = cols.map((c, i) => `${c} = $${i + 4}`).join(', ');
  const { rowCount } = await tx.query(
    `UPDATE card_payments SET updated_at = $3${sets ? `, ${sets}` : ''} WHERE order_id = $1 AND state = $2`,
    [orderId, from, at, ...cols.map((c) => (patch as Record<string, unknown>)[c])],
  );
  return rowCount === 1;
}

export interface CardSettings {
  reserveBps: number;
  holdDays: number;
  /** null: the mode's default (on in sandbox, off in live). */
  storageEnabled: boolean | null;
}

export async function cardSettings(tx: Tx, merchantId: string): Promise<CardSettings> {
  const { rows } = await tx.query<{ reserve_bps: number; hold_days: number; storage_enabled: boolean | null }>(
    'SELECT reserve_bps, hold_days, storage_enabled FROM card_settings WHERE merchant_id = $1',
    [merchantId],
  );
  const r = rows[0];
  return r
    ? { reserveBps: r.reserve_bps, holdDays: r.hold_days, storageEnabled: r.storage_enabled }
    : { reserveBps: 0, holdDays: 90, storageEnabled: null };
}

export async function setCardSettings(tx: Tx, merchantId: string, s: CardSettings, at: Date): Promise<void> {
  await tx.query(
    `INSERT INTO card_settings (merchant_id, reserve_bps, hold_days, storage_enabled, updated_at)
     VALUES ($1,$2,$3,$4,$5) ON CONFLICT (merchant_id) DO UPDATE SET reserve_bps = $2, hold_days = $3,
       storage_enabled = $4, updated_at = $5`,
    [merchantId, s.reserveBps, s.holdDays, s.storageEnabled, at],
  );
}

export async function insertReserve(
  tx: Tx,
  r: {
    orderId: string;
    merchantId: string;
    currency: string;
    amount: bigint;
    reserveBps: number;
    entryId: string;
    at: Date;
    releaseAt: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO card_reserves (order_id, merchant_id, currency, amount, reserve_bps, entry_id, reserved_at, release_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
    [r.orderId, r.merchantId, r.currency, r.amount.toString(), r.reserveBps, r.entryId, r.at, r.releaseAt],
  );
}

export interface VaultRow {
  id: string;
  merchant_id: string;
  user_id: string;
  pan_sealed: string;
  bin: string;
  last4: string;
  brand: 'VISA' | 'MASTER';
  exp_month: number;
  exp_year: number;
}

/** Stores a card once per (merchant, user, number): answers the id of the row kept. */
export async function insertVaultCard(
  tx: Tx,
  v: Omit<VaultRow, 'id'> & { id: string; pan_mac: string },
  at: Date,
): Promise<string> {
  await tx.query(
    `INSERT INTO card_vault (id, merchant_id, user_id, pan_sealed, pan_mac, bin, last4, brand, exp_month, exp_year,
       created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
     ON CONFLICT (merchant_id, user_id, pan_mac) DO NOTHING`,
    [v.id, v.merchant_id, v.user_id, v.pan_sealed, v.pan_mac, v.bin, v.last4, v.brand, v.exp_month, v.exp_year, at],
  );
  const { rows } = await tx.query<{ id: string }>(
    'SELECT id FROM card_vault WHERE merchant_id = $1 AND user_id = $2 AND pan_mac = $3',
    [v.merchant_id, v.user_id, v.pan_mac],
  );
  return rows[0]!.id;
}

export async function findVaultCard(
  tx: Tx,
  merchantId: string,
  userId: string,
  id: string,
): Promise<VaultRow | undefined> {
  const { rows } = await tx.query<VaultRow>(
    `SELECT id, merchant_id, user_id, pan_sealed, bin, last4, brand, exp_month, exp_year FROM card_vault
     WHERE id = $1 AND merchant_id = $2 AND user_id = $3`,
    [id, merchantId, userId],
  );
  return rows[0];
}

/** The card payment whose 3-D Secure challenge is `creq` (the sandbox ACS page's way to the order). */
export async function findCardPaymentByCreq(tx: Tx, creq: string): Promise<CardPaymentRow | undefined> {
  const { rows } = await tx.query<CardPaymentRow>('SELECT * FROM card_payments WHERE acs_creq = $1', [creq]);
  return rows[0];
}
