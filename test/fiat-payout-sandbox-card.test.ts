// The sandbox bank card payout rail (src/rails/fiat-payout/sandbox-card.ts, payoutChannel 2) through the fiat
// payout rail conformance suite, plus its test cards and what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { CardNumber } from '../src/domain/card-number.js';
import { parsePixKey } from '../src/domain/pix-key.js';
import { FiatPayoutRefused } from '../src/rails/fiat-payout/payout-rail.js';
import { SETTLE_MS, SLOW_MS, memorySandboxPayoutStore } from '../src/rails/fiat-payout/sandbox-engine.js';
import { SANDBOX_TEST_CARDS, cardPayoutRef, sandboxCardRail } from '../src/rails/fiat-payout/sandbox-card.js';
import { runFiatPayoutRailConformance, type FiatPayoutCase } from './fiat-payout-rail-conformance.js';

const ORDINARY = CardNumber.parse('4111111111111111');

let store = memorySandboxPayoutStore();
const cases: FiatPayoutCase[] = [
  { name: 'an ordinary card', account: ORDINARY, settlesAfterMs: SETTLE_MS, verdict: { state: 'succeeded' } },
  ...Object.entries(SANDBOX_TEST_CARDS).map(
    ([scenario, pan]): FiatPayoutCase => ({
      name: `test card ${scenario}`,
      account: CardNumber.parse(pan),
      settlesAfterMs: scenario === 'slow' || scenario === 'timeout' ? SLOW_MS : SETTLE_MS,
      verdict: scenario === 'slow' ? { state: 'succeeded' } : { state: 'failed', reason: scenario },
    }),
  ),
];

runFiatPayoutRailConformance({
  name: 'sandbox-card',
  channel: 2,
  currency: 'USD',
  start: async () => {
    store = memorySandboxPayoutStore();
    return sandboxCardRail(store);
  },
  restart: async () => sandboxCardRail(store),
  stop: async () => {},
  ordinary: () => ORDINARY,
  cases,
});

test('issue 11: every sandbox test card is a valid, distinct card number', () => {
  const pans = Object.values(SANDBOX_TEST_CARDS);
  assert.equal(pans.length, 6);
  assert.equal(new Set(pans).size, pans.length);
  for (const pan of pans) assert.equal(CardNumber.parse(pan).reveal(), pan);
});

test('issue 11: the sandbox card rail refuses a Pix key (channel 1) for good', async () => {
  const rail = sandboxCardRail(memorySandboxPayoutStore());
  await assert.rejects(
    rail.submit({
      payoutId: 'p1',
      channel: 1,
      accountType: 'cpf',
      toAccount: parsePixKey('1', '52998224725'),
      amount: 100n,
      currency: 'BRL',
      now: new Date(0),
    }),
    (e: unknown) => e instanceof FiatPayoutRefused && e.reason === 'unsupported_channel',
  );
});

test('issue 11: the sandbox card store and refs never hold the card number', async () => {
  const s = memorySandboxPayoutStore();
  const rail = sandboxCardRail(s);
  const { ref } = await rail.submit({
    payoutId: 'p2',
    channel: 2,
    accountType: null,
    toAccount: ORDINARY,
    amount: 100n,
    currency: 'EUR',
    now: new Date('2026-12-04T21:07:00Z'),
  });
  assert.match(ref, /^C202612042107[0-9A-Z]{13}$/);
  assert.equal(ref, cardPayoutRef('p2', new Date('2026-12-04T21:07:59Z')));
  const kept = JSON.stringify(s.records()) + inspect(s.records());
  assert.ok(!kept.includes('4111111111111111') && !kept.includes('41111111'));
});

test('issue 11: docs/pix-payouts.md lists exactly the sandbox test cards the rail uses', () => {
  const doc = readFileSync(new URL('../../docs/pix-payouts.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\| [a-z_]+ \| `4/.test(l));
  assert.deepEqual(
    rows,
    Object.entries(SANDBOX_TEST_CARDS).map(([s, pan]) => `| ${s} | \`${pan}\` |`),
  );
});
