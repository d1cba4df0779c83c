// Issue 11 in live mode: a network pays out only when its RPC is configured, its family's payout rail is
// registered (PAYOUT_RAIL_FACTORIES, one line per chain rail) and its hot wallet exists; the rail receives the
// hot wallet's signer opened from its sealed key. The sandbox rail stands in for the TRON rail here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newMerchant, startTestEnv, until, type TestEnv } from './harness.js';
import { fundMerchant, withdraw } from './payout-helpers.js';
import { OPENAPI_CODES } from '../src/api/openapi/error-codes.js';
import { PAYOUT_RAIL_FACTORIES } from '../src/rails/payout/registry.js';
import { sandboxPayoutRail } from '../src/rails/payout/sandbox.js';
import { createHotWallet } from '../src/core/hot-wallets.js';
import { hotWalletAddress } from '../src/rails/payout/hot-wallet-address.js';
import { startPayoutSender } from '../src/workers/payout-sender.js';
import type { NetworkConfig } from '../src/rails/crypto/networks.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv({
    TENDER_MODE: 'live',
    TENDER_RPC_TRON: 'http://127.0.0.1:9',
    TENDER_CONFIRMATIONS_TRON: '3',
  });
});
after(async () => {
  delete PAYOUT_RAIL_FACTORIES.tron;
  await env.close();
});

test('issue 11: live payouts need a registered rail and a hot wallet; the rail gets the sealed key as a signer', async () => {
  const m = await newMerchant(env);
  await fundMerchant(env, m, 'USDT', '50');
  assert.equal((await withdraw(env, m)).body.code, OPENAPI_CODES.PAYOUT_UNAVAILABLE, 'no TRON rail registered');
  let given: { networks: NetworkConfig[]; address: string } | undefined;
  PAYOUT_RAIL_FACTORIES.tron = (networks, signer) => {
    given = { networks, address: hotWalletAddress('tron', signer.publicKey()) };
    return {
      ...sandboxPayoutRail({ db: env.deps.db, clock: env.clock, delayMs: () => 0, unlimited: true }),
      id: 'tron',
    };
  };
  const noWallet = await withdraw(env, m);
  assert.equal(noWallet.body.code, OPENAPI_CODES.PAYOUT_UNAVAILABLE);
  assert.match(noWallet.body.msg, /hot wallet/);
  assert.equal((await withdraw(env, m, { network: 'BSC(BEP-20)' })).body.code, OPENAPI_CODES.PAYOUT_UNAVAILABLE);
  const w = await createHotWallet(env.deps, 'tron');
  const r = await withdraw(env, m);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const sender = startPayoutSender(env.deps, { pollMs: 20 });
  try {
    await until(
      'paid through the registered rail',
      async () =>
        (await env.deps.db.query('SELECT status FROM orders WHERE id = $1', [r.body.data.orderId])).rows[0].status ===
        14,
    );
  } finally {
    await sender.stop();
  }
  assert.deepEqual(
    given?.networks.map((n) => [n.key, n.confirmations]),
    [['TRON', 3]],
  );
  assert.equal(given?.address, w.address, 'the signer is the hot wallet the CLI created');
  const a = await env.deps.db.query('SELECT rail FROM payout_attempts WHERE payout_id = $1', [r.body.data.orderId]);
  assert.deepEqual(a.rows, [{ rail: 'tron' }]);
});
