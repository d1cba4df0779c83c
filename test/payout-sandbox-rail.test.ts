// Issue 11: the sandbox payout rail runs the conformance suite every crypto payout rail runs
// (test/payout-rail-conformance.ts), over its pretend chain in a real PostgreSQL; the driver mines blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestEnv, type TestEnv } from './harness.js';
import { runPayoutRailConformance } from './payout-rail-conformance.js';
import { sandboxPayoutRail, type SandboxPayoutRail } from '../src/rails/payout/sandbox.js';

let env: TestEnv;
let rail: SandboxPayoutRail;

const conf = runPayoutRailConformance({
  name: 'sandbox',
  network: 'TRON',
  assets: ['TRX', 'USDT'],
  unit: () => 1_000_000n,
  async start() {
    env = await startTestEnv();
    // Hot wallet funded on the pretend chain only, settled by mining only: the suite sees a chain's behaviour.
    rail = sandboxPayoutRail({ db: env.deps.db, clock: env.clock, delayMs: () => null, unlimited: false });
    return rail;
  },
  stop: () => env.close(),
  fund: (address, asset, amount) => rail.fund('TRON', address, asset, amount),
  newRecipient: async () => `T${randomBytes(16).toString('hex')}`,
  balanceOf: (address, asset) => rail.balanceOf('TRON', address, asset),
  mine: (n) => rail.mine('TRON', n),
});

test('issue 11: the sandbox rail confirms a broadcast transaction on its own after the configured delay', async () => {
  const r = conf.rail() as SandboxPayoutRail;
  const delayed = sandboxPayoutRail({ db: env.deps.db, clock: env.clock, delayMs: () => 1000, unlimited: false });
  const to = `T${randomBytes(16).toString('hex')}`;
  const s = await delayed.sign(
    { payoutId: 'delay-1', network: 'TRON', asset: 'TRX', to, amount: 5n },
    { nonce: null, reservedOutpoints: new Set() },
  );
  await delayed.broadcast('TRON', s);
  assert.deepEqual(await r.verdict('TRON', s.txHash), { state: 'pending' });
  env.clock.advance(2);
  const v = await r.verdict('TRON', s.txHash);
  assert.equal(v.state, 'included');
  assert.ok(v.state === 'included' && v.confirmations >= 1000, 'deeper than any confirmation depth');
  assert.equal(await r.balanceOf('TRON', to, 'TRX'), 5n);
});
