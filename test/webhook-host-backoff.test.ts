// Host backoff (issue 9, defect 6): a destination failing again and again is deferred as a whole, in the
// database so every worker agrees; its deliveries keep their own retry attempts meanwhile; when the
// deferral ends one probe goes out at a time; a success closes it and the backlog drains.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestEnv, newMerchant, until, sleep, type TestEnv } from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { completeOrder } from '../src/core/payments.js';
import { destinationHealth } from '../src/store/webhooks-repo.js';
import { destinationOf } from '../src/domain/destination-policy.js';
import { deliveriesTo, openOrder } from './webhook-test-kit.js';

let env: TestEnv;
let dispatcher: Dispatcher;
before(async () => {
  env = await startTestEnv({
    // Each delivery would retry every second, ten times, if nothing deferred it.
    TENDER_WEBHOOK_BACKOFF: '0,1,1,1,1,1,1,1,1,1',
    TENDER_WEBHOOK_HOST_FAILURES: '3',
    TENDER_WEBHOOK_HOST_BACKOFF_SECONDS: '60',
  });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await dispatcher.stop();
  await env.close();
});

test(
  'defect 9.6: a host failing again and again is backed ' + 'off as a whole without using up its deliveries',
  async () => {
    let status = 503;
    let calls = 0;
    let now = 0;
    let maxConcurrent = 0;
    const server = createServer((req, res) => {
      calls++;
      now++;
      maxConcurrent = Math.max(maxConcurrent, now);
      req.resume();
      setTimeout(() => {
        now--;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'success' : 'down');
      }, 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const dest = destinationOf(url);
    const health = () => destinationHealth(env.deps.db, dest);
    try {
      const m = await newMerchant(env, { callbackUrl: url });
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => openOrder(env, m, `BO-${i}`)));
      const settled = async () => (await deliveriesTo(env, m.merchantId)).every((d) => d.lease_until === null);
      const attemptsUsed = async () => (await deliveriesTo(env, m.merchantId)).reduce((s, d) => s + d.attempts, 0);
      await Promise.all(ids.map((id) => completeOrder(env.deps, id, { rail: 'sandbox' })));

      // 1. Deferred after three consecutive failures.
      const h1 = await until('the destination to be deferred', async () => (await health())?.deferred_until ?? false);
      await until('attempts in flight to finish', settled);
      const before = calls;
      assert.ok(
        before >= 3 && before <= 6,
        `3 failures (+ at most 3 already in flight) before deferral, saw ${before}`,
      );
      assert.ok(h1.getTime() - env.clock.now().getTime() > 55_000, 'deferred for the base interval');
      // Their own schedule would retry every second: nothing goes out, no attempt is used.
      await sleep(2500);
      assert.equal(calls, before, 'no attempt while the destination is deferred');
      assert.equal(await attemptsUsed(), before, 'deferred deliveries keep their attempts');
      assert.ok((await deliveriesTo(env, m.merchantId)).every((d) => d.state === 'pending'));

      // 2. The deferral ends: one probe; it fails, so the next deferral is twice as long.
      env.clock.advance(61);
      await until('the probe to be answered and deferred again', async () => (await health())!.deferrals === 2);
      await until('attempts in flight to finish', settled);
      assert.equal(calls, before + 1, 'exactly one probe while the destination is failing');
      const h2 = (await health())!;
      assert.ok(h2.deferred_until!.getTime() - env.clock.now().getTime() > 115_000, 'the second deferral doubles');

      // 3. The receiver recovers: the next probe succeeds, the deferral closes and the backlog drains.
      status = 200;
      env.clock.advance(121);
      await until(
        'every delivery to be acknowledged',
        async () => (await deliveriesTo(env, m.merchantId)).every((d) => d.state === 'delivered'),
        30_000,
      );
      assert.equal(await health(), undefined, 'a success forgets the failures');
      assert.equal(calls, before + 1 + 10, 'one acknowledged attempt per delivery after the failures');
      assert.ok(maxConcurrent <= 4, `per-destination cap held: ${maxConcurrent}`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  },
);

test('a refused connection counts as a host failure; answers that are not acknowledgements do not', async () => {
  let answer = 'not-ok';
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    const m = await newMerchant(env, { callbackUrl: url });
    const id = await openOrder(env, m, 'NACK-1');
    await completeOrder(env.deps, id, { rail: 'sandbox' });
    await until('three unacknowledged attempts', async () => (await deliveriesTo(env, m.merchantId))[0]!.attempts >= 3);
    assert.equal(await destinationHealth(env.deps.db, destinationOf(url)), undefined, 'host answered: up');
    answer = 'success';
    await until('delivered', async () => (await deliveriesTo(env, m.merchantId))[0]!.state === 'delivered');

    const dead = 'http://127.0.0.1:9/nobody';
    const m2 = await newMerchant(env, { callbackUrl: dead });
    const id2 = await openOrder(env, m2, 'DEAD-1');
    await completeOrder(env.deps, id2, { rail: 'sandbox' });
    const h = await until('the dead host to be counted', async () =>
      destinationHealth(env.deps.db, destinationOf(dead)),
    );
    assert.ok(h.consecutive_failures >= 1);
    assert.match(h.last_error ?? '', /ECONNREFUSED/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
