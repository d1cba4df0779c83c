// Authenticates a signed openapi request: every failure has its own error code (shared/spec/README.md).
import type { Deps } from './deps.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import { matchRecipe, type Params } from '../domain/signature.js';
import { createTimeMs } from '../domain/create-time.js';
import { TenderError } from '../domain/errors.js';
import { countRecipe } from './signature-tally.js';
import { assertMerchantActive } from './console-suspension.js';

/** The merchant whose key signed `params` under any recipe the spec allows; the recipe is counted. */
export async function authenticateSigned(deps: Deps, params: Params): Promise<MerchantRow> {
  const merchantId = params.merchantId;
  if (!merchantId) throw new TenderError('MISSING_MERCHANT_ID');
  const merchant = /^[0-9]{1,18}$/.test(merchantId) ? await findMerchant(deps.db, merchantId) : undefined;
  if (!merchant) throw new TenderError('UNKNOWN_MERCHANT', `merchant ${merchantId.slice(0, 32)} does not exist`);
  const sign = params.sign;
  if (!sign) throw new TenderError('MISSING_SIGN');
  const recipe = matchRecipe(params, deps.box.open(merchant.security_key_sealed).reveal(), sign);
  if (!recipe) throw new TenderError('BAD_SIGN');
  countRecipe(deps, merchant.id, recipe);
  // After the signature: only the merchant itself learns that it is suspended.
  assertMerchantActive(merchant);
  return merchant;
}

/**
 * Refuses a createTime (ms, s or yyyyMMddHHmmss: domain/create-time.ts) further than the replay window
 * from the server clock; returns it in milliseconds.
 */
export function assertFresh(deps: Deps, createTime: string): number {
  const t = createTimeMs(createTime);
  const windowMs = deps.config.replayWindowSeconds * 1000;
  if (Math.abs(deps.clock.now().getTime() - t) > windowMs) {
    throw new TenderError(
      'REPLAY_WINDOW',
      `createTime is more than ${deps.config.replayWindowSeconds} s away from the server time`,
    );
  }
  return t;
}
