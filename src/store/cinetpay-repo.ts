// SQL of the CinetPay dialect: sites (credentials), per-order dialect data.
import type { Tx } from './db.js';

export interface CinetpaySiteRow {
  site_id: string;
  merchant_id: string;
  apikey_digest: string;
  /** Sealed copy of the apikey (migration 018); null when issued before it (digest only). */
  apikey_sealed: string | null;
  notify_secret_sealed: string;
  created_at: Date;
  rotated_at: Date | null;
}

export async function insertSite(
  tx: Tx,
  s: { merchantId: string; apikeyDigest: string; apikeySealed: string; notifySecretSealed: string; at: Date },
): Promise<CinetpaySiteRow> {
  const { rows } = await tx.query<CinetpaySiteRow>(
    `INSERT INTO cinetpay_sites (merchant_id, apikey_digest, notify_secret_sealed, created_at, apikey_sealed)
     VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [s.merchantId, s.apikeyDigest, s.notifySecretSealed, s.at, s.apikeySealed],
  );
  return rows[0]!;
}

export async function findSite(tx: Tx, siteId: string): Promise<CinetpaySiteRow | undefined> {
  if (!/^[0-9]{1,18}$/.test(siteId)) return undefined;
  const { rows } = await tx.query<CinetpaySiteRow>('SELECT * FROM cinetpay_sites WHERE site_id = $1', [siteId]);
  return rows[0];
}

export async function findSiteByApikeyDigest(tx: Tx, digest: string): Promise<CinetpaySiteRow | undefined> {
  const { rows } = await tx.query<CinetpaySiteRow>('SELECT * FROM cinetpay_sites WHERE apikey_digest = $1', [digest]);
  return rows[0];
}

export async function sitesOfMerchant(tx: Tx, merchantId: string): Promise<CinetpaySiteRow[]> {
  const { rows } = await tx.query<CinetpaySiteRow>(
    'SELECT * FROM cinetpay_sites WHERE merchant_id = $1 ORDER BY created_at, site_id',
    [merchantId],
  );
  return rows;
}

export async function replaceSiteCredentials(
  tx: Tx,
  siteId: string,
  apikeyDigest: string,
  notifySecretSealed: string,
  at: Date,
  apikeySealed: string,
): Promise<CinetpaySiteRow | undefined> {
  const { rows } = await tx.query<CinetpaySiteRow>(
    `UPDATE cinetpay_sites SET apikey_digest = $2, notify_secret_sealed = $3, rotated_at = $4, apikey_sealed = $5
      WHERE site_id = $1 RETURNING *`,
    [siteId, apikeyDigest, notifySecretSealed, at, apikeySealed],
  );
  return rows[0];
}

export interface CinetpayOrderRow {
  order_id: string;
  site_id: string;
  transaction_id: string;
  channels: string[];
  lang: 'fr' | 'en';
  description: string;
  metadata: string | null;
  notify_url: string;
  return_url: string;
  invoice_data: Record<string, unknown> | null;
  lock_phone_number: boolean;
  customer: Record<string, string>;
  created_at: Date;
}

export interface NewCinetpayOrder {
  orderId: string;
  siteId: string;
  transactionId: string;
  channels: string[];
  lang: 'fr' | 'en';
  description: string;
  metadata: string | null;
  notifyUrl: string;
  returnUrl: string;
  invoiceData: Record<string, unknown> | null;
  lockPhoneNumber: boolean;
  customer: Record<string, string>;
  at: Date;
}

/** Inserts the dialect data of an order once; a retried initialisation finds the row already there. */
export async function insertCinetpayOrder(tx: Tx, o: NewCinetpayOrder): Promise<void> {
  await tx.query(
    `INSERT INTO cinetpay_orders (order_id, site_id, transaction_id, channels, lang, description, metadata,
    notify_url, return_url,
       invoice_data, lock_phone_number, customer, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (order_id) DO NOTHING`,
    [
      o.orderId,
      o.siteId,
      o.transactionId,
      o.channels,
      o.lang,
      o.description,
      o.metadata,
      o.notifyUrl,
      o.returnUrl,
      o.invoiceData === null ? null : JSON.stringify(o.invoiceData),
      o.lockPhoneNumber,
      JSON.stringify(o.customer),
      o.at,
    ],
  );
}

export async function findCinetpayOrder(tx: Tx, orderId: string): Promise<CinetpayOrderRow | undefined> {
  const { rows } = await tx.query<CinetpayOrderRow>('SELECT * FROM cinetpay_orders WHERE order_id = $1', [orderId]);
  return rows[0];
}

export async function findCinetpayOrderByTransaction(
  tx: Tx,
  siteId: string,
  transactionId: string,
): Promise<CinetpayOrderRow | undefined> {
  const { rows } = await tx.query<CinetpayOrderRow>(
    'SELECT * FROM cinetpay_orders WHERE site_id = $1 AND transaction_id = $2',
    [siteId, transactionId],
  );
  return rows[0];
}
