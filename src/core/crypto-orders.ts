// Crypto orders that name their network at creation get their own fresh deposit address at once, for
// merchants that show their own payment UI. Retrying returns the same order and the same address.
import type { Deps } from './deps.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import type { Order } from '../domain/order.js';
import { inTx } from '../store/db.js';
import { createOrder, type CreateOrderInput } from './orders.js';
import { networkFor, orderAddress } from './addresses.js';
import { orderAddresses } from '../store/addresses-repo.js';

export async function createCryptoOrder(deps: Deps, merchant: MerchantRow, input: CreateOrderInput): Promise<{ order: Order; address: string | null }> {
  const network = input.network ? networkFor(deps, input.currency, input.network) : undefined;
  const { order } = await createOrder(deps, merchant, input);
  if (!network) return { order, address: null };
  const address = await inTx(deps.db, (tx) => orderAddress(tx, deps, merchant.id, order.id, network));
  return { order, address };
}

export async function addressOfOrder(deps: Deps, orderId: string): Promise<string | null> {
  const rows = await orderAddresses(deps.db, orderId);
  return rows[0]?.address ?? null;
}
