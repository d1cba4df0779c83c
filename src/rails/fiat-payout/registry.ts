// Which fiat payout rail pays which payoutChannel (issue 11, spec M2). Sandbox mode: the sandbox Pix rail pays
// channel 1, the sandbox card rail channel 2, both over the database store (migration 014), so a restart or a
// second worker process sees the same records. Live mode: no PSP connector is registered yet, so live installs
// refuse fiat payouts (PAYOUT_UNAVAILABLE) rather than freeze money nothing would pay; a connector registers with
// one line in LIVE_FIAT_RAILS.
import type { Deps } from '../../core/deps.js';
import { forceSandboxFiat, insertOrGetSandboxFiat, sandboxFiatByRef } from '../../store/sandbox-fiat-payouts-repo.js';
import type { FiatPayoutChannel, FiatPayoutRail } from './payout-rail.js';
import { sandboxCardRail } from './sandbox-card.js';
import { SLOW_MS, type SandboxPayoutStore, type SandboxScenario } from './sandbox-engine.js';
import { sandboxPixRail } from './sandbox-pix.js';

/** The ledger's network key of a channel's payouts (payouts.network, payout_fees.network). */
export const FIAT_NETWORK: Readonly<Record<FiatPayoutChannel, 'PIX' | 'CARD'>> = { 1: 'PIX', 2: 'CARD' };

/** Live connectors per channel (none yet). */
export const LIVE_FIAT_RAILS: Partial<Record<FiatPayoutChannel, (deps: Deps) => FiatPayoutRail>> = {};

/** The sandbox rails' store: the sandbox_fiat_payouts table. */
export function dbSandboxPayoutStore(deps: Pick<Deps, 'db'>): SandboxPayoutStore {
  return {
    insertOrGet: async (r) => {
      const kept = await insertOrGetSandboxFiat(deps.db, r);
      return { ...kept, scenario: kept.scenario as SandboxScenario };
    },
    byRef: async (ref) => {
      const r = await sandboxFiatByRef(deps.db, ref);
      return r && { ...r, scenario: r.scenario as SandboxScenario };
    },
  };
}

/** The rail of each channel on this install (sandbox: both; live: the registered connectors). */
export function openFiatPayoutRails(deps: Deps): Map<string, FiatPayoutRail> {
  const rails = new Map<string, FiatPayoutRail>();
  if (deps.config.mode === 'sandbox') {
    const store = dbSandboxPayoutStore(deps);
    for (const r of [sandboxPixRail(store), sandboxCardRail(store)]) rails.set(r.id, r);
  } else
    for (const open of Object.values(LIVE_FIAT_RAILS)) {
      const r = open?.(deps);
      if (r) rails.set(r.id, r);
    }
  return rails;
}

/** The rail id a new payout on `channel` will use, or undefined when no rail pays that channel here. */
export function fiatPayoutRailIdFor(deps: Deps, channel: FiatPayoutChannel): string | undefined {
  if (deps.config.mode === 'sandbox') return channel === 1 ? 'pix-sandbox' : 'card-sandbox';
  return LIVE_FIAT_RAILS[channel]?.(deps).id;
}

/**
 * Sandbox helper: makes the sandbox rail answer the payout's outcome now (success, or a rejection by the
 * receiver). False when the rail has no record of the payout (not submitted yet).
 */
export async function forceSandboxFiatOutcome(
  deps: Pick<Deps, 'db' | 'clock'>,
  payoutId: string,
  outcome: 'complete' | 'fail',
): Promise<boolean> {
  const scenario: SandboxScenario = outcome === 'complete' ? 'success' : 'rejected_by_receiver';
  return forceSandboxFiat(deps.db, payoutId, scenario, deps.clock.now().getTime(), SLOW_MS);
}
