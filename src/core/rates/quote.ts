// getExchangeRate (seed 001 §7) and getExchangeRateForCreditCard (§8): a quote, no money moves.
import type { Deps } from '../deps.js';
import { TenderError } from '../../domain/errors.js';
import {
  formatRate,
  quoteRate,
  sourceForTarget,
  targetForSource,
  withSpread,
  type ScaledRate,
} from '../../domain/rates/rate-math.js';
import { cpayAmount } from '../../domain/cpay-fields.js';
import { midRate } from './chain.js';
import { effectiveRateSettings } from './merchant-rates.js';
import { checkPair, parsePositiveAmount } from './pair-rules.js';

export interface QuoteRequest {
  sourceCurrency: string;
  targetCurrency: string;
  /** 0: `amount` is in the source currency; 1: in the target currency. */
  purchaseType: 0 | 1;
  amount: string;
  /** The card variant adds TENDER_CARD_RATE_MARGIN_BPS to the merchant's spread. */
  card: boolean;
}

export interface Quote {
  exchangeRate: string;
  /** purchaseType 0: target bought (rounded down); 1: source needed (rounded up). */
  amountExchanged: string;
  rate: ScaledRate;
}

export async function quote(deps: Deps, merchantId: string, r: QuoteRequest): Promise<Quote> {
  const { src, tgt } = checkPair(deps, r.sourceCurrency, r.targetCurrency);
  const amount = parsePositiveAmount(r.amount, r.purchaseType === 0 ? src : tgt, 'amount');
  const settings = await effectiveRateSettings(deps, merchantId);
  const spread = settings.spreadBps + (r.card ? deps.config.rates.cardMarginBps : 0);
  const { mid } = await midRate(deps, src.code, tgt.code);
  const rate = quoteRate(withSpread(mid, spread));
  const exchanged =
    r.purchaseType === 0
      ? targetForSource(amount, src.exponent, rate, tgt.exponent)
      : sourceForTarget(amount, tgt.exponent, rate, src.exponent);
  if (exchanged === 0n)
    throw new TenderError('EXCHANGED_AMOUNT_TOO_SMALL', `amount buys less than one minor unit of ${tgt.code}`);
  return {
    exchangeRate: formatRate(rate),
    amountExchanged: cpayAmount(exchanged, r.purchaseType === 0 ? tgt.exponent : src.exponent),
    rate,
  };
}
