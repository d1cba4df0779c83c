// One conformance suite for every fiat payout rail (issue 11, shared/spec M2): the sandbox Pix rail today, a PSP
// connector on its stand-in tomorrow. A rail plugs in through a FiatPayoutDriver; each rail's test file is its
// driver, a call to `runFiatPayoutRailConformance(driver)` and the tests about that rail alone. The suite holds
// what the payout core's crash safety rests on (src/rails/fiat-payout/payout-rail.ts): submit is idempotent per
// payoutId, even concurrently and across a restart; a final status never changes; an unknown ref says so; and
// the documented outcomes arrive after their documented delays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { CardNumber } from '../src/domain/card-number.js';
import type { PixKey } from '../src/domain/pix-key.js';
import {
  FiatPayoutRefused,
  type FiatPayoutRail,
  type FiatPayoutStatus,
  type FiatPayoutSubmission,
} from '../src/rails/fiat-payout/payout-rail.js';

/** A documented outcome: paying `account` ends as `verdict`, `settlesAfterMs` after the first submit. */
export interface FiatPayoutCase {
  name: string;
  account: PixKey | CardNumber;
  settlesAfterMs: number;
  verdict: { state: 'succeeded' } | { state: 'failed'; reason: string };
}

export interface FiatPayoutDriver {
  /** Names the suite's tests: "fiat payout rail conformance (<name>): …". */
  name: string;
  channel: 1 | 2;
  currency: string;
  /** The rail, started over fresh durable state. */
  start(): Promise<FiatPayoutRail>;
  /** A new rail instance over the same durable state, as after a process restart. */
  restart(): Promise<FiatPayoutRail>;
  stop(): Promise<void>;
  /** An ordinary account the rail pays (the default outcome must be among `cases`). */
  ordinary(): PixKey | CardNumber;
  /** Every documented outcome, the ordinary one included. */
  cases: readonly FiatPayoutCase[];
}

const T0 = Date.parse('2026-12-04T12:00:00.000Z');
let seq = 0;

export function runFiatPayoutRailConformance(d: FiatPayoutDriver): { rail: () => FiatPayoutRail } {
  let rail: FiatPayoutRail;
  const title = (s: string) => `fiat payout rail conformance (${d.name}): ${s}`;
  const submission = (
    account: PixKey | CardNumber,
    over: Partial<FiatPayoutSubmission> = {},
  ): FiatPayoutSubmission => ({
    payoutId: `fpc-${d.name}-${++seq}`,
    channel: d.channel,
    accountType: d.channel === 1 ? (account as PixKey).type : null,
    toAccount: account,
    amount: 1234n,
    currency: d.currency,
    now: new Date(T0),
    ...over,
  });
  const at = (ms: number) => new Date(T0 + ms);
  before(async () => {
    rail = await d.start();
  });
  after(() => d.stop());

  test(title('the rail names its channels'), () => {
    assert.ok(rail.channels.includes(d.channel));
    assert.ok(rail.id.length > 0);
  });

  for (const c of d.cases) {
    test(
      title(`${c.name}: pending until ${c.settlesAfterMs} ms after submit, then ${c.verdict.state}, for good`),
      async () => {
        const { ref } = await rail.submit(submission(c.account));
        assert.ok(ref.length > 0);
        assert.deepEqual(await rail.status(ref, at(0)), { state: 'pending' });
        assert.deepEqual(await rail.status(ref, at(c.settlesAfterMs - 1)), { state: 'pending' });
        const final = await rail.status(ref, at(c.settlesAfterMs));
        const expected = { ...c.verdict, settledAt: at(c.settlesAfterMs) };
        assert.deepEqual(final, expected);
        // Final means final: later, and after a restart, the same answer.
        assert.deepEqual(await rail.status(ref, at(c.settlesAfterMs + 86_400_000)), expected);
        const again = await d.restart();
        assert.deepEqual(await again.status(ref, at(c.settlesAfterMs + 1)), expected);
      },
    );
  }

  test(
    title('submit is idempotent per payoutId: a retry later answers the same ref and keeps the first time'),
    async () => {
      const s = submission(d.ordinary());
      const { ref } = await rail.submit(s);
      const retry = await rail.submit({ ...s, now: at(3_600_000) });
      assert.equal(retry.ref, ref);
      const ordinary = d.cases.find((c) => c.account.reveal() === d.ordinary().reveal());
      assert.ok(ordinary, 'the ordinary account is one of the documented cases');
      // Settled on the FIRST submit's clock: a retry must not restart the delay.
      assert.equal((await rail.status(ref, at(ordinary.settlesAfterMs))).state, ordinary.verdict.state);
    },
  );

  test(title('twenty concurrent submits of one payout answer one ref'), async () => {
    const s = submission(d.ordinary());
    const refs = await Promise.all(Array.from({ length: 20 }, () => rail.submit(s)));
    assert.equal(new Set(refs.map((r) => r.ref)).size, 1);
  });

  test(title('distinct payouts of the same account and amount get distinct refs'), async () => {
    const a = await rail.submit(submission(d.ordinary()));
    const b = await rail.submit(submission(d.ordinary()));
    assert.notEqual(a.ref, b.ref);
  });

  test(
    title('a payoutId reused with another amount or account is refused for good, without echoing the account'),
    async () => {
      const s = submission(d.ordinary());
      await rail.submit(s);
      const other = d.cases.find((c) => c.account.reveal() !== d.ordinary().reveal())!.account;
      for (const changed of [
        { ...s, amount: s.amount + 1n },
        { ...s, toAccount: other },
      ]) {
        await assert.rejects(rail.submit(changed), (e: unknown) => {
          assert.ok(e instanceof FiatPayoutRefused, String(e));
          assert.equal(e.reason, 'conflict');
          for (const shown of [e.message, inspect(e)]) {
            assert.ok(!shown.includes(d.ordinary().reveal()));
            assert.ok(!shown.includes(other.reveal()));
          }
          return true;
        });
      }
    },
  );

  test(title('after a restart a retry of an earlier submit answers the same ref'), async () => {
    const s = submission(d.ordinary());
    const { ref } = await rail.submit(s);
    const again = await d.restart();
    assert.equal((await again.submit({ ...s, now: at(60_000) })).ref, ref);
  });

  test(title('an unknown ref has the status unknown'), async () => {
    const unknown: FiatPayoutStatus = { state: 'unknown' };
    for (const ref of ['E99999999202612041200AAAAAAAAAAA', 'nope', ''])
      assert.deepEqual(await rail.status(ref, at(0)), unknown);
  });

  test(title('neither the ref nor a printed submission shows the account'), async () => {
    const s = submission(d.ordinary());
    const { ref } = await rail.submit(s);
    const shown = [ref, JSON.stringify({ ...s, amount: String(s.amount) }), inspect(s)];
    for (const t of shown) assert.ok(!t.includes(d.ordinary().reveal()), t);
  });

  return { rail: () => rail };
}
