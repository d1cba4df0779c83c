// Crypto orders that name their network at creation get their own fresh deposit address at once, for
// merchants that show their own payment UI. Retrying returns the same order and the same address.
// Orders created without one get it on the hosted page: chooseOrderNetwork.
import type { Deps } from './deps.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import type { Order } from '../domain/order.js';
import { inTx } from '../store/db.js';
import { createOrder, createOrderWith, getOrder, type CreateOrderInput } from './orders.js';
import { networkFor, orderAddress } from './addresses.js';
import { orderAddresses } from '../store/addresses-repo.js';
import { findOrder } from '../store/orders-repo.js';
import { offeredAssets, type NetworkConfig } from '../rails/crypto/networks.js';
import { rescale } from '../domain/money.js';
import { TenderError } from '../domain/errors.js';

export async function createCryptoOrder(
  deps: Deps,
  merchant: MerchantRow,
  input: CreateOrderInput,
): Promise<{ order: Order; address: string | null }> {
  const network = input.network ? networkFor(deps, input.currency, input.network) : undefined;
  if (!network) return { order: (await createOrder(deps, merchant, input)).order, address: null };
  // The order and its address in one transaction; a retried request gets the same address back.
  const { order, companion } = await createOrderWith(deps, merchant, input, (tx, o) =>
    orderAddress(tx, deps, merchant.id, o.id, network),
  );
  return { order, address: companion };
}

export async function addressOfOrder(deps: Deps, orderId: string): Promise<string | null> {
  const rows = await orderAddresses(deps.db, orderId);
  return rows[0]?.address ?? null;
}

export type OrderRef = { payCode: string } | { orderId: string };

export interface ChosenNetwork {
  order: Order;
  network: NetworkConfig;
  address: string;
}

/** Configured networks that offer `currency` (USDT: up to three; ETH: Ethereum only). */
export function networksOffering(deps: Deps, currency: string): NetworkConfig[] {
  return offeredAssets(deps.config.crypto)
    .filter((o) => o.currency === currency)
    .map((o) => o.network);
}

/** The order amount in the network's units; AMOUNT_NOT_REPRESENTABLE when it would need rounding. */
export function orderChainAmount(
  deps: Deps,
  order: Pick<Order, 'currency' | 'amount'>,
  network: NetworkConfig,
): bigint {
  return rescale(
    order.amount,
    deps.assets.exponent(order.currency),
    deps.assets.exponent(order.currency, network.name),
  );
}

/**
 * The customer picks the network of a crypto order created without one (the hosted page). Only a
 * PENDING, unexpired order with no network yet takes a choice: a compare-and-set on `network IS NULL`
 * plus the order's fresh deposit address, in one transaction. Choosing the network the order already has
 * is idempotent (same address); any other network after that is refused (ILLEGAL_TRANSITION), so of two
 * racing choices exactly one wins. A network on which the amount cannot be represented exactly is refused.
 */
export async function chooseOrderNetwork(deps: Deps, ref: OrderRef, networkName: string): Promise<ChosenNetwork> {
  const lookup =
    'payCode' in ref ? { by: 'payCode' as const, payCode: ref.payCode } : { by: 'id' as const, id: ref.orderId };
  const order = await getOrder(deps, lookup);
  if (deps.assets.ledger(order.currency).kind !== 'crypto')
    throw new TenderError('UNSUPPORTED_CURRENCY', `${order.currency} is not a crypto currency`);
  const network = networkFor(deps, order.currency, networkName);
  orderChainAmount(deps, order, network);
  return inTx(deps.db, async (tx) => {
    const now = deps.clock.now();
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE orders SET network = $2, updated_at = $3 WHERE id = $1 AND status = 0
        AND network IS NULL AND expires_at > $3 RETURNING id`,
      [order.id, network.name, now],
    );
    if (rows.length === 0) {
      // Lost the compare-and-set, or nothing to set: decide on the order as it is now (locked from here on).
      const current = (await findOrder(tx, { by: 'id', id: order.id }, undefined, true))!;
      if (current.network !== null && current.network !== network.name) {
        throw new TenderError(
          'ILLEGAL_TRANSITION',
          `the network of this order is already ${current.network}; it cannot be changed to ${network.name}`,
        );
      }
      if (current.network === null) {
        if (current.status !== 0)
          throw new TenderError('ILLEGAL_TRANSITION', 'the order is no longer awaiting payment');
        throw new TenderError('ORDER_EXPIRED');
      }
      // Same network again: the order's address, allocated now only if it never got one and can still be paid.
      const existing = (await orderAddresses(tx, order.id)).find((r) => r.family === network.family);
      if (existing) return { order: current, network, address: existing.address };
      if (current.status !== 0 || current.expiresAt <= now)
        throw new TenderError('ILLEGAL_TRANSITION', 'the order is no longer awaiting payment');
    }
    const address = await orderAddress(tx, deps, order.merchantId, order.id, network);
    const updated = (await findOrder(tx, { by: 'id', id: order.id }))!;
    return { order: updated, network, address };
  });
}

/** The order's deposit address on its network's key family, if it has one (read-only). */
export async function orderDepositAddress(deps: Deps, orderId: string, network: NetworkConfig): Promise<string | null> {
  const rows = await orderAddresses(deps.db, orderId);
  return rows.find((r) => r.family === network.family)?.address ?? null;
}
