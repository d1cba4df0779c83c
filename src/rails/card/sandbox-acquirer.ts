// The sandbox card acquirer: behaves like a real acquirer over its own books (sandbox_card_auths, migration 020)
// and decides by the documented test cards (test-cards.ts). It authorises once per reference whatever retries or
// races send, asks for a 3-D Secure challenge on the challenge cards (the ACS page is Tender's own sandbox page,
// src/web/card-acs-plugin.ts, which calls acsAnswer), and keeps captures and refunds within what was authorised.
// Its books hold no card number and no CVV: the fingerprint of a request is over BIN, last four, expiry, amount and
// currency only.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../store/db.js';
import { inTx } from '../../store/db.js';
import {
  authBy,
  insertOrGetAuth,
  insertRefund,
  refundById,
  type SandboxAuthRow,
  updateAuth,
} from '../../store/sandbox-card-repo.js';
import {
  AcquirerRefused,
  AcquirerTimeout,
  type AcquirerStatus,
  type AuthoriseRequest,
  type AuthoriseResult,
  type CardAcquirer,
  type ChallengeResult,
  type DeclineReason,
} from './acquirer.js';
import { SANDBOX_ACS_CODE, scenarioOf } from './test-cards.js';

export const SANDBOX_ACQUIRER_ID = 'sandbox-card';

