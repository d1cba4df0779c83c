// Payment URIs for the QR code of the hosted page: what a wallet scans to pre-fill a transfer.
// Pure: no configuration, no I/O. Amounts are bigint chain units; nothing is ever rounded.
//
//   Bitcoin  BIP21    bitcoin:<address>?amount=<BTC, decimal>
//   EVM      EIP-681  ethereum:<address>@<chainId>?value=<wei, integer>                          (ETH, BNB)
//                     ethereum:<token>@<chainId>/transfer?address=<address>&uint256=<token units>  (ERC-20/BEP-20)
//   TRON     (no official standard; the form TRON wallets and other processors use)
//                     tron:<address>?amount=<TRX, decimal>                                         (TRX)
//                     tron:<address>?amount=<token, decimal>&token=<TRC-20 contract>               (TRC-20)
//     For TRC-20 the destination stays the deposit address (never the token contract, which a wallet that
//     does not know the form would pay instead), the amount is in the token's own decimals and `token`
//     names the contract, so wallets that read it pick the right asset. A wallet that ignores `token`
//     still opens a transfer to the right address; the page states asset and network next to the QR.
import { TenderError } from './errors.js';
import { formatMinor, rescale } from './money.js';

export type UriFamily = 'evm' | 'tron' | 'bitcoin';

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const TRON_ADDRESS = /^T[1-9A-HJ-NP-Za-km-z]{33}$/;
const BITCOIN_ADDRESS = /^[a-zA-Z0-9]{14,90}$/;

function check(ok: boolean, what: string): void {
  if (!ok) throw new TenderError('INVALID_PARAM', what);
}
function positive(amount: bigint): void {
  check(amount > 0n, 'payment amount must be greater than zero');
}
function chain(chainId: number): void {
  check(Number.isSafeInteger(chainId) && chainId > 0, 'chain id must be a positive integer');
}

/** BIP21: `bitcoin:<address>?amount=<BTC>`; `sats` in satoshis (8 decimals). */
export function bip21Uri(address: string, sats: bigint): string {
  check(BITCOIN_ADDRESS.test(address), 'not a bitcoin address');
  positive(sats);
  return `bitcoin:${address}?amount=${formatMinor(sats, 8)}`;
}

/** EIP-681 native transfer: `ethereum:<address>@<chainId>?value=<wei>`. */
export function eip681NativeUri(address: string, chainId: number, wei: bigint): string {
  check(EVM_ADDRESS.test(address), 'not an EVM address');
  chain(chainId);
  positive(wei);
  return `ethereum:${address}@${chainId}?value=${wei.toString()}`;
}

/** EIP-681 token transfer: `ethereum:<token>@<chainId>/transfer?address=<to>&uint256=<units>`. */
export function eip681TokenUri(token: string, chainId: number, to: string, units: bigint): string {
  check(EVM_ADDRESS.test(token), 'not an EVM token contract');
  check(EVM_ADDRESS.test(to), 'not an EVM address');
  chain(chainId);
  positive(units);
  return `ethereum:${token}@${chainId}/transfer?address=${to}&uint256=${units.toString()}`;
}

/** TRON: `tron:<address>?amount=<decimal>` (TRX), plus `&token=<contract>` for a TRC-20 token. */
export function tronUri(address: string, units: bigint, exponent: number, token: string | null = null): string {
  check(TRON_ADDRESS.test(address), 'not a TRON address');
  if (token !== null) check(TRON_ADDRESS.test(token), 'not a TRON token contract');
  positive(units);
  return `tron:${address}?amount=${formatMinor(units, exponent)}${token ? `&token=${token}` : ''}`;
}

export interface PaymentRequest {
  family: UriFamily;
  /** The deposit address the customer pays. */
  address: string;
  /** The order amount in ledger units of its currency (assets table, network ''). */
  amount: bigint;
  ledgerExponent: number;
  /** Exponent of the asset on this network (assets table, asset + network). */
  chainExponent: number;
  /** Token contract, or null for the chain's native coin. */
  token: string | null;
  /** EVM chain id (required for family evm). */
  chainId: number | null;
}

export interface PaymentUri {
  uri: string;
  /** The amount in the chain's units (wei, token units, sun, satoshis). */
  chainAmount: bigint;
  /** The same amount as a decimal of the asset, e.g. "12.5". */
  display: string;
}

/**
 * The payment URI for an order. The ledger amount is rescaled to the chain's exponent exactly: an amount
 * the chain cannot represent (more decimals than the asset has there) is AMOUNT_NOT_REPRESENTABLE.
 */
export function paymentUri(r: PaymentRequest): PaymentUri {
  const chainAmount = rescale(r.amount, r.ledgerExponent, r.chainExponent);
  const display = formatMinor(chainAmount, r.chainExponent);
  let uri: string;
  if (r.family === 'bitcoin') {
    check(r.token === null, 'bitcoin has no tokens');
    uri = bip21Uri(r.address, rescale(chainAmount, r.chainExponent, 8));
  } else if (r.family === 'evm') {
    if (r.chainId === null) throw new TenderError('INVALID_PARAM', 'an EVM payment URI needs a chain id');
    uri = r.token
      ? eip681TokenUri(r.token, r.chainId, r.address, chainAmount)
      : eip681NativeUri(r.address, r.chainId, chainAmount);
  } else {
    uri = tronUri(r.address, chainAmount, r.chainExponent, r.token);
  }
  return { uri, chainAmount, display };
}
