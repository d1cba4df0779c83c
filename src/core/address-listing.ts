// The operator's view of every deposit address, for sweeping: Tender never holds the deposit keys, so the
// key holder moves the funds with their own wallet (docs/sweeping.md). With `balances`, each address is
// asked for its on-chain balance on every configured network of its key family.
import type { Deps } from './deps.js';
import type { KeyFamily } from '../rails/crypto/derivation.js';
import { chainSourceFor } from '../rails/crypto/sources.js';
import type { ChainSource } from '../rails/crypto/chain-source.js';
import { formatMinor } from '../domain/money.js';

export interface ListedAddress {
  family: KeyFamily;
  derivationPath: string;
  index: number;
  address: string;
  merchantId: number;
  purpose: 'user' | 'order';
  userId: string | null;
  orderId: string | null;
  balances?: Array<{ network: string; currency: string; balance: string } | { network: string; error: string }>;
}

const ACCOUNT_PATH: Record<KeyFamily, string> = { evm: "m/44'/60'/0'", tron: "m/44'/195'/0'", bitcoin: "m/84'/0'/0'" };

export async function listDepositAddresses(
  deps: Deps,
  opts: { merchantId?: string; balances?: boolean; limit?: number } = {},
): Promise<ListedAddress[]> {
  const params: unknown[] = [opts.limit ?? 1000];
  let where = '';
  if (opts.merchantId) {
    params.push(opts.merchantId);
    where = 'WHERE merchant_id = $2';
  }
  const { rows } = await deps.db.query<{
    family: KeyFamily;
    derivation_index: number;
    address: string;
    merchant_id: string;
    purpose: 'user' | 'order';
    user_id: string | null;
    order_id: string | null;
  }>(
    `SELECT family, derivation_index, address, merchant_id, purpose, user_id, order_id
    FROM deposit_addresses ${where} ORDER BY family, derivation_index LIMIT $1`,
    params,
  );
  const sources = new Map<string, ChainSource>();
  const out: ListedAddress[] = [];
  for (const r of rows) {
    const item: ListedAddress = {
      family: r.family,
      derivationPath: `${ACCOUNT_PATH[r.family]}/0/${r.derivation_index}`,
      index: r.derivation_index,
      address: r.address,
      merchantId: Number(r.merchant_id),
      purpose: r.purpose,
      userId: r.user_id,
      orderId: r.order_id,
    };
    if (opts.balances) {
      item.balances = [];
      for (const net of deps.config.crypto.networks.filter((n) => n.family === r.family)) {
        let src = sources.get(net.name);
        if (!src) {
          src = chainSourceFor(net);
          sources.set(net.name, src);
        }
        if (!src.balances) {
          item.balances.push({ network: net.name, error: 'balance lookup not available for this network' });
          continue;
        }
        try {
          const b = await src.balances(r.address);
          item.balances.push({
            network: net.name,
            currency: net.native,
            balance: formatMinor(b.native, deps.assets.exponent(net.native, net.name)),
          });
          if (b.usdt !== null)
            item.balances.push({
              network: net.name,
              currency: 'USDT',
              balance: formatMinor(b.usdt, deps.assets.exponent('USDT', net.name)),
            });
        } catch (e) {
          item.balances.push({ network: net.name, error: (e as Error).message.split('\n')[0]!.slice(0, 200) });
        }
      }
    }
    out.push(item);
  }
  return out;
}