export interface SandboxAcquirer extends CardAcquirer {
  /** The challenge the ACS page shows, if `challengeId` is one. */
  acsChallenge(
    challengeId: string,
  ): Promise<{ amount: bigint; currency: string; answered: boolean; returnUrl: string } | undefined>;
  /** The customer's answer on the ACS page (`code`, or null for "cancel"): where to send them, with the cres. */
  acsAnswer(challengeId: string, code: string | null): Promise<{ returnUrl: string; cres: string } | undefined>;
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

function fingerprint(req: AuthoriseRequest): string {
  const pan = req.card.number.reveal();
  const parts = [pan.slice(0, 6), pan.slice(-4), req.card.expMonth, req.card.expYear, req.amount, req.currency];
  return createHash('sha256').update(parts.join('|')).digest('hex');
}

function resultOf(row: SandboxAuthRow, acsBase: string): AuthoriseResult {
  switch (row.state) {
    case 'challenge':
      return {
        kind: 'challenge',
        acquirerRef: row.ref,
        acsUrl: `${acsBase}/sandbox-acs/${row.challenge_id}`,
        creq: row.challenge_id!,
      };
    case 'declined':
      return { kind: 'declined', acquirerRef: row.ref, reason: row.decline_reason as DeclineReason };
    default:
      return { kind: 'authorised', acquirerRef: row.ref, frictionless: row.challenge_id === null };
  }
}

/** `publicUrl` is read at each call: the ACS page lives on Tender's own public address. */
export function sandboxAcquirer(db: Db, opts: { publicUrl: () => string; now: () => Date }): SandboxAcquirer {
  const expired = (req: AuthoriseRequest, now: Date) =>
    req.card.expYear < now.getUTCFullYear() ||
    (req.card.expYear === now.getUTCFullYear() && req.card.expMonth < now.getUTCMonth() + 1);

  return {
    id: SANDBOX_ACQUIRER_ID,

    async authorise(req) {
      const now = opts.now();
      const scenario = scenarioOf(req.card.number.reveal());
      // The timeout card: the request is lost on the way; the acquirer's books never see it.
      if (scenario.kind === 'timeout') throw new AcquirerTimeout('authorise');
      const decline: DeclineReason | null =
        scenario.kind === 'decline' ? scenario.reason : expired(req, now) ? 'expired_card' : null;
      const challenge = decline === null && scenario.kind === 'challenge';
      const row = await insertOrGetAuth(db, {
        ref: `sbx_${token(12)}`,
        reference: req.reference,
        fingerprint: fingerprint(req),
        scenario: scenario.kind,
        amount: req.amount.toString(),
        currency: req.currency,
        state: decline ? 'declined' : challenge ? 'challenge' : 'authorised',
        decline_reason: decline,
        challenge_id: challenge ? `ch_${token(16)}` : null,
        return_url: challenge ? req.returnUrl : null,
        created_at: now,
      });
      if (row.fingerprint !== fingerprint(req))
        throw new AcquirerRefused('this reference was already used with another card or amount');
      return resultOf(row, opts.publicUrl());
    },

    async finishChallenge(acquirerRef, cres): Promise<ChallengeResult> {
      return inTx(db, async (tx) => {
        const row = await authBy(tx, 'ref', acquirerRef, true);
        if (!row || row.challenge_id === null) throw new AcquirerRefused('no challenge for this authorisation');
        if (row.cres === null || row.cres !== cres) throw new AcquirerRefused('the ACS answer does not match');
        if (row.state === 'challenge') {
          const state = row.acs_passed ? 'authorised' : 'declined';
          await updateAuth(tx, row.ref, { state, decline_reason: row.acs_passed ? null : '3ds_failed' }, opts.now());
          row.state = state;
          row.decline_reason = row.acs_passed ? null : '3ds_failed';
        }
        return row.state === 'declined'
          ? { kind: 'declined', acquirerRef, reason: row.decline_reason as DeclineReason }
          : { kind: 'authorised', acquirerRef };
      });
    },

    async capture(acquirerRef, amount) {
      return inTx(db, async (tx) => {
        const row = await authBy(tx, 'ref', acquirerRef, true);
        if (!row) throw new AcquirerRefused('unknown authorisation');
        if (row.state === 'captured') return { captured: BigInt(row.captured) };
        if (row.state !== 'authorised') throw new AcquirerRefused(`cannot capture an authorisation in ${row.state}`);
        if (amount <= 0n || amount > BigInt(row.amount)) throw new AcquirerRefused('capture above the authorisation');
        await updateAuth(tx, row.ref, { state: 'captured', captured: amount.toString() }, opts.now());
        return { captured: amount };
      });
    },

    async refund(acquirerRef, amount, refundId) {
      return inTx(db, async (tx) => {
        const row = await authBy(tx, 'ref', acquirerRef, true);
        if (!row) throw new AcquirerRefused('unknown authorisation');
        const earlier = await refundById(tx, refundId);
        if (earlier) {
          if (earlier.ref !== acquirerRef || BigInt(earlier.amount) !== amount)
            throw new AcquirerRefused('this refund id was already used for another refund');
          return { refunded: BigInt(row.refunded) };
        }
        const refunded = BigInt(row.refunded) + amount;
        if (row.state !== 'captured' || amount <= 0n || refunded > BigInt(row.captured))
          throw new AcquirerRefused('a refund cannot exceed what was captured');
        await insertRefund(tx, refundId, acquirerRef, amount, opts.now());
        await updateAuth(tx, row.ref, { refunded: refunded.toString() }, opts.now());
        return { refunded };
      });
    },

    async status(reference): Promise<AcquirerStatus> {
      const row = await authBy(db, 'reference', reference);
      if (!row) return { state: 'unknown' };
      if (row.state === 'declined')
        return { state: 'declined', acquirerRef: row.ref, reason: row.decline_reason as DeclineReason };
      return { state: row.state, acquirerRef: row.ref, captured: BigInt(row.captured), refunded: BigInt(row.refunded) };
    },

    async acsChallenge(challengeId) {
      const row = await authBy(db, 'challenge_id', challengeId);
      if (!row) return undefined;
      return {
        amount: BigInt(row.amount),
        currency: row.currency,
        answered: row.cres !== null,
        returnUrl: row.return_url ?? '',
      };
    },

    async acsAnswer(challengeId, code) {
      return inTx(db, async (tx) => {
        const row = await authBy(tx, 'challenge_id', challengeId, true);
        if (!row) return undefined;
        // The first answer stands (a double submit, the back button): the same cres again.
        if (row.cres !== null) return { returnUrl: row.return_url ?? '', cres: row.cres };
        const cres = `cres_${token(18)}`;
        await updateAuth(tx, row.ref, { cres, acs_passed: code === SANDBOX_ACS_CODE }, opts.now());
        return { returnUrl: row.return_url ?? '', cres };
      });
    },
  };
}
