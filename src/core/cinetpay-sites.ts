// CinetPay credentials: a merchant has one or more sites, each with an apikey (stored as a digest) and a
// notification secret (sealed) that keys the x-token of notifications (shared/spec/cinetpay.md).
import type { Deps } from './deps.js';
import type { Tx } from '../store/db.js';
import { TenderError } from '../domain/errors.js';
import { findMerchant } from '../store/merchants-repo.js';
import {
  findSite,
  findSiteByApikeyDigest,
  insertSite,
  replaceSiteCredentials,
  sitesOfMerchant,
  type CinetpaySiteRow,
} from '../store/cinetpay-repo.js';
import { secretDigest } from './merchants.js';
import { inTx } from '../store/db.js';
import { audit, SYSTEM_ACTOR, type Actor } from './audit-log.js';
import { assertMerchantActive } from './console-suspension.js';

export interface CinetpayCredentials {
  siteId: string;
  apikey: string;
  notifySecret: string;
}

const newApikey = (deps: Deps) => deps.ids.token(24).replace(/[^A-Za-z0-9]/g, '0');

/** A new site for the merchant with fresh credentials (shown once). */
export async function createCinetpaySite(
  deps: Deps,
  merchantId: string,
  tx: Tx = deps.db,
): Promise<CinetpayCredentials> {
  const apikey = newApikey(deps);
  const notifySecret = deps.ids.token(32);
  const row = await insertSite(tx, {
    merchantId,
    apikeyDigest: secretDigest(apikey),
    // Sealed too (spec M9 item 5): « Intégrations » shows it again after re-authentication.
    apikeySealed: deps.box.seal(apikey),
    notifySecretSealed: deps.box.seal(notifySecret),
    at: deps.clock.now(),
  });
  return { siteId: row.site_id, apikey, notifySecret };
}

/**
 * New apikey and notification secret for a site of the merchant (its first site when none is named);
 * the old ones stop working at once. A merchant without a site gets one.
 */
export async function rotateCinetpayCredentials(
  deps: Deps,
  merchantId: string,
  siteId?: string,
  actor: Actor = SYSTEM_ACTOR,
): Promise<{ merchantId: number } & CinetpayCredentials> {
  const creds = await inTx(deps.db, async (tx) => {
    if (!(await findMerchant(tx, merchantId, 'update'))) throw new TenderError('MERCHANT_NOT_FOUND');
    const sites = await sitesOfMerchant(tx, merchantId);
    const site = siteId === undefined ? sites[0] : sites.find((s) => s.site_id === siteId);
    if (siteId !== undefined && !site)
      throw new TenderError('INVALID_PARAM', `site ${siteId} is not a site of merchant ${merchantId}`);
    let creds: CinetpayCredentials;
    if (!site) creds = await createCinetpaySite(deps, merchantId, tx);
    else {
      creds = { siteId: site.site_id, apikey: newApikey(deps), notifySecret: deps.ids.token(32) };
      await replaceSiteCredentials(
        tx,
        site.site_id,
        secretDigest(creds.apikey),
        deps.box.seal(creds.notifySecret),
        deps.clock.now(),
        deps.box.seal(creds.apikey),
      );
    }
    await audit(tx, deps, actor, { action: 'merchant.rotate_cinetpay', merchantId, target: `site ${creds.siteId}` });
    return creds;
  });
  deps.log.info({ merchantId, siteId: creds.siteId }, 'cinetpay credentials rotated');
  return { merchantId: Number(merchantId), ...creds };
}

export type SiteAuth = { ok: true; site: CinetpaySiteRow } | { ok: false; reason: 'apikey' | 'site_id' };

/**
 * apikey identifies the merchant; site_id must be one of that merchant's sites (CinetPay's 609 / 613).
 * A suspended merchant's right credentials throw MERCHANT_SUSPENDED.
 */
export async function authenticateSite(deps: Deps, apikey: string, siteId: string): Promise<SiteAuth> {
  const byKey = await findSiteByApikeyDigest(deps.db, secretDigest(apikey));
  if (!byKey) return { ok: false, reason: 'apikey' };
  if (byKey.site_id === siteId) {
    const merchant = await findMerchant(deps.db, byKey.merchant_id);
    if (merchant) assertMerchantActive(merchant);
    return { ok: true, site: byKey };
  }
  // An unknown site_id, or one the apikey does not belong to (each site has its own apikey).
  return { ok: false, reason: 'site_id' };
}

export async function notifySecretOf(deps: Deps, siteId: string): Promise<string> {
  const site = await findSite(deps.db, siteId);
  if (!site) throw new Error(`cinetpay site ${siteId} not found`);
  return deps.box.open(site.notify_secret_sealed).reveal();
}
