// CPay webhooks (shared/spec/cpay.md "Webhooks"): the merchant's setting picks the newer `cpay` format or
// seed 001's `cpay-legacy`; both carry the order's CPay fields.
import { cpayOrderFields } from '../../domain/cpay-fields.js';
import { notifies, webhookFields } from '../../domain/webhook-payload.js';
import { findMerchant } from '../../store/merchants-repo.js';
import type { NotificationFormat } from './format.js';

function cpayFormat(id: 'cpay' | 'cpay-legacy'): NotificationFormat {
  return {
    id,
    notifies: (status) => notifies(id, status),
    payload: async (_tx, deps, order) => webhookFields(id, cpayOrderFields(order, deps.assets)),
    // The merchant's current security key.
    async signingKey(deps, d) {
      const merchant = await findMerchant(deps.db, d.merchantId);
      if (!merchant) throw new Error(`merchant ${d.merchantId} not found`);
      return deps.box.open(merchant.security_key_sealed).reveal();
    },
  };
}

export const cpay = cpayFormat('cpay');
export const cpayLegacy = cpayFormat('cpay-legacy');
