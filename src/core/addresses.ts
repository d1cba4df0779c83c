// Deposit addresses (seed 001 §3): static per merchant user for no-order deposits, fresh per crypto order.
// Derived from the operator's account xpubs; Tender never holds the keys that can spend them.
import type pg from 'pg';
import type { Deps } from './deps.js';
import { inTx } from '../store/db.js';
import {
  insertAddress,
  lockOwner,
  nextIndex,
  orderAddresses,
  userAddresses,
  type DepositAddressRow,
} from '../store/addresses-repo.js';
import {
  deriveBitcoinAddress,
  deriveEvmAddress,
  deriveTronAddress,
  type KeyFamily,
} from '../rails/crypto/derivation.js';
import { depositNetworks, offeredAssets, type NetworkConfig } from '../rails/crypto/networks.js';
import { TenderError } from '../domain/errors.js';

export interface WalletAddress {
  address: string;
  currency: string;
  network: string;
}

function derive(deps: Deps, family: KeyFamily, index: number): string {
  const xpub = deps.config.crypto.xpubs[family];
  if (!xpub) throw new TenderError('UNSUPPORTED_CURRENCY', `no ${family} key is configured`);
  if (family === 'evm') return deriveEvmAddress(xpub, index);
  if (family === 'tron') return deriveTronAddress(xpub, index);
  const btc = deps.config.crypto.networks.find((n) => n.family === 'bitcoin');
  return deriveBitcoinAddress(xpub, index, btc?.bitcoinNetwork ?? 'mainnet');
}

async function allocate(
  tx: pg.PoolClient,
  deps: Deps,
  family: KeyFamily,
  owner: { merchantId: string; userId: string | null; orderId: string | null },
): Promise<DepositAddressRow> {
  const index = await nextIndex(tx, family);
  return insertAddress(tx, { family, index, address: derive(deps, family, index), ...owner, at: deps.clock.now() });
}

/** The user's stable addresses, one per key family, allocated on first request. */
export async function walletAddresses(deps: Deps, merchantId: string, userId: string): Promise<WalletAddress[]> {
  const families = [...new Set(depositNetworks(deps.config.crypto).map((n) => n.family))];
  const rows = await inTx(deps.db, async (tx) => {
    await lockOwner(tx, `user:${merchantId}:${userId}`);
    const have = await userAddresses(tx, merchantId, userId);
    for (const family of families) {
      if (!have.some((r) => r.family === family))
        have.push(await allocate(tx, deps, family, { merchantId, userId, orderId: null }));
    }
    return have;
  });
  return offeredAssets(deps.config.crypto).flatMap(({ currency, network }) => {
    const row = rows.find((r) => r.family === network.family);
    return row ? [{ address: row.address, currency, network: network.name }] : [];
  });
}

/** A fresh address for an order on `network`, inside the caller's transaction; idempotent per order. */
export async function orderAddress(
  tx: pg.PoolClient,
  deps: Deps,
  merchantId: string,
  orderId: string,
  network: NetworkConfig,
): Promise<string> {
  await lockOwner(tx, `order:${orderId}`);
  const existing = (await orderAddresses(tx, orderId)).find((r) => r.family === network.family);
  if (existing) return existing.address;
  return (await allocate(tx, deps, network.family, { merchantId, userId: null, orderId })).address;
}

/** The configured network with this wire name that offers `currency`, or UNSUPPORTED_CURRENCY. */
export function networkFor(deps: Deps, currency: string, networkName: string): NetworkConfig {
  const hit = offeredAssets(deps.config.crypto).find((o) => o.currency === currency && o.network.name === networkName);
  if (!hit) throw new TenderError('UNSUPPORTED_CURRENCY', `${currency} is not offered on ${networkName}`);
  return hit.network;
}
