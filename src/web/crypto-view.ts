// What the hosted page shows for a crypto order: the network picker while the order has no network, then
// the deposit address, the exact amount on that chain and a QR code of the payment URI (an inline SVG
// made here, server-side). Orders in a fiat currency, or in a crypto asset no configured network offers,
// get no crypto view: the page stays as it is for them.
import QRCode from 'qrcode';
import type { Deps } from '../core/deps.js';
import type { Order } from '../domain/order.js';
import { isTenderError } from '../domain/errors.js';
import { formatMinor } from '../domain/money.js';
import { paymentUri } from '../domain/payment-uri.js';
import type { NetworkConfig } from '../rails/crypto/networks.js';
import { chooseOrderNetwork, networksOffering, orderChainAmount, orderDepositAddress } from '../core/crypto-orders.js';

export interface NetworkChoice {
  name: string;
  available: boolean;
}

export type CryptoView =
  | { kind: 'pick'; choices: NetworkChoice[] }
  | { kind: 'pay'; network: string; asset: string; address: string; amount: string; uri: string; qrSvg: string }
  /** A network is chosen but the order cannot be paid any more (processing, final or expired). */
  | { kind: 'done'; network: string };

const representable = (deps: Deps, order: Order, n: NetworkConfig): boolean => {
  try {
    orderChainAmount(deps, order, n);
    return true;
  } catch {
    return false;
  }
};

/** Inline SVG of `text` as a QR code; the SVG scales to its box. */
export async function qrSvg(text: string): Promise<string> {
  const svg = await QRCode.toString(text, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
    color: { dark: '#101828ff', light: '#ffffffff' },
  });
  return svg.replace('<svg ', '<svg focusable="false" aria-hidden="true" ');
}

/**
 * The crypto part of the page for `order`, or null when the order is not a crypto order that a configured
 * network can take. An open order whose asset only one network offers gets that network at once. Returns
 * the order as it is after that (its network may have just been set).
 */
export async function cryptoView(
  deps: Deps,
  order: Order,
  open: boolean,
): Promise<{ order: Order; view: CryptoView | null }> {
  const asset = deps.assets.find(order.currency);
  const offering = networksOffering(deps, order.currency);
  if (asset?.kind !== 'crypto' || offering.length === 0) return { order, view: null };

  let network = order.network === null ? undefined : offering.find((n) => n.name === order.network);
  if (order.network !== null && !network) return { order, view: null };
  if (!open) return { order, view: network ? { kind: 'done', network: network.name } : null };

  let address: string | null = network ? await orderDepositAddress(deps, order.id, network) : null;
  const only = offering.length === 1 ? offering[0]! : undefined;
  const target = network ?? (only && representable(deps, order, only) ? only : undefined);
  if (target && !address) {
    // Auto-choice of the only network, or an order that names its network but never got an address.
    try {
      const chosen = await chooseOrderNetwork(deps, { orderId: order.id }, target.name);
      order = chosen.order;
      network = chosen.network;
      address = chosen.address;
    } catch (e) {
      // A concurrent change (paid, closed, another choice) won: show the page for the order as it is now.
      if (!isTenderError(e)) throw e;
      return { order, view: null };
    }
  }
  if (!network || !address) {
    return {
      order,
      view: {
        kind: 'pick',
        choices: offering.map((n) => ({ name: n.name, available: representable(deps, order, n) })),
      },
    };
  }
  const isNative = network.native === order.currency;
  const uri = paymentUri({
    family: network.family,
    address,
    amount: order.amount,
    ledgerExponent: deps.assets.exponent(order.currency),
    chainExponent: deps.assets.exponent(order.currency, network.name),
    token: isNative ? null : network.usdt,
    chainId: network.chainId,
  });
  return {
    order,
    view: {
      kind: 'pay',
      network: network.name,
      asset: order.currency,
      address,
      amount: formatMinor(uri.chainAmount, deps.assets.exponent(order.currency, network.name)),
      uri: uri.uri,
      qrSvg: await qrSvg(uri.uri),
    },
  };
}
