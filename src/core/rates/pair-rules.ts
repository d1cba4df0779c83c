// What makes a currency pair and an amount acceptable for a rate or an exchange; each refusal has its own
// code (issue 11: "every invalid amount and currency pair gets its own code").
import type { Deps } from '../deps.js';
import type { AssetRow } from '../../domain/assets.js';
import { TenderError } from '../../domain/errors.js';

/** Both currencies known; not the same; the target crypto (spec M3: pairs are fiat→crypto and crypto→crypto). */
export function checkPair(deps: Deps, source: string, target: string): { src: AssetRow; tgt: AssetRow } {
  const src = deps.assets.find(source);
  if (!src) throw new TenderError('UNSUPPORTED_CURRENCY', `sourceCurrency ${source} is not supported`);
  const tgt = deps.assets.find(target);
  if (!tgt) throw new TenderError('UNSUPPORTED_CURRENCY', `targetCurrency ${target} is not supported`);
  if (source === target) throw new TenderError('SAME_CURRENCY');
  if (tgt.kind !== 'crypto')
    throw new TenderError('PAIR_NOT_SUPPORTED', `${source}→${target}: the target currency must be a crypto currency`);
  return { src, tgt };
}

/**
 * A positive amount in minor units of a currency. The text is already a plain decimal (the route's schema);
 * more decimals than the currency holds is AMOUNT_NOT_REPRESENTABLE (never rounded), zero AMOUNT_NOT_POSITIVE.
 */
export function parsePositiveAmount(text: string, asset: AssetRow, field: string): bigint {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (!m) throw new TenderError('INVALID_PARAM', `${field} must be a plain decimal number`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > asset.exponent)
    throw new TenderError(
      'AMOUNT_NOT_REPRESENTABLE',
      `${field} has more than the ${asset.exponent} decimals ${asset.code} holds`,
    );
  const minor = BigInt(m[1]! + frac.padEnd(asset.exponent, '0'));
  if (minor === 0n) throw new TenderError('AMOUNT_NOT_POSITIVE', `${field} must be greater than zero`);
  return minor;
}
