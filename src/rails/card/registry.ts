// The card acquirer of this installation: the sandbox acquirer in sandbox mode. Live mode has no acquirer
// adapter configured yet; card payments there are refused (docs/cards.md).
import type { Deps } from '../../core/deps.js';
import { TenderError } from '../../domain/errors.js';
import { type SandboxAcquirer, sandboxAcquirer } from './sandbox-acquirer.js';

const cache = new WeakMap<Deps, SandboxAcquirer>();

export function cardAcquirer(deps: Deps): SandboxAcquirer {
  if (deps.config.mode !== 'sandbox') throw new TenderError('SANDBOX_ONLY', 'no card acquirer is configured');
  let a = cache.get(deps);
  if (!a) {
    a = sandboxAcquirer(deps.db, { publicUrl: () => deps.config.publicUrl, now: () => deps.clock.now() });
    cache.set(deps, a);
  }
  return a;
}

/** Puts another acquirer in front for these deps (tests: one whose refund times out or is refused). */
export function useCardAcquirer(deps: Deps, a: SandboxAcquirer): void {
  cache.set(deps, a);
}
