// What the sandbox fiat payout rails share (./sandbox-pix.ts, ./sandbox-card.ts): no money moves; the recipient's
// account decides the outcome and its delay (documented test accounts, docs/pix-payouts.md). They settle
// asynchronously like a PSP: submit answers at once with a reference, and status() turns final some time after
// the first submission. Everything status() answers is derived from what the store kept at that first submit
// (time, scenario), so a restart loses nothing: the store is in memory for tests and a table in the payout core
// (one row per payoutId: ref, fingerprint, submitted_at, scenario).
import { createHash } from 'node:crypto';
import type {
  FiatPayoutChannel,
  FiatPayoutFailure,
  FiatPayoutRail,
  FiatPayoutStatus,
  FiatPayoutSubmission,
} from './payout-rail.js';
import { FiatPayoutRefused } from './payout-rail.js';

/** A payout to an ordinary account succeeds this long after its submission. */
export const SETTLE_MS = 5_000;
/** The "slow" and "timeout" test accounts stay pending this long. */
export const SLOW_MS = 3_600_000;

export type SandboxScenario = 'success' | 'slow' | FiatPayoutFailure;

/** What the sandbox keeps per payout: never the account itself, only a salted digest to tell a conflicting retry. */
export interface SandboxPayoutRecord {
  payoutId: string;
  ref: string;
  fingerprint: string;
  submittedAtMs: number;
  scenario: SandboxScenario;
}

export interface SandboxPayoutStore {
  /** Keeps `r` unless a record with its payoutId exists; answers the record kept (the first one wins). */
  insertOrGet(r: SandboxPayoutRecord): Promise<SandboxPayoutRecord>;
  byRef(ref: string): Promise<SandboxPayoutRecord | undefined>;
}

/** In-memory store for tests; share one between two rail instances to simulate a restart. */
export function memorySandboxPayoutStore(): SandboxPayoutStore & { records(): SandboxPayoutRecord[] } {
  const byPayout = new Map<string, SandboxPayoutRecord>();
  const byRef = new Map<string, SandboxPayoutRecord>();
  return {
    async insertOrGet(r) {
      const kept = byPayout.get(r.payoutId);
      if (kept) return { ...kept };
      if (byRef.has(r.ref)) throw new Error('sandbox payout reference collision');
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

/** A digest of everything a retry must repeat, salted with the payout id (no account or amount in clear). */
function fingerprint(s: FiatPayoutSubmission): string {
  return createHash('sha256')
    .update([s.payoutId, s.channel, s.accountType ?? '', s.toAccount.reveal(), s.amount, s.currency].join('\n'))
    .digest('hex');
}

export interface SandboxRailSpec {
  id: string;
  channel: FiatPayoutChannel;
  /** Refuses what this rail cannot pay (FiatPayoutRefused), before anything is kept. */
  accept(s: FiatPayoutSubmission): void;
  /** The reference for a payout first submitted at `at`: deterministic, so a retry can be recognised. */
  refOf(payoutId: string, at: Date): string;
  /** The scenario an account (as `reveal()` gives it) stands for. */
  scenarioOf(account: string): SandboxScenario;
}

export function sandboxRail(spec: SandboxRailSpec, store: SandboxPayoutStore): FiatPayoutRail {
  return {
    id: spec.id,
    channels: [spec.channel],
    async submit(s) {
      if (s.channel !== spec.channel)
        throw new FiatPayoutRefused(
          'unsupported_channel',
          `the ${spec.id} rail pays payoutChannel ${spec.channel} only`,
        );
      spec.accept(s);
      const wanted: SandboxPayoutRecord = {
        payoutId: s.payoutId,
        ref: spec.refOf(s.payoutId, s.now),
        fingerprint: fingerprint(s),
        submittedAtMs: s.now.getTime(),
        scenario: spec.scenarioOf(s.toAccount.reveal()),
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

/** yyyyMMddHHmm in UTC, as Pix EndToEndIds carry it. */
export const minuteStamp = (at: Date): string => at.toISOString().replace(/[-T:]/g, '').slice(0, 12);

/** `n` upper-case base-36 characters derived from the payout id. */
export function idTail(payoutId: string, n: number): string {
  return BigInt(`0x${createHash('sha256').update(payoutId).digest('hex').slice(0, 16)}`)
    .toString(36)
    .toUpperCase()
    .padStart(n, '0')
    .slice(-n);
}
