// The sandbox Pix payout rail: no money moves; the recipient's key decides the outcome and its delay (test keys,
// docs/pix-payouts.md). It settles asynchronously like a PSP: submit answers at once with an EndToEndId, and
// status() turns final some time after the submission. Everything status() answers is derived from what the
// store kept at the first submit (time, scenario), so a restart loses nothing: the store is in memory for
// tests and a table in the payout core (one row per payoutId: ref, fingerprint, submitted_at, scenario).
import { createHash } from 'node:crypto';
import { cpfCheckDigits } from '../../domain/pix-key.js';
import type { FiatPayoutFailure, FiatPayoutRail, FiatPayoutStatus, FiatPayoutSubmission } from './payout-rail.js';
import { FiatPayoutRefused } from './payout-rail.js';

/** A payout with an ordinary key succeeds this long after its submission. */
export const SETTLE_MS = 5_000;
/** The "slow" and "timeout" test keys stay pending this long. */
export const SLOW_MS = 3_600_000;

export type SandboxScenario = 'success' | 'slow' | FiatPayoutFailure;

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

/** What the sandbox keeps per payout: never the key itself, only a salted digest to tell a conflicting retry. */
export interface SandboxPixRecord {
  payoutId: string;
  ref: string;
  fingerprint: string;
  submittedAtMs: number;
  scenario: SandboxScenario;
}

export interface SandboxPixStore {
  /** Keeps `r` unless a record with its payoutId exists; answers the record kept (the first one wins). */
  insertOrGet(r: SandboxPixRecord): Promise<SandboxPixRecord>;
  byRef(ref: string): Promise<SandboxPixRecord | undefined>;
}

/** In-memory store for tests; share one between two rail instances to simulate a restart. */
export function memorySandboxPixStore(): SandboxPixStore & { records(): SandboxPixRecord[] } {
  const byPayout = new Map<string, SandboxPixRecord>();
  const byRef = new Map<string, SandboxPixRecord>();
  return {
    async insertOrGet(r) {
      const kept = byPayout.get(r.payoutId);
      if (kept) return { ...kept };
      if (byRef.has(r.ref)) throw new Error('sandbox Pix reference collision');
      byPayout.set(r.payoutId, { ...r });
      byRef.set(r.ref, { ...r });
      return { ...r };
    },
    async byRef(ref) {
      const r = byRef.get(ref);
      return r && { ...r };
    },
    records: () => [...byPayout.values()].map((r) => ({ ...r })),
  };
}

/** The sandbox institution's ISPB in the EndToEndIds it issues. */
export const SANDBOX_ISPB = '99999999';

/** A Pix EndToEndId: E + ISPB + yyyyMMddHHmm (UTC) + 11 characters, here derived from the payoutId. */
export function endToEndId(payoutId: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-T:]/g, '').slice(0, 12);
  const tail = BigInt(`0x${createHash('sha256').update(payoutId).digest('hex').slice(0, 16)}`)
    .toString(36)
    .toUpperCase()
    .padStart(11, '0')
    .slice(-11);
  return `E${SANDBOX_ISPB}${stamp}${tail}`;
}

function fingerprint(s: FiatPayoutSubmission): string {
  return createHash('sha256')
    .update([s.payoutId, s.channel, s.accountType ?? '', s.toAccount.reveal(), s.amount, s.currency].join('\n'))
    .digest('hex');
}

export function sandboxPixRail(store: SandboxPixStore): FiatPayoutRail {
  return {
    id: 'pix-sandbox',
    channels: [1],
    async submit(s) {
      if (s.channel !== 1 || s.accountType === null)
        throw new FiatPayoutRefused('unsupported_channel', 'the sandbox Pix rail pays Pix keys only (payoutChannel 1)');
      if (s.currency !== 'BRL') throw new FiatPayoutRefused('unsupported_currency', 'Pix pays in BRL only');
      const wanted: SandboxPixRecord = {
        payoutId: s.payoutId,
        ref: endToEndId(s.payoutId, s.now),
        fingerprint: fingerprint(s),
        submittedAtMs: s.now.getTime(),
        scenario: scenarioOf(s.toAccount.reveal()),
      };
      const kept = await store.insertOrGet(wanted);
      if (kept.fingerprint !== wanted.fingerprint)
        throw new FiatPayoutRefused('conflict', `payout ${s.payoutId} was submitted before with other details`);
      return { ref: kept.ref };
    },
    async status(ref, now): Promise<FiatPayoutStatus> {
      const r = await store.byRef(ref);
      if (!r) return { state: 'unknown' };
      const delay = r.scenario === 'slow' || r.scenario === 'timeout' ? SLOW_MS : SETTLE_MS;
      const settledAt = new Date(r.submittedAtMs + delay);
      if (now < settledAt) return { state: 'pending' };
      if (r.scenario === 'success' || r.scenario === 'slow') return { state: 'succeeded', settledAt };
      return { state: 'failed', reason: r.scenario, settledAt };
    },
  };
}
