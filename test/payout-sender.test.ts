// Issue 11, the payout sender's bookkeeping, on the sandbox rail wrapped as a nonce chain: EVM-style nonces are
// reserved under the network lock (unique and gap-free across two concurrent senders), kept in the database
// across restarts, and a transaction whose nonce the chain gave to another is replaced, never paid twice;
// outpoints of unconfirmed payouts are never offered again; a hanging network never delays another.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newMerchant, startTestEnv, until, type TestEnv } from './harness.js';
import { ADDR, fundMerchant, withdraw } from './payout-helpers.js';
import { brokenInvariants } from './invariants.js';
import { startPayoutSender } from '../src/workers/payout-sender.js';
import { sandboxPayoutRail } from '../src/rails/payout/sandbox.js';
import type { PayoutRail, SendContext } from '../src/rails/payout/payout-rail.js';
import type { PayoutRoute } from '../src/rails/payout/registry.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

let env: TestEnv;
let dbUrl: string;
let m: MerchantCredentials;

before(async () => {
  env = await startTestEnv({ TENDER_SANDBOX_PAYOUT_DELAY_MS: '100' });
  dbUrl = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  m = await newMerchant(env);
  await fundMerchant(env, m, 'USDT', '100000');
  await fundMerchant(env, m, 'ETH', '100');
});
after(async () => {
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  await env.close();
});

/** The sandbox rail plus a chain nonce the test controls, recording every context it was asked to sign with. */
function nonceRail(opts: { chainNonce: () => bigint; spends?: boolean; gate?: Promise<void> }) {
  const base = sandboxPayoutRail({ db: env.deps.db, clock: env.clock, delayMs: () => 100, unlimited: true });
  const contexts: SendContext[] = [];
  let out = 0;
  const rail: PayoutRail = {
    ...base,
    chainNonce: async () => opts.chainNonce(),
    async sign(t, ctx) {
      if (opts.gate) await opts.gate; // a node that does not answer until the test lets it fail
      contexts.push(ctx);
      const s = await base.sign(t, ctx);
      return opts.spends ? { ...s, detail: { ...s.detail, spent: `${'ab'.repeat(32)}:${out++}` } } : s;
    },
  };
  return { rail, contexts };
}

const payoutsOn = async (network: string) =>
  (
    await env.deps.db.query(
      `SELECT o.status, a.nonce::text, a.state FROM payouts p JOIN orders o ON o.id = p.order_id
       LEFT JOIN payout_attempts a ON a.payout_id = p.order_id WHERE p.network = $1 ORDER BY a.nonce`,
      [network],
    )
  ).rows;

test(
  'issue 11: nonces are reserved once each, gap-free, by two concurrent senders, and kept across ' + 'a restart',
  async () => {
    const { rail, contexts } = nonceRail({ chainNonce: () => 7n });
    const routes: PayoutRoute[] = [{ rail, network: 'ETHEREUM', wire: 'Ethereum(ERC-20)', depth: 1 }];
    for (let i = 0; i < 6; i++)
      assert.equal(
        (
          await withdraw(env, m, {
            network: 'ETH',
            cryptoCurrency: 'ETH',
            toAddress: ADDR.evm,
            totalAmount: '0.1',
            receivedAmount: '0.1',
          })
        ).body.code,
        0,
      );
    // Two sender processes' worth of loops on the same network at once.
    const a = startPayoutSender(env.deps, { routes, pollMs: 20 });
    const b = startPayoutSender(env.deps, { routes, pollMs: 20 });
    await until('all paid', async () => (await payoutsOn('ETHEREUM')).every((r) => r.status === 14));
    await a.stop();
    await b.stop();
    assert.deepEqual(
      contexts.map((c) => c.nonce).sort((x, y) => (x! < y! ? -1 : 1)),
      [7n, 8n, 9n, 10n, 11n, 12n],
    );
    // A restart (new sender) continues from the kept nonce, even though this chain still says 7.
    await withdraw(env, m, {
      network: 'ETH',
      cryptoCurrency: 'ETH',
      toAddress: ADDR.evm,
      totalAmount: '0.1',
      receivedAmount: '0.1',
    });
    const c = startPayoutSender(env.deps, { routes, pollMs: 20 });
    await until('paid after restart', async () => (await payoutsOn('ETHEREUM')).every((r) => r.status === 14));
    await c.stop();
    assert.equal(contexts.at(-1)!.nonce, 13n);
  },
);

