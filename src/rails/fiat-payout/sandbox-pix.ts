// The sandbox Pix payout rail (payoutChannel 1): the recipient's Pix key, in the normalised form DICT stores,
// picks the outcome and its delay (test keys below, docs/pix-payouts.md); any other valid key succeeds. The
// reference is a Pix EndToEndId. The shared behaviour (delays, idempotency, restart safety) is ./sandbox-engine.ts.
import { cpfCheckDigits } from '../../domain/pix-key.js';
import type { FiatPayoutRail } from './payout-rail.js';
import { FiatPayoutRefused } from './payout-rail.js';
import { idTail, minuteStamp, type SandboxPayoutStore, type SandboxScenario, sandboxRail } from './sandbox-engine.js';

export {
  SETTLE_MS,
  SLOW_MS,
  memorySandboxPayoutStore as memorySandboxPixStore,
  type SandboxPayoutStore as SandboxPixStore,
  type SandboxScenario,
} from './sandbox-engine.js';

/** The test keys' scenarios, numbered: the number picks the keys below (1 = slow, …, 7 = timeout). */
const NUMBERED: readonly Exclude<SandboxScenario, 'success'>[] = [
  'slow',
  'key_not_found',
  'account_closed',
  'account_blocked',
  'rejected_by_receiver',
  'insufficient_funds',
  'timeout',
];

export interface SandboxTestKeys {
  cpf: string;
  email: string;
  phone: string;
  random: string;
}

/** The documented test keys per scenario, normalised as DICT stores them. Any other valid key succeeds. */
export const SANDBOX_TEST_KEYS: Readonly<Record<Exclude<SandboxScenario, 'success'>, SandboxTestKeys>> =
  Object.fromEntries(
    NUMBERED.map((s, i) => {
      const n = String(i + 1);
      const base = `00000000${n}`;
      return [
        s,
        {
          cpf: base + cpfCheckDigits(base),
          email: `${s.replace(/_/g, '-')}@pix.sandbox.test`,
          phone: `+551190000000${n}`,
          random: `00000000-0000-4000-8000-00000000000${n}`,
        },
      ];
    }),
  ) as Record<Exclude<SandboxScenario, 'success'>, SandboxTestKeys>;

const SCENARIO_BY_KEY: ReadonlyMap<string, SandboxScenario> = new Map(
  Object.entries(SANDBOX_TEST_KEYS).flatMap(([s, keys]) =>
    Object.values(keys).map((k) => [k, s as SandboxScenario] as const),
  ),
);

export const scenarioOf = (normalisedKey: string): SandboxScenario => SCENARIO_BY_KEY.get(normalisedKey) ?? 'success';

/** The sandbox institution's ISPB in the EndToEndIds it issues. */
export const SANDBOX_ISPB = '99999999';

/** A Pix EndToEndId: E + ISPB + yyyyMMddHHmm (UTC) + 11 characters, here derived from the payoutId. */
export const endToEndId = (payoutId: string, at: Date): string =>
  `E${SANDBOX_ISPB}${minuteStamp(at)}${idTail(payoutId, 11)}`;

export function sandboxPixRail(store: SandboxPayoutStore): FiatPayoutRail {
  return sandboxRail(
    {
      id: 'pix-sandbox',
      channel: 1,
      accept(s) {
        if (s.accountType === null)
          throw new FiatPayoutRefused('unsupported_channel', 'the sandbox Pix rail pays Pix keys only');
        if (s.currency !== 'BRL') throw new FiatPayoutRefused('unsupported_currency', 'Pix pays in BRL only');
      },
      refOf: endToEndId,
      scenarioOf,
    },
    store,
  );
}
