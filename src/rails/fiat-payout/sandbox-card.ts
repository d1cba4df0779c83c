// The sandbox bank card payout rail (payoutChannel 2, shared/spec M2 decision): the card number picks the outcome
// and its delay (test cards below, docs/pix-payouts.md); any other valid card succeeds. Pays any currency the
// request check let through. The shared behaviour (delays, idempotency, restart safety) is ./sandbox-engine.ts.
import { luhnValid } from '../../domain/card-number.js';
import type { FiatPayoutRail } from './payout-rail.js';
import { idTail, minuteStamp, type SandboxPayoutStore, type SandboxScenario, sandboxRail } from './sandbox-engine.js';

/** Card payouts have no Pix key to look up; every other scenario has a test card. */
const NUMBERED: readonly Exclude<SandboxScenario, 'success' | 'key_not_found'>[] = [
  'slow',
  'account_closed',
  'account_blocked',
  'rejected_by_receiver',
  'insufficient_funds',
  'timeout',
];

/** 4000 0000 0000 00n + the Luhn digit: Visa-shaped 16-digit numbers no issuer gives out. */
function testCard(n: number): string {
  const base = `40000000000000${n}`;
  const check = [...'0123456789'].find((d) => luhnValid(base + d))!;
  return base + check;
}

export const SANDBOX_TEST_CARDS: Readonly<Record<(typeof NUMBERED)[number], string>> = Object.fromEntries(
  NUMBERED.map((s, i) => [s, testCard(i + 1)]),
) as Record<(typeof NUMBERED)[number], string>;

const SCENARIO_BY_CARD: ReadonlyMap<string, SandboxScenario> = new Map(
  Object.entries(SANDBOX_TEST_CARDS).map(([s, pan]) => [pan, s as SandboxScenario] as const),
);

/** C + yyyyMMddHHmm (UTC) + 13 characters derived from the payoutId. */
export const cardPayoutRef = (payoutId: string, at: Date): string => `C${minuteStamp(at)}${idTail(payoutId, 13)}`;

export function sandboxCardRail(store: SandboxPayoutStore): FiatPayoutRail {
  return sandboxRail(
    {
      id: 'card-sandbox',
      channel: 2,
      accept() {},
      refOf: cardPayoutRef,
      scenarioOf: (pan) => SCENARIO_BY_CARD.get(pan) ?? 'success',
    },
    store,
  );
}
