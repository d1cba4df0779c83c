// The interface of a card acquirer (issue 13): authorise (with the card), the 3-D Secure challenge, capture,
// refund and status. The sandbox acquirer (sandbox-acquirer.ts) implements it over its own books; a real
// acquirer's adapter would implement it over the acquirer's HTTP API. Every implementation passes the same
// conformance suite (test/card-acquirer-conformance.ts), which holds what the card core's safety rests on:
//
// - authorise is idempotent per `reference` (Tender's order id): the same reference with the same card and amount
//   answers the first answer again and never authorises twice, even when calls race or a process restarts in
//   between; the same reference with other data is refused (AcquirerRefused).
// - The CVV goes to the acquirer in authorise and nowhere else: the acquirer checks it BEFORE it asks for the
//   challenge, so a pending 3-D Secure step needs nothing more from Tender than the ACS's answer (`cres`).
// - A timeout (AcquirerTimeout) means "no answer": Tender asks `status(reference)` to learn whether the acquirer
//   holds anything for it.
import type { CardNumber } from '../../domain/card-number.js';
import type { Secret } from '../../domain/secret.js';

import type { CardBrand } from '../../domain/card-fields.js';

export type { CardBrand };
export { brandOf } from '../../domain/card-fields.js';

export type DeclineReason =
  | 'insufficient_funds'
  | 'stolen_card'
  | 'expired_card'
  | 'do_not_honour'
  | '3ds_failed'
  | 'acquirer_timeout';

export interface CardDetails {
  number: CardNumber;
  expMonth: number;
  /** Four digits. */
  expYear: number;
  /** Absent for a stored card (the acquirer holds no CVV either: a stored-card payment is merchant-initiated). */
  cvv?: Secret;
  holder: string;
}

export interface AuthoriseRequest {
  /** Tender's order id: the acquirer's idempotency key. */
  reference: string;
  card: CardDetails;
  /** Minor units of `currency`. */
  amount: bigint;
  currency: string;
  /** Where the ACS sends the customer back after a challenge (with `cres`). */
  returnUrl: string;
  /** Browser data for 3-D Secure 2 (payChannel2 requires them). */
  browser: { ip: string; accept?: string; userAgent?: string };
}

export type AuthoriseResult =
  | { kind: 'authorised'; acquirerRef: string; frictionless: boolean }
  | { kind: 'challenge'; acquirerRef: string; acsUrl: string; creq: string }
  | { kind: 'declined'; acquirerRef: string; reason: DeclineReason };

export type ChallengeResult =
  | { kind: 'authorised'; acquirerRef: string }
  | { kind: 'declined'; acquirerRef: string; reason: DeclineReason };

export type AcquirerStatus =
  | { state: 'unknown' }
  | { state: 'challenge' | 'authorised' | 'captured'; acquirerRef: string; captured: bigint; refunded: bigint }
  | { state: 'declined'; acquirerRef: string; reason: DeclineReason };

export interface CardAcquirer {
  readonly id: string;
  authorise(req: AuthoriseRequest): Promise<AuthoriseResult>;
  /** The ACS's answer (`cres`, as it came back to returnUrl) for a challenged authorisation. Idempotent. */
  finishChallenge(acquirerRef: string, cres: string): Promise<ChallengeResult>;
  /** Captures an authorised amount (at most the authorised one). Idempotent: capturing again answers the same. */
  capture(acquirerRef: string, amount: bigint): Promise<{ captured: bigint }>;
  /** Refunds part or all of what was captured; idempotent per refundId; never above the captured total. */
  refund(acquirerRef: string, amount: bigint, refundId: string): Promise<{ refunded: bigint }>;
  /** What the acquirer holds for Tender's reference. */
  status(reference: string): Promise<AcquirerStatus>;
}

/** The acquirer did not answer in time: nothing is known about the request's effect. */
export class AcquirerTimeout extends Error {
  constructor(what: string) {
    super(`the acquirer did not answer ${what} in time`);
    this.name = 'AcquirerTimeout';
  }
}

/** The acquirer refused the request itself (not a decline of the card): a reused reference, an unknown ref. */
export class AcquirerRefused extends Error {
  constructor(readonly reason: string) {
    super(`the acquirer refused the request: ${reason}`);
    this.name = 'AcquirerRefused';
  }
}
