// CPay webhooks (shared/spec/cpay.md "Webhooks"): the merchant's setting picks the newer `cpay` format or
// seed 001's `cpay-legacy`; both carry the order's CPay fields.
import { cpayOrderFields } from '../../domain/cpay-fields.js';
import { notifies, webhookFields } from '../../domain/webhook-payload.js';
import type { NotificationFormat } from './format.js';

function cpayFormat(id: 'cpay' | 'cpay-legacy'): NotificationFormat {
  return {
    id,
    notifies: (status) => notifies(id, status),
    payload: async (_tx, deps, order) => webhookFields(id, cpayOrderFields(order, deps.assets)),
  };
}

export const cpay = cpayFormat('cpay');
export const cpayLegacy = cpayFormat('cpay-legacy');
