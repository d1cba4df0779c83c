// Merchant onboarding and credentials (seed 000 "Prerequisites").
import { createHash } from 'node:crypto';
import type { Deps } from './deps.js';
import { hashPassword } from '../domain/password.js';
import { defaultAllowedHosts, hostOf } from '../domain/redirects.js';
import { TenderError } from '../domain/errors.js';
import type { Secret } from '../domain/secret.js';
import { inTx } from '../store/db.js';
import { createCinetpaySite } from './cinetpay-sites.js';
import { assertCallbackResolvesPublic } from './callback-url.js';
import { recipeCounts } from './signature-tally.js';
import { audit, SYSTEM_ACTOR, changedFields, type Actor } from './audit-log.js';
import { assertMerchantActive } from './console-suspension.js';
import {
  findMerchant,
  findMerchantBySecretDigest,
  insertMerchant,
  replaceMerchantSecret,
  replaceSecurityKey,
  updateMerchantSettings,
  type MerchantRow,
  type MerchantSettingsPatch,
} from '../store/merchants-repo.js';

export interface NewMerchant {
  brand: string;
  company: string;
  website: string;
  email: string;
  callbackUrl?: string;
  webhookFormat?: 'cpay' | 'cpay-legacy';
  feeBps?: number;
  defaultCurrency?: string;
  extraHosts?: string[];
}

export interface MerchantCredentials {
  merchantId: number;
  username: string;
  password: string;
  securityKey: string;
  merchantSecret: string;
  /** CinetPay dialect: the merchant's first site (shared/spec/cinetpay.md "Credentials"). */
  apikey: string;
  siteId: string;
  notifySecret: string;
}

export const secretDigest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 16) || 'merchant'
  );
}

function validateSettings(p: MerchantSettingsPatch, deps: Deps): void {
  if (p.callbackUrl && !hostOf(p.callbackUrl))
    throw new TenderError('INVALID_PARAM', 'callbackUrl must be an http(s) URL');
  if (p.webhookFormat !== undefined && p.webhookFormat !== 'cpay' && p.webhookFormat !== 'cpay-legacy')
    throw new TenderError('INVALID_PARAM', 'webhookFormat must be cpay or cpay-legacy');
  if (p.feeBps !== undefined && (!Number.isInteger(p.feeBps) || p.feeBps < 0 || p.feeBps > 10000))
    throw new TenderError('INVALID_PARAM', 'feeBps must be an integer from 0 to 10000');
  if (p.defaultCurrency !== undefined) deps.assets.ledger(p.defaultCurrency);
  if (p.allowedHosts?.some((h) => typeof h !== 'string' || !/^[a-z0-9.-]+$/i.test(h)))
    throw new TenderError('INVALID_PARAM', 'allowedHosts must be host names');
}

/** The settings an audit row records (never a credential). */
const settingsSummary = (m: MerchantRow) => ({
  callbackUrl: m.callback_url,
  webhookFormat: m.webhook_format,
  feeBps: m.fee_bps,
  defaultCurrency: m.default_currency,
  allowedHosts: m.allowed_hosts,
});

const newMerchantSecret = (deps: Deps) => `msk_${deps.ids.token(32)}`;

