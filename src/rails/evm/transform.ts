// Pure conversions between chain units and the ledger's units, via the asset table: an asset's exponent
// on its network (USDT: 6 on Ethereum, 18 on BSC) and its ledger exponent (network ''). Never lossy:
// rescale throws rather than round.
import type { AssetTable } from '../../domain/assets.js';
import { rescale } from '../../domain/money.js';

export function chainToLedger(assets: AssetTable, asset: string, networkName: string, chainAmount: bigint): bigint {
  return rescale(chainAmount, assets.exponent(asset, networkName), assets.exponent(asset, ''));
}

export function ledgerToChain(assets: AssetTable, asset: string, networkName: string, ledgerAmount: bigint): bigint {
  return rescale(ledgerAmount, assets.exponent(asset, ''), assets.exponent(asset, networkName));
}

/** Under/overpayment (TENDER_PAYMENT_TOLERANCE_BPS): what a deposit of `received` does to an order of `expected`. */
export type PaymentVerdict = 'exact' | 'over' | 'under-within-tolerance' | 'underpaid';

export function paymentVerdict(expected: bigint, received: bigint, toleranceBps: number): PaymentVerdict {
  if (received === expected) return 'exact';
  if (received > expected) return 'over';
  return received * 10000n >= expected * BigInt(10000 - toleranceBps) ? 'under-within-tolerance' : 'underpaid';
}
