import type { Tx } from './db.js';

export interface MerchantRow {
  id: string;
  brand: string;
  company: string;
  website: string;
  email: string;
  username: string;
  password_hash: string;
  must_change_password: boolean;
  security_key_sealed: string;
  key_version: number;
  merchant_secret_digest: string;
  /** Sealed copy of the merchant secret (migration 018); null when issued before it (digest only). */
  merchant_secret_sealed: string | null;
  suspended_at: Date | null;
  suspended_reason: string | null;
  callback_url: string | null;
  webhook_format: 'cpay' | 'cpay-legacy';
  fee_bps: number;
  default_currency: string;
  allowed_hosts: string[];
  created_at: Date;
  updated_at: Date;
}

export interface NewMerchantRow {
  brand: string;
  company: string;
  website: string;
  email: string;
  username: string;
  passwordHash: string;
  securityKeySealed: string;
  merchantSecretDigest: string;
  merchantSecretSealed: string;
  callbackUrl: string | null;
  webhookFormat: string;
  feeBps: number;
  defaultCurrency: string;
  allowedHosts: string[];
  at: Date;
}

export async function insertMerchant(tx: Tx, m: NewMerchantRow): Promise<MerchantRow> {
  const { rows } = await tx.query<MerchantRow>(
    `INSERT INTO merchants (brand, company, website, email, username, password_hash, security_key_sealed,
       merchant_secret_digest, callback_url, webhook_format, fee_bps, default_currency, allowed_hosts, created_at,
       updated_at, merchant_secret_sealed)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14,$15) RETURNING *`,
    [
      m.brand,
      m.company,
      m.website,
      m.email,
      m.username,
      m.passwordHash,
      m.securityKeySealed,
      m.merchantSecretDigest,
      m.callbackUrl,
      m.webhookFormat,
      m.feeBps,
      m.defaultCurrency,
      m.allowedHosts,
      m.at,
      m.merchantSecretSealed,
    ],
  );
  return rows[0]!;
}

export async function findMerchant(tx: Tx, id: string, lock?: 'update'): Promise<MerchantRow | undefined> {
  if (!/^[0-9]{1,18}$/.test(id)) return undefined;
  const { rows } = await tx.query<MerchantRow>(
    `SELECT * FROM merchants WHERE id = $1${lock === 'update' ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

export async function findMerchantBySecretDigest(tx: Tx, digest: string): Promise<MerchantRow | undefined> {
  const { rows } = await tx.query<MerchantRow>('SELECT * FROM merchants WHERE merchant_secret_digest = $1', [digest]);
  return rows[0];
}

export async function replaceSecurityKey(
  tx: Tx,
  id: string,
  sealed: string,
  at: Date,
): Promise<MerchantRow | undefined> {
  const { rows } = await tx.query<MerchantRow>(
    `UPDATE merchants SET security_key_sealed = $2, key_version = key_version + 1, updated_at = $3
      WHERE id = $1 RETURNING *`,
    [id, sealed, at],
  );
  return rows[0];
}

export async function replaceMerchantSecret(
  tx: Tx,
  id: string,
  digest: string,
  sealed: string,
  at: Date,
): Promise<MerchantRow | undefined> {
  const { rows } = await tx.query<MerchantRow>(
    `UPDATE merchants SET merchant_secret_digest = $2, merchant_secret_sealed = $3, updated_at = $4
      WHERE id = $1 RETURNING *`,
    [id, digest, sealed, at],
  );
  return rows[0];
}

/** Suspends (reason) or reactivates (null) with compare-and-set: undefined when the merchant was already so. */
export async function setSuspension(
  tx: Tx,
  id: string,
  suspend: { at: Date; reason: string } | null,
  at: Date,
): Promise<MerchantRow | undefined> {
  const { rows } = await tx.query<MerchantRow>(
    suspend
      ? `UPDATE merchants SET suspended_at = $2, suspended_reason = $3, updated_at = $4
          WHERE id = $1 AND suspended_at IS NULL RETURNING *`
      : `UPDATE merchants SET suspended_at = NULL, suspended_reason = NULL, updated_at = $4
          WHERE id = $1 AND suspended_at IS NOT NULL AND $2::timestamptz IS NULL AND $3::text IS NULL RETURNING *`,
    [id, suspend?.at ?? null, suspend?.reason ?? null, at],
  );
  return rows[0];
}

export interface MerchantSettingsPatch {
  callbackUrl?: string | null;
  webhookFormat?: string;
  feeBps?: number;
  defaultCurrency?: string;
  allowedHosts?: string[];
}

export async function updateMerchantSettings(
  tx: Tx,
  id: string,
  p: MerchantSettingsPatch,
  at: Date,
): Promise<MerchantRow | undefined> {
  const { rows } = await tx.query<MerchantRow>(
    `UPDATE merchants SET
       callback_url = CASE WHEN $2::boolean THEN $3 ELSE callback_url END,
       webhook_format = COALESCE($4, webhook_format),
       fee_bps = COALESCE($5, fee_bps),
       default_currency = COALESCE($6, default_currency),
       allowed_hosts = COALESCE($7, allowed_hosts),
       updated_at = $8
     WHERE id = $1 RETURNING *`,
    [
      id,
      p.callbackUrl !== undefined,
      p.callbackUrl ?? null,
      p.webhookFormat ?? null,
      p.feeBps ?? null,
      p.defaultCurrency ?? null,
      p.allowedHosts ?? null,
      at,
    ],
  );
  return rows[0];
}
