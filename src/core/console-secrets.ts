// Showing a merchant its own credentials again (spec M9 items 4-5): the minimal-dialect merchant secret
// (/dev/api) and each CinetPay site's apikey and notification secret (« Intégrations »). The portal calls these
// only after the merchant re-entered its password. Credentials issued before migration 018 exist only as a
// digest: those answer SECRET_NOT_SEALED ("rotate to see it"); rotation stores the new one sealed.
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import type { Secret } from '../domain/secret.js';
import { findMerchant } from '../store/merchants-repo.js';
import { sitesOfMerchant } from '../store/cinetpay-repo.js';

export async function revealMerchantSecret(deps: Deps, merchantId: string): Promise<Secret> {
  const m = await findMerchant(deps.db, merchantId);
  if (!m) throw new TenderError('MERCHANT_NOT_FOUND');
  if (!m.merchant_secret_sealed)
    throw new TenderError('SECRET_NOT_SEALED', 'the merchant secret was issued before it could be shown: rotate it');
  return deps.box.open(m.merchant_secret_sealed);
}

export interface RevealedSite {
  siteId: string;
  /** null: issued before migration 018, only its digest exists; rotate the site's credentials to see one. */
  apikey: Secret | null;
  notifySecret: Secret;
}

export async function revealCinetpayCredentials(deps: Deps, merchantId: string): Promise<RevealedSite[]> {
  if (!(await findMerchant(deps.db, merchantId))) throw new TenderError('MERCHANT_NOT_FOUND');
  return (await sitesOfMerchant(deps.db, merchantId)).map((s) => ({
    siteId: s.site_id,
    apikey: s.apikey_sealed ? deps.box.open(s.apikey_sealed) : null,
    notifySecret: deps.box.open(s.notify_secret_sealed),
  }));
}
