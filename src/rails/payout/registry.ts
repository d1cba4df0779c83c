// Which payout rail serves which network (issue 11). Sandbox mode: the sandbox payout rail serves every
// network. Live mode: per chain family, the rail factory below over the family's configured networks and
// the operator hot wallet's signer (its key opened from its sealed form). The chain rails register here with
// one line each.
import type { Deps } from '../../core/deps.js';
import type { KeyFamily } from '../crypto/derivation.js';
import { NETWORKS, type NetworkConfig, type NetworkDef, type NetworkKey } from '../crypto/networks.js';
import { hotWallets } from '../../store/hot-wallets-repo.js';
import type { PayoutRail } from './payout-rail.js';
import { localSigner, type Secp256k1Signer } from './signer.js';
import { sandboxPayoutRail, type SandboxPayoutRail } from './sandbox.js';
import { bitcoinPayoutRail } from './bitcoin/rail.js';
import { evmPayoutRail } from './evm/rail.js';
import { tronPayoutRail } from './tron/rail.js';

export type PayoutRailFactory = (networks: NetworkConfig[], signer: Secp256k1Signer) => PayoutRail;

/** The chain families' payout rails (src/rails/payout/{evm,tron,bitcoin}); a family without one has no payouts. */
export const PAYOUT_RAIL_FACTORIES: Partial<Record<KeyFamily, PayoutRailFactory>> = {
  evm: evmPayoutRail,
  tron: (networks, signer) =>
    tronPayoutRail(networks, signer, { apiKey: process.env.TENDER_TRON_API_KEY || undefined }),
  bitcoin: bitcoinPayoutRail,
};

/** A network the sender serves: its rail, wire name and confirmation depth. */
export interface PayoutRoute {
  rail: PayoutRail;
  network: NetworkKey;
  wire: NetworkDef['name'];
  depth: number;
}

/** The rail id a new payout on `network` will use, or undefined when no rail serves it on this install. */
export function payoutRailIdFor(
  deps: Pick<Deps, 'config'>,
  network: NetworkDef,
  factories: Partial<Record<KeyFamily, PayoutRailFactory>> = PAYOUT_RAIL_FACTORIES,
): string | undefined {
  if (deps.config.mode === 'sandbox') return 'sandbox';
  const configured = deps.config.crypto.networks.some((n) => n.key === network.key);
  return configured && factories[network.family] ? network.family : undefined;
}

/** The sandbox payout rail over this install's database (stateless: every instance sees the same chain). */
export function sandboxRailOf(deps: Deps): SandboxPayoutRail {
  return sandboxPayoutRail({
    db: deps.db,
    clock: deps.clock,
    delayMs: () => deps.config.payout.sandboxDelayMs,
    unlimited: deps.config.payout.sandboxUnlimited,
  });
}

function depthOf(deps: Deps, def: NetworkDef): number {
  return deps.config.crypto.networks.find((n) => n.key === def.key)?.confirmations ?? def.defaultConfirmations;
}

/** Every network this install pays out on, with its rail. */
export async function openPayoutRoutes(
  deps: Deps,
  factories: Partial<Record<KeyFamily, PayoutRailFactory>> = PAYOUT_RAIL_FACTORIES,
): Promise<PayoutRoute[]> {
  if (deps.config.mode === 'sandbox') {
    const rail = sandboxRailOf(deps);
    return NETWORKS.map((def) => ({ rail, network: def.key, wire: def.name, depth: depthOf(deps, def) }));
  }
  const routes: PayoutRoute[] = [];
  for (const w of await hotWallets(deps.db)) {
    const factory = factories[w.family];
    const networks = deps.config.crypto.networks.filter((n) => n.family === w.family);
    if (!factory || networks.length === 0) continue;
    const rail = factory(networks, localSigner(deps.box.open(w.key_sealed)));
    for (const n of networks) routes.push({ rail, network: n.key, wire: n.name, depth: n.confirmations });
  }
  return routes;
}
