// Operator hot wallets (issue 11): one per chain family, its key generated here and sealed with the master key
// at once (never printed, never logged); balances per network and asset as the payout rails report them.
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { newPrivateKeyHex, localSigner } from '../rails/payout/signer.js';
import { Secret } from '../domain/secret.js';
import { hotWalletAddress } from '../rails/payout/hot-wallet-address.js';
import { insertHotWallet } from '../store/hot-wallets-repo.js';
import type { KeyFamily } from '../rails/crypto/derivation.js';
import { openPayoutRoutes } from '../rails/payout/registry.js';
import { NETWORKS } from '../rails/crypto/networks.js';
import { inFlightAmount } from '../store/payouts-repo.js';
import { formatMinor } from '../domain/money.js';
import { withTimeout } from './payout-send.js';
import { inTx } from '../store/db.js';
import { audit, SYSTEM_ACTOR, type Actor } from './audit-log.js';

const btcNetOf = (deps: Deps) => deps.config.crypto.networks.find((n) => n.key === 'BITCOIN')?.bitcoinNetwork;

export async function createHotWallet(
  deps: Deps,
  family: string,
  actor: Actor = SYSTEM_ACTOR,
): Promise<{ family: KeyFamily; address: string }> {
  if (family !== 'evm' && family !== 'tron' && family !== 'bitcoin')
    throw new TenderError('INVALID_PARAM', 'family must be evm, tron or bitcoin');
  const key = newPrivateKeyHex();
  const publicKey = localSigner(new Secret(key)).publicKey();
  const address = hotWalletAddress(family, publicKey, btcNetOf(deps));
  await inTx(deps.db, async (tx) => {
    const created = await insertHotWallet(tx, {
      family,
      publicKey: Buffer.from(publicKey).toString('hex'),
      keySealed: deps.box.seal(key),
      at: deps.clock.now(),
    });
    if (!created) throw new TenderError('INVALID_PARAM', `a ${family} hot wallet exists already`);
    await audit(tx, deps, actor, { action: 'hot_wallet.create', target: family, after: { family, address } });
  });
  return { family, address };
}

export interface HotWalletBalance {
  network: string;
  rail: string;
  address: string;
  asset: string;
  /** Spendable, as the chain reports it (confirmed funds), in the asset's major units. */
  balance: string;
  /** Committed to payouts signed but not yet confirmed. */
  inFlight: string;
  error?: string;
}

/** Every payout network's hot wallet balance per asset; one unreachable network reports its error, not all. */
export async function hotWalletBalances(deps: Deps): Promise<HotWalletBalance[]> {
  const out: HotWalletBalance[] = [];
  for (const r of await openPayoutRoutes(deps)) {
    const def = NETWORKS.find((n) => n.key === r.network)!;
    for (const asset of [def.native, ...(def.defaultUsdt ? ['USDT'] : [])]) {
      const exp = deps.assets.exponent(asset, def.name);
      const row = { network: def.name, rail: r.rail.id, address: r.rail.hotWalletAddress(r.network), asset };
      try {
        const bal = await withTimeout(r.rail.hotWalletBalance(r.network, asset), 10_000, 'balance');
        const inFlight = await inFlightAmount(deps.db, r.network, asset);
        out.push({ ...row, balance: formatMinor(bal, exp), inFlight: formatMinor(inFlight, exp) });
      } catch (e) {
        out.push({ ...row, balance: '', inFlight: '', error: (e as Error).message });
      }
    }
  }
  return out;
}
