// One conformance suite for every card acquirer (issue 13): the sandbox acquirer today, a real acquirer's adapter
// on its stand-in tomorrow. An acquirer plugs in through a CardAcquirerDriver; each acquirer's test file is its
// driver and a call to `runCardAcquirerConformance(driver)`. The suite holds what src/core/card-payments.ts rests
// on (src/rails/card/acquirer.ts): authorise is idempotent per reference, also under 20 concurrent calls and
// across a restart; a reused reference with other data is refused; every documented outcome arrives; a challenge
// is finished only with the ACS's answer; captures and refunds stay within what was authorised and captured.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CardNumber } from '../src/domain/card-number.js';
import { Secret } from '../src/domain/secret.js';
import {
  AcquirerRefused,
  AcquirerTimeout,
  type AuthoriseRequest,
  type CardAcquirer,
  type DeclineReason,
} from '../src/rails/card/acquirer.js';

export interface CardCase {
  name: string;
  number: string;
  outcome:
    | { kind: 'authorised' }
    | { kind: 'challenge' }
    | { kind: 'declined'; reason: DeclineReason }
    | { kind: 'timeout' };
}

export interface CardAcquirerDriver {
  name: string;
  start(): Promise<CardAcquirer>;
  /** A new acquirer instance over the same books, as after a process restart. */
  restart(): Promise<CardAcquirer>;
  stop(): Promise<void>;
  cases: readonly CardCase[];
  /** Answers the ACS challenge as the customer would; returns the cres that comes back to returnUrl. */
  answerChallenge(acsUrl: string, creq: string, pass: boolean): Promise<string>;
  /** How many authorisations the acquirer's books hold for a reference. */
  authorisations(reference: string): Promise<number>;
}

export function request(number: string, over: Partial<AuthoriseRequest> = {}): AuthoriseRequest {
  return {
    reference: `ord_${randomUUID()}`,
    card: {
      number: CardNumber.parse(number),
      expMonth: 12,
      expYear: new Date().getUTCFullYear() + 3,
      cvv: new Secret('123'),
      holder: 'Joe Doe',
    },
    amount: 1999n,
    currency: 'USD',
    returnUrl: 'http://127.0.0.1:9/return',
    browser: { ip: '203.0.113.7' },
    ...over,
  };
}

export function runCardAcquirerConformance(d: CardAcquirerDriver): void {
  const t = (title: string, fn: () => Promise<void>) =>
    test(`issue 13: card acquirer conformance (${d.name}): ${title}`, fn);
  let acq: CardAcquirer;
  before(async () => {
    acq = await d.start();
  });
  after(() => d.stop());

  for (const c of d.cases)
    t(`test card "${c.name}" ends as ${c.outcome.kind}`, async () => {
      const req = request(c.number);
      if (c.outcome.kind === 'timeout') {
        await assert.rejects(acq.authorise(req), AcquirerTimeout);
        assert.deepEqual(await acq.status(req.reference), { state: 'unknown' });
        return;
      }
      const r = await acq.authorise(req);
      assert.equal(r.kind, c.outcome.kind);
      if (r.kind === 'declined' && c.outcome.kind === 'declined') assert.equal(r.reason, c.outcome.reason);
      if (r.kind === 'authorised') assert.equal(r.frictionless, true);
      const s = await acq.status(req.reference);
      assert.equal(s.state, r.kind === 'authorised' ? 'authorised' : r.kind);
    });

  t('authorise is idempotent per reference: 20 concurrent identical calls, one authorisation, one answer', async () => {
    const req = request(d.cases.find((c) => c.outcome.kind === 'authorised')!.number);
    const answers = await Promise.all(Array.from({ length: 20 }, () => acq.authorise(req)));
    assert.equal(new Set(answers.map((a) => JSON.stringify(a))).size, 1);
    assert.equal(await d.authorisations(req.reference), 1);
  });

  t('a restart keeps the books: the same reference answers the same authorisation', async () => {
    const req = request(d.cases.find((c) => c.outcome.kind === 'challenge')!.number);
    const first = await acq.authorise(req);
    const again = await (await d.restart()).authorise(req);
    assert.deepEqual(again, first);
    assert.equal(await d.authorisations(req.reference), 1);
  });

  t('a reference reused with another amount or card is refused, never authorised twice', async () => {
    const req = request(d.cases.find((c) => c.outcome.kind === 'authorised')!.number);
    await acq.authorise(req);
    await assert.rejects(acq.authorise({ ...req, amount: req.amount + 1n }), AcquirerRefused);
    assert.equal(await d.authorisations(req.reference), 1);
  });

  t('an expired card is declined as expired_card', async () => {
    const req = request(d.cases.find((c) => c.outcome.kind === 'authorised')!.number);
    req.card.expYear = 2020;
    const r = await acq.authorise(req);
    assert.deepEqual(r.kind === 'declined' && r.reason, 'expired_card');
  });

  for (const pass of [true, false])
    t(
      `a 3-D Secure challenge ${pass ? 'passed' : 'failed'} at the ACS is ${pass ? 'authorised' : 'declined'}`,
      async () => {
        const req = request(d.cases.find((c) => c.outcome.kind === 'challenge')!.number);
        const r = await acq.authorise(req);
        assert.equal(r.kind, 'challenge');
        if (r.kind !== 'challenge') return;
        await assert.rejects(acq.finishChallenge(r.acquirerRef, 'forged-cres'), AcquirerRefused);
        const cres = await d.answerChallenge(r.acsUrl, r.creq, pass);
        const done = await acq.finishChallenge(r.acquirerRef, cres);
        assert.equal(done.kind, pass ? 'authorised' : 'declined');
        if (done.kind === 'declined') assert.equal(done.reason, '3ds_failed');
        assert.deepEqual(await acq.finishChallenge(r.acquirerRef, cres), done, 'finishing again answers the same');
        // A retried authorise after the challenge answers the verdict, not a new challenge.
        assert.equal((await acq.authorise(req)).kind, pass ? 'authorised' : 'declined');
      },
    );

  t('capture is idempotent and bounded; refunds are idempotent per id and never above the capture', async () => {
    const req = request(d.cases.find((c) => c.outcome.kind === 'authorised')!.number);
    const r = await acq.authorise(req);
    await assert.rejects(acq.capture(r.acquirerRef, req.amount + 1n), AcquirerRefused);
    await assert.rejects(acq.refund(r.acquirerRef, 1n, 'rf-early'), AcquirerRefused, 'nothing captured yet');
    assert.deepEqual(await acq.capture(r.acquirerRef, req.amount), { captured: req.amount });
    assert.deepEqual(await acq.capture(r.acquirerRef, req.amount), { captured: req.amount });
    assert.deepEqual(await acq.refund(r.acquirerRef, 500n, 'rf-1'), { refunded: 500n });
    assert.deepEqual(await acq.refund(r.acquirerRef, 500n, 'rf-1'), { refunded: 500n }, 'same refund id: once');
    await assert.rejects(acq.refund(r.acquirerRef, req.amount, 'rf-2'), AcquirerRefused);
    assert.deepEqual(await acq.refund(r.acquirerRef, req.amount - 500n, 'rf-3'), { refunded: req.amount });
    const s = await acq.status(req.reference);
    assert.ok(s.state === 'captured' && s.captured === req.amount && s.refunded === req.amount);
  });

  t('a declined authorisation cannot be captured', async () => {
    const req = request(d.cases.find((c) => c.outcome.kind === 'declined')!.number);
    const r = await acq.authorise(req);
    await assert.rejects(acq.capture(r.acquirerRef, req.amount), AcquirerRefused);
  });
}
