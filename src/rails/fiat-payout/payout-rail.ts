// The interface every fiat payout rail implements (issue 11, shared/spec M2): a Pix PSP connector, a card payout
// acquirer, or the sandbox (./sandbox-pix.ts). The payout core drives it like this, which keeps a crash from
// paying twice:
//   1. the payout is accepted and its money frozen in one transaction (status 11);
//   2. the sender calls submit() with the payout's id; submit is idempotent per payoutId (PSPs key a transfer by
//      the caller's id), so after a crash or a timeout the sender just submits again and gets the same ref;
//   3. the sender stores the ref, then polls status(ref) until it is final: succeeded → 14, failed → 15.
// A submit that throws FiatPayoutRefused was refused for good (nothing will be paid: close the payout); any
// other error is transient (submit again later with the same payoutId).
import type { CardNumber } from '../../domain/card-number.js';
import type { PixKey, PixKeyType } from '../../domain/pix-key.js';

export type FiatPayoutChannel = 1 | 2;

export interface FiatPayoutSubmission {
  /** Tender's id of the payout: the rail's idempotency key. */
  payoutId: string;
  channel: FiatPayoutChannel;
  /** The Pix key's kind on channel 1; null on channel 2. */
  accountType: PixKeyType | null;
  /** Redacting types: printing, logging or JSON-encoding a submission shows the account masked. */
  toAccount: PixKey | CardNumber;
  /** What the recipient receives, in minor units of `currency` (BRL: centavos). */
  amount: bigint;
  currency: string;
  now: Date;
}

/** Why a payout failed, as the core records it in the order's remark (ISO 20022 reason in brackets). */
export type FiatPayoutFailure =
  /** DICT has no such key (the key was deleted or never registered). */
  | 'key_not_found'
  /** The recipient's account is closed (AC07). */
  | 'account_closed'
  /** The recipient's account is blocked (AC06). */
  | 'account_blocked'
  /** The receiving institution refused the credit (DS04 / RR04). */
  | 'rejected_by_receiver'
  /** The operator's own account at the PSP could not fund it (AM04). */
  | 'insufficient_funds'
  /** No settlement within the system's time limit (AB03). */
  | 'timeout';

export type FiatPayoutStatus =
  /** The rail has no payout with this ref: never submitted. Submitting again with the same payoutId is safe. */
  | { state: 'unknown' }
  | { state: 'pending' }
  | { state: 'succeeded'; settledAt: Date }
  | { state: 'failed'; reason: FiatPayoutFailure; settledAt: Date };

export type FiatPayoutRefusal =
  /** The payoutId was already submitted with other details (account, amount or currency). */
  'conflict' | 'unsupported_channel' | 'unsupported_currency';

/** A refusal for good: nothing was or will be paid for this submission. */
export class FiatPayoutRefused extends Error {
  readonly reason: FiatPayoutRefusal;
  constructor(reason: FiatPayoutRefusal, message: string) {
    super(message);
    this.name = 'FiatPayoutRefused';
    this.reason = reason;
  }
}

export interface FiatPayoutRail {
  /** 'pix-sandbox', or a PSP's name. */
  readonly id: string;
  readonly channels: readonly FiatPayoutChannel[];
  /** Sends the payout once per payoutId and answers the rail's reference (for Pix, the EndToEndId). */
  submit(s: FiatPayoutSubmission): Promise<{ ref: string }>;
  /** Where the payout stands at `now`. A final answer (succeeded / failed) never changes afterwards. */
  status(ref: string, now: Date): Promise<FiatPayoutStatus>;
}