test(
  'issue 11: a stored transaction whose nonce the chain gave to another is dropped and re-signed, ' + 'paid once',
  async () => {
    let chain = 0n;
    const { rail, contexts } = nonceRail({ chainNonce: () => chain });
    // Broadcasts are lost (a node that accepts nothing), so the first transaction stays unknown to the chain.
    let lose = true;
    let lost = 0;
    const lossy: PayoutRail = {
      ...rail,
      async broadcast(n, s) {
        if (lose) {
          lost++;
          throw new Error('connection reset');
        }
        return rail.broadcast(n, s);
      },
    };
    const routes: PayoutRoute[] = [{ rail: lossy, network: 'BSC', wire: 'BSC(BEP-20)', depth: 1 }];
    const r = await withdraw(env, m, {
      network: 'BSC(BEP-20)',
      toAddress: ADDR.evm,
      totalAmount: '5',
      receivedAmount: '5',
    });
    const id = r.body.data.orderId;
    const s = startPayoutSender(env.deps, { routes, pollMs: 20 });
    // Signed is not yet stored: wait for the stored attempt's first (lost) broadcast before the chain moves on,
    // or the first transaction could still be sent and confirmed instead of dropped.
    await until('signed, stored and lost once', async () => lost >= 1);
    assert.equal(contexts[0]!.nonce, 0n);
    chain = 1n; // the hot wallet's nonce 0 went to some other transaction
    lose = false;
    await until('paid', async () => (await payoutsOn('BSC')).some((x) => x.status === 14));
    await s.stop();
    const rows = await env.deps.db.query(
      'SELECT state, nonce::text FROM payout_attempts WHERE payout_id = $1 ORDER BY id',
      [id],
    );
    assert.deepEqual(rows.rows, [
      { state: 'dropped', nonce: '0' },
      { state: 'confirmed', nonce: '1' },
    ]);
    const onChain = await env.deps.db.query('SELECT count(*)::int AS n FROM sandbox_chain_txs WHERE payout_id = $1', [
      id,
    ]);
    assert.equal(onChain.rows[0].n, 1, 'only the replacement reached the chain');
  },
);

test('issue 11: outpoints spent by unconfirmed payouts are never offered to the next signature', async () => {
  const { rail, contexts } = nonceRail({ chainNonce: () => 0n, spends: true });
  const held: PayoutRail = { ...rail, chainNonce: undefined, verdict: async () => ({ state: 'pending' }) };
  const routes: PayoutRoute[] = [{ rail: held, network: 'BITCOIN', wire: 'Bitcoin', depth: 1 }];
  await fundMerchant(env, m, 'BTC', '1');
  for (let i = 0; i < 3; i++)
    assert.equal(
      (
        await withdraw(env, m, {
          network: 'Bitcoin',
          cryptoCurrency: 'BTC',
          toAddress: ADDR.btcWpkh,
          totalAmount: '0.01',
          receivedAmount: '0.01',
        })
      ).body.code,
      0,
    );
  const s = startPayoutSender(env.deps, { routes, pollMs: 20 });
  await until('three signed', async () => contexts.length >= 3);
  await s.stop();
  assert.deepEqual(
    contexts.map((c) => [...c.reservedOutpoints].length),
    [0, 1, 2],
  );
  assert.deepEqual([...contexts[2]!.reservedOutpoints].sort(), [`${'ab'.repeat(32)}:0`, `${'ab'.repeat(32)}:1`]);
  // Let them settle so the file ends with every payout final.
  const done = startPayoutSender(env.deps, {
    routes: [
      {
        rail: sandboxPayoutRail({ db: env.deps.db, clock: env.clock, delayMs: () => 0, unlimited: true }),
        network: 'BITCOIN',
        wire: 'Bitcoin',
        depth: 1,
      },
    ],
    pollMs: 20,
  });
  await until('settled', async () => (await payoutsOn('BITCOIN')).every((r) => r.status === 14));
  await done.stop();
});

test('issue 11: a network whose node hangs never delays payouts on another network', async () => {
  env.deps.config.payout.railTimeoutMs = 600_000; // not the timeout: the loops are independent
  let fail: (e: Error) => void = () => {};
  const gate = new Promise<void>((_, reject) => {
    fail = reject;
  });
  gate.catch(() => {});
  const hung = nonceRail({ chainNonce: () => 0n, gate });
  const fine = sandboxPayoutRail({ db: env.deps.db, clock: env.clock, delayMs: () => 0, unlimited: true });
  const routes: PayoutRoute[] = [
    { rail: { ...hung.rail, chainNonce: undefined }, network: 'TRON', wire: 'TRON(TRC-20)', depth: 1 },
    { rail: fine, network: 'ETHEREUM', wire: 'Ethereum(ERC-20)', depth: 1 },
  ];
  const stuck = await withdraw(env, m, { totalAmount: '3', receivedAmount: '3' });
  const s = startPayoutSender(env.deps, { routes, pollMs: 20 });
  await new Promise((r) => setTimeout(r, 200)); // the TRON loop is now inside its hanging sign
  const ok = await withdraw(env, m, {
    network: 'ETH',
    cryptoCurrency: 'ETH',
    toAddress: ADDR.evm,
    totalAmount: '0.2',
    receivedAmount: '0.2',
  });
  const status = async (id: string) =>
    (await env.deps.db.query('SELECT status FROM orders WHERE id = $1', [id])).rows[0].status as number;
  await until('the Ethereum payout paid', async () => (await status(ok.body.data.orderId)) === 14);
  assert.equal(await status(stuck.body.data.orderId), 0, 'the TRON payout still waits on its node');
  // The node finally fails: the TRON payout is put aside (rail_error), nothing was signed or moved.
  fail(new Error('node unreachable'));
  await s.stop();
  const p = await env.deps.db.query('SELECT stage, reason FROM payouts WHERE order_id = $1', [stuck.body.data.orderId]);
  assert.deepEqual(p.rows[0], { stage: 'ready', reason: 'rail_error' });
  env.deps.config.payout.railTimeoutMs = 30_000;
  // Let it settle so the file ends with every payout final.
  const done = startPayoutSender(env.deps, {
    routes: [{ ...routes[1]!, network: 'TRON', wire: 'TRON(TRC-20)' }],
    pollMs: 20,
  });
  env.clock.advance(10); // past its retry time
  await until('settled', async () => (await status(stuck.body.data.orderId)) === 14);
  await done.stop();
});
