// Authenticates a signed openapi request: every failure has its own error code (shared/spec/README.md).
import type { Deps } from './deps.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import { verifyParams, type Params } from '../domain/signature.js';
import { TenderError } from '../domain/errors.js';

export async function authenticateSigned(deps: Deps, params: Params): Promise<MerchantRow> {
  const merchantId = params.merchantId;
  if (!merchantId) throw new TenderError('MISSING_MERCHANT_ID');
  const merchant = /^[0-9]{1,18}$/.test(merchantId) ? await findMerchant(deps.db, merchantId) : undefined;
  if (!merchant) throw new TenderError('UNKNOWN_MERCHANT', `merchant ${merchantId.slice(0, 32)} does not exist`);
  const sign = params.sign;
  if (!sign) throw new TenderError('MISSING_SIGN');
  if (!verifyParams(params, deps.box.open(merchant.security_key_sealed).reveal(), sign))
    throw new TenderError('BAD_SIGN');
  return merchant;
}

/** Refuses requests whose createTime (ms) is further than the replay window from the server clock. */
export function assertFresh(deps: Deps, createTimeMs: string): void {
  const t = Number(createTimeMs);
  const windowMs = deps.config.replayWindowSeconds * 1000;
  if (Math.abs(deps.clock.now().getTime() - t) > windowMs) {
    throw new TenderError(
      'REPLAY_WINDOW',
      `createTime is more than ${deps.config.replayWindowSeconds} s away from the server time`,
    );
  }
}