export async function createMerchant(
  deps: Deps,
  m: NewMerchant,
  actor: Actor = SYSTEM_ACTOR,
): Promise<MerchantCredentials> {
  for (const f of ['brand', 'company', 'website', 'email'] as const) {
    if (!m[f]?.trim()) throw new TenderError('MISSING_PARAM', `${f} is required`);
  }
  if (!EMAIL.test(m.email)) throw new TenderError('INVALID_PARAM', 'email is not an email address');
  const allowedHosts = [...defaultAllowedHosts(m.website), ...(m.extraHosts ?? []).map((h) => h.toLowerCase())];
  const settings: MerchantSettingsPatch = {
    callbackUrl: m.callbackUrl ?? null,
    webhookFormat: m.webhookFormat ?? 'cpay',
    feeBps: m.feeBps ?? 0,
    defaultCurrency: m.defaultCurrency ?? 'USD',
    allowedHosts,
  };
  validateSettings(settings, deps);
  if (settings.callbackUrl) await assertCallbackResolvesPublic(deps, settings.callbackUrl, 'callbackUrl');
  const password = deps.ids.token(12);
  const securityKey = deps.ids.token(24);
  const merchantSecret = newMerchantSecret(deps);
  const username = `${slug(m.brand)}-${deps.ids
    .token(4)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
  const passwordHash = await hashPassword(password);
  // The merchant and its first CinetPay site in one transaction: never a merchant without its credentials.
  const { row, site } = await inTx(deps.db, async (tx) => {
    const row = await insertMerchant(tx, {
      brand: m.brand.trim(),
      company: m.company.trim(),
      website: m.website.trim(),
      email: m.email.trim(),
      username,
      passwordHash,
      securityKeySealed: deps.box.seal(securityKey),
      merchantSecretDigest: secretDigest(merchantSecret),
      // Sealed too (spec M9 item 4), so the portal can show it again after re-authentication.
      merchantSecretSealed: deps.box.seal(merchantSecret),
      callbackUrl: settings.callbackUrl ?? null,
      webhookFormat: settings.webhookFormat!,
      feeBps: settings.feeBps!,
      defaultCurrency: settings.defaultCurrency!,
      allowedHosts,
      at: deps.clock.now(),
    });
    const site = await createCinetpaySite(deps, row.id, tx);
    await audit(tx, deps, actor, {
      action: 'merchant.create',
      merchantId: row.id,
      target: row.username,
      after: {
        brand: row.brand,
        company: row.company,
        website: row.website,
        email: row.email,
        siteId: site.siteId,
        ...settingsSummary(row),
      },
    });
    return { row, site };
  });
  deps.log.info({ merchantId: row.id, siteId: site.siteId }, 'merchant created');
  return {
    merchantId: Number(row.id),
    username,
    password,
    securityKey,
    merchantSecret,
    apikey: site.apikey,
    siteId: site.siteId,
    notifySecret: site.notifySecret,
  };
}

/** A new security key; the old one stops working at once. */
export async function rotateSecurityKey(
  deps: Deps,
  merchantId: string,
  actor: Actor = SYSTEM_ACTOR,
): Promise<{ merchantId: number; securityKey: string }> {
  const securityKey = deps.ids.token(24);
  const row = await inTx(deps.db, async (tx) => {
    const row = await replaceSecurityKey(tx, merchantId, deps.box.seal(securityKey), deps.clock.now());
    if (!row) throw new TenderError('MERCHANT_NOT_FOUND');
    await audit(tx, deps, actor, {
      action: 'merchant.rotate_key',
      merchantId,
      before: { keyVersion: row.key_version - 1 },
      after: { keyVersion: row.key_version },
    });
    return row;
  });
  deps.log.info({ merchantId, keyVersion: row.key_version }, 'security key rotated');
  return { merchantId: Number(row.id), securityKey };
}

/** A new minimal-dialect merchant secret, stored as digest and sealed; the old one stops working at once. */
export async function rotateMerchantSecret(
  deps: Deps,
  merchantId: string,
  actor: Actor = SYSTEM_ACTOR,
): Promise<{ merchantId: number; merchantSecret: string }> {
  const merchantSecret = newMerchantSecret(deps);
  await inTx(deps.db, async (tx) => {
    const row = await replaceMerchantSecret(
      tx,
      merchantId,
      secretDigest(merchantSecret),
      deps.box.seal(merchantSecret),
      deps.clock.now(),
    );
    if (!row) throw new TenderError('MERCHANT_NOT_FOUND');
    await audit(tx, deps, actor, { action: 'merchant.rotate_secret', merchantId });
  });
  deps.log.info({ merchantId }, 'merchant secret rotated');
  return { merchantId: Number(merchantId), merchantSecret };
}

export async function updateSettings(
  deps: Deps,
  merchantId: string,
  patch: MerchantSettingsPatch,
  actor: Actor = SYSTEM_ACTOR,
): Promise<MerchantRow> {
  validateSettings(patch, deps);
  if (patch.callbackUrl) await assertCallbackResolvesPublic(deps, patch.callbackUrl, 'callbackUrl');
  // Redirect checks compare lower-case host names, so hosts are stored that way.
  const p = patch.allowedHosts ? { ...patch, allowedHosts: patch.allowedHosts.map((h) => h.toLowerCase()) } : patch;
  return inTx(deps.db, async (tx) => {
    const before = await findMerchant(tx, merchantId, 'update');
    if (!before) throw new TenderError('MERCHANT_NOT_FOUND');
    const row = (await updateMerchantSettings(tx, merchantId, p, deps.clock.now()))!;
    await audit(tx, deps, actor, {
      action: 'merchant.update',
      merchantId,
      ...changedFields(settingsSummary(before), settingsSummary(row)),
    });
    return row;
  });
}

export async function getMerchant(deps: Deps, merchantId: string): Promise<MerchantRow> {
  const row = await findMerchant(deps.db, merchantId);
  if (!row) throw new TenderError('MERCHANT_NOT_FOUND');
  return row;
}

export function securityKeyOf(deps: Deps, m: MerchantRow): Secret {
  return deps.box.open(m.security_key_sealed);
}

/** Public view for operators: never the password hash or sealed keys. */
export function merchantView(m: MerchantRow) {
  return {
    merchantId: Number(m.id),
    brand: m.brand,
    company: m.company,
    website: m.website,
    email: m.email,
    username: m.username,
    callbackUrl: m.callback_url,
    webhookFormat: m.webhook_format,
    feeBps: m.fee_bps,
    defaultCurrency: m.default_currency,
    allowedHosts: m.allowed_hosts,
    keyVersion: m.key_version,
    suspended: m.suspended_at !== null,
    suspendedAt: m.suspended_at?.toISOString() ?? null,
    suspendedReason: m.suspended_reason,
    createdAt: m.created_at.toISOString(),
  };
}

/** The operator's view of one merchant, with the signature recipes its requests matched (issue 10). */
export async function merchantDetail(deps: Deps, merchantId: string) {
  const row = await getMerchant(deps, merchantId);
  return { ...merchantView(row), signatureRecipes: await recipeCounts(deps, row.id) };
}

export async function merchantBySecret(deps: Deps, secret: string | undefined): Promise<MerchantRow> {
  if (!secret) throw new TenderError('BAD_MERCHANT_SECRET');
  const row = await findMerchantBySecretDigest(deps.db, secretDigest(secret));
  if (!row) throw new TenderError('BAD_MERCHANT_SECRET');
  assertMerchantActive(row);
  return row;
}
