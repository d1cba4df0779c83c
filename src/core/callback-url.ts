// Callback URLs are checked against the SSRF policy when they are registered (issue 9, defect 11), and
// again at every delivery after resolution (src/workers/webhook-transport.ts), which is the real guard.
import { lookup } from 'node:dns/promises';
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { bareHost, destinationPolicy, literalRefusal, refusal } from '../domain/destination-policy.js';

const LOOKUP_TIMEOUT_MS = 3000;

const policyOf = (deps: Deps) => destinationPolicy(deps.config.mode, deps.config.webhookAllowPrivate);

/** Per-order URLs (hot path): IP literals and `localhost` names only, no DNS. */
export function assertCallbackTarget(deps: Deps, url: string, field: string): void {
  const why = literalRefusal(policyOf(deps), url);
  if (why) throw new TenderError('INVALID_PARAM', `${field} is not allowed: ${why}`);
}

/**
 * Merchant settings: also resolves the name and refuses it when every address it has is refused. A name
 * that does not resolve (yet) is accepted: DNS may be set up after registration, and delivery checks again.
 */
export async function assertCallbackResolvesPublic(deps: Deps, url: string, field: string): Promise<void> {
  assertCallbackTarget(deps, url, field);
  const policy = policyOf(deps);
  if (!policy.restricted) return;
  const host = bareHost(new URL(url).hostname);
  // A slow resolver must not hold the settings request; an unanswered lookup counts as "does not resolve".
  const addresses = await Promise.race([
    lookup(host, { all: true }).catch(() => []),
    new Promise<[]>((r) => setTimeout(() => r([]), LOOKUP_TIMEOUT_MS).unref()),
  ]);
  const refusals = addresses.map((a) => refusal(policy, host, a.address));
  if (refusals.length && refusals.every(Boolean))
    throw new TenderError(
      'INVALID_PARAM',
      `${field} is not allowed: ${host} resolves to no allowed address (${refusals[0]})`,
    );
}
