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
): Promise<{ merchantId: number } & CinetpayCredentials> {
  if (!(await findMerchant(deps.db, merchantId))) throw new TenderError('MERCHANT_NOT_FOUND');
  const sites = await sitesOfMerchant(deps.db, merchantId);
  const site = siteId === undefined ? sites[0] : sites.find((s) => s.site_id === siteId);
  if (siteId !== undefined && !site)
    throw new TenderError('INVALID_PARAM', `site ${siteId} is not a site of merchant ${merchantId}`);
  if (!site) return { merchantId: Number(merchantId), ...(await createCinetpaySite(deps, merchantId)) };
  const apikey = newApikey(deps);
  const notifySecret = deps.ids.token(32);
  await replaceSiteCredentials(
    deps.db,
    site.site_id,
    secretDigest(apikey),
    deps.box.seal(notifySecret),
    deps.clock.now(),
  );
  deps.log.info({ merchantId, siteId: site.site_id }, 'cinetpay credentials rotated');
  return { merchantId: Number(merchantId), siteId: site.site_id, apikey, notifySecret };
}

export type SiteAuth = { ok: true; site: CinetpaySiteRow } | { ok: false; reason: 'apikey' | 'site_id' };

/** apikey identifies the merchant; site_id must be one of that merchant's sites (CinetPay's 609 / 613). */
export async function authenticateSite(deps: Deps, apikey: string, siteId: string): Promise<SiteAuth> {
  const byKey = await findSiteByApikeyDigest(deps.db, secretDigest(apikey));
  if (!byKey) return { ok: false, reason: 'apikey' };
  if (byKey.site_id === siteId) return { ok: true, site: byKey };
  // An unknown site_id, or one the apikey does not belong to (each site has its own apikey).
  return { ok: false, reason: 'site_id' };
}

export async function notifySecretOf(deps: Deps, siteId: string): Promise<string> {
  const site = await findSite(deps.db, siteId);
  if (!site) throw new Error(`cinetpay site ${siteId} not found`);
  return deps.box.open(site.notify_secret_sealed).reveal();
}
