// The sandbox Pix payout rail (src/rails/fiat-payout/sandbox-pix.ts) through the fiat payout rail conformance
// suite, plus what is particular to it: the documented test keys, EndToEndIds and the store it keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePixKey, type PixKey } from '../src/domain/pix-key.js';
import { CardNumber } from '../src/domain/card-number.js';
import { FiatPayoutRefused } from '../src/rails/fiat-payout/payout-rail.js';
import {
  SANDBOX_TEST_KEYS,
  SETTLE_MS,
  SLOW_MS,
  endToEndId,
  memorySandboxPixStore,
  sandboxPixRail,
  scenarioOf,
} from '../src/rails/fiat-payout/sandbox-pix.js';
import { runFiatPayoutRailConformance, type FiatPayoutCase } from './fiat-payout-rail-conformance.js';

const TYPE = { cpf: '1', email: '2', phone: '3', random: '4' } as const;
const ORDINARY = parsePixKey('1', '529.982.247-25');

let store = memorySandboxPixStore();
const cases: FiatPayoutCase[] = [
  { name: 'an ordinary key', account: ORDINARY, settlesAfterMs: SETTLE_MS, verdict: { state: 'succeeded' } },
];
for (const [scenario, keys] of Object.entries(SANDBOX_TEST_KEYS)) {
  for (const [type, value] of Object.entries(keys)) {
    const slow = scenario === 'slow' || scenario === 'timeout';
    cases.push({
      name: `test key ${scenario} (${type})`,
      account: parsePixKey(TYPE[type as keyof typeof TYPE], value),
      settlesAfterMs: slow ? SLOW_MS : SETTLE_MS,
      verdict: scenario === 'slow' ? { state: 'succeeded' } : { state: 'failed', reason: scenario },
    });
  }
}

runFiatPayoutRailConformance({
  name: 'sandbox-pix',
  channel: 1,
  currency: 'BRL',
  start: async () => {
    store = memorySandboxPixStore();
    return sandboxPixRail(store);
  },
  restart: async () => sandboxPixRail(store),
  stop: async () => {},
  ordinary: () => ORDINARY,
  cases,
});

test('issue 11: every sandbox test key is a valid key of its type, and each scenario has one key per type', () => {
  assert.equal(Object.keys(SANDBOX_TEST_KEYS).length, 7);
  for (const [scenario, keys] of Object.entries(SANDBOX_TEST_KEYS)) {
    for (const [type, value] of Object.entries(keys)) {
      const k: PixKey = parsePixKey(TYPE[type as keyof typeof TYPE], value);
      assert.equal(k.reveal(), value, 'documented in the normalised form');
      assert.equal(scenarioOf(k.reveal()), scenario);
    }
  }
  assert.equal(scenarioOf('52998224725'), 'success');
});

test('issue 11: a test key written with punctuation or upper case picks the same scenario once normalised', async () => {
  const rail = sandboxPixRail(memorySandboxPixStore());
  const forms = [
    parsePixKey('1', '000.000.003-53'),
    parsePixKey('2', 'ACCOUNT-CLOSED@PIX.SANDBOX.TEST'),
    parsePixKey('3', '+55 (11) 90000-0003'),
    parsePixKey('4', '00000000-0000-4000-8000-000000000003'.toUpperCase()),
  ];
  await Promise.all(
    forms.map(async (k, i) => {
      const { ref } = await rail.submit({
        payoutId: `norm-${i}`,
        channel: 1,
        accountType: k.type,
        toAccount: k,
        amount: 100n,
        currency: 'BRL',
        now: new Date(0),
      });
      assert.deepEqual(await rail.status(ref, new Date(SETTLE_MS)), {
        state: 'failed',
        reason: 'account_closed',
        settledAt: new Date(SETTLE_MS),
      });
    }),
  );
});

test('issue 11: sandbox refs are Pix EndToEndIds (E + ISPB + yyyyMMddHHmm UTC + 11 characters)', () => {
  const id = endToEndId('payout-1', new Date('2026-12-04T21:07:59.999Z'));
  assert.match(id, /^E99999999202612042107[0-9A-Z]{11}$/);
  assert.equal(id.length, 32);
  assert.equal(endToEndId('payout-1', new Date('2026-12-04T21:07:00Z')), id, 'deterministic per payout and minute');
  assert.notEqual(endToEndId('payout-2', new Date('2026-12-04T21:07:00Z')), id);
});

test('issue 11: the sandbox store keeps neither the key nor the amount in clear', async () => {
  const s = memorySandboxPixStore();
  const rail = sandboxPixRail(s);
  const key = parsePixKey('2', 'maria.silva@example.com');
  await rail.submit({
    payoutId: 'p1',
    channel: 1,
    accountType: 'email',
    toAccount: key,
    amount: 98765n,
    currency: 'BRL',
    now: new Date(0),
  });
  const kept = JSON.stringify(s.records());
  assert.ok(!kept.includes('maria'));
  assert.ok(!kept.includes('98765'));
  assert.equal(s.records().length, 1);
});

test('issue 11: the sandbox Pix rail refuses a card (channel 2) and a currency other than BRL for good', async () => {
  const rail = sandboxPixRail(memorySandboxPixStore());
  const card = CardNumber.parse('4111111111111111');
  const base = { payoutId: 'c1', amount: 100n, now: new Date(0) };
  await assert.rejects(
    rail.submit({ ...base, channel: 2, accountType: null, toAccount: card, currency: 'BRL' }),
    (e: unknown) => e instanceof FiatPayoutRefused && e.reason === 'unsupported_channel',
  );
  await assert.rejects(
    rail.submit({ ...base, channel: 1, accountType: 'cpf', toAccount: ORDINARY, currency: 'USD' }),
    (e: unknown) => e instanceof FiatPayoutRefused && e.reason === 'unsupported_currency',
  );
});

test('issue 11: docs/pix-payouts.md lists exactly the sandbox test keys the rail uses', () => {
  const doc = readFileSync(new URL('../../docs/pix-payouts.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\| [a-z_]+ \| `[0-9]{11}`/.test(l));
  assert.deepEqual(
    rows,
    Object.entries(SANDBOX_TEST_KEYS).map(
      ([s, k]) => `| ${s} | ${[k.cpf, k.email, k.phone, k.random].map((x) => `\`${x}\``).join(' | ')} |`,
    ),
  );
  assert.match(doc, new RegExp(`turns final \\*\\*${SETTLE_MS / 1000} s\\*\\*`));
  assert.match(doc, new RegExp(`\\*\\*${SLOW_MS / 3_600_000} h\\*\\* for the \`slow\``));
});
