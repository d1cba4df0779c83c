// The webhook dispatcher under bad receivers (issue 9, defects 6 and 7): hanging, slow and huge-body
// receivers do not delay a healthy merchant's webhooks, answers are read only up to a few KB, the
// per-destination cap holds across worker processes, and stop() drains attempts in flight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestEnv, newMerchant, webhookReceiver, until, sleep, type TestEnv } from './harness.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { completeOrder } from '../src/core/payments.js';
import { hanging, holding, hugeBody } from './bad-receivers.js';
import { attemptsOf, deliveriesTo, openOrder } from './webhook-test-kit.js';

let env: TestEnv;
let dispatcher: Dispatcher;
before(async () => {
  // One retry a minute later: within a test every failure stays a single attempt.
  env = await startTestEnv({ TENDER_WEBHOOK_BACKOFF: '0,60', TENDER_WEBHOOK_TIMEOUT_MS: '4000' });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await dispatcher.stop();
  await env.close();
});

const complete = (ids: string[]) => Promise.all(ids.map((id) => completeOrder(env.deps, id, { rail: 'sandbox' })));

test(
  'defects 9.6 and 9.7: hanging, slow and 200 MB receivers ' + 'neither delay a healthy merchant nor grow memory',
  async () => {
    const hang = await hanging();
    const slow = await holding(3000);
    const huge = await hugeBody(200 * 1024 * 1024);
    const healthy = await webhookReceiver([{ status: 200, body: 'success' }]);
    try {
      const mHang = await newMerchant(env, { callbackUrl: hang.url });
      const mSlow = await newMerchant(env, { callbackUrl: slow.url });
      const mHuge = await newMerchant(env, { callbackUrl: huge.url });
      const mOk = await newMerchant(env, { callbackUrl: healthy.url });
      const make = (m: typeof mOk, p: string, n: number) =>
        Promise.all(Array.from({ length: n }, (_, i) => openOrder(env, m, `${p}-${i}`)));
      const [hangIds, slowIds, hugeIds, okIds] = [
        await make(mHang, 'HANG', 40),
        await make(mSlow, 'SLOW', 20),
        await make(mHuge, 'HUGE', 3),
        await make(mOk, 'OK', 8),
      ];

      global.gc?.();
      const rss0 = process.memoryUsage().rss;
      let rssMax = rss0;
      const sampler = setInterval(() => {
        rssMax = Math.max(rssMax, process.memoryUsage().rss);
      }, 10);
      try {
        await complete([...hangIds, ...slowIds, ...hugeIds]);
        await until('the bad receivers to be busy', async () => hang.seen() > 0 && slow.seen() > 0 && huge.seen() > 0);

        const latencies: number[] = [];
        for (const id of okIds) {
          const t0 = Date.now();
          await completeOrder(env.deps, id, { rail: 'sandbox' });
          const call = await until(
            `the healthy webhook of ${id}`,
            async () => healthy.calls.find((c) => JSON.parse(c.form.get('param')!).orderId === id),
            15_000,
          );
          latencies.push(call.at - t0);
          await sleep(150);
        }
        console.log(`# healthy webhook latency ms: ${latencies.join(', ')}`);
        assert.ok(
          latencies.every((l) => l < 1000),
          `every healthy webhook arrives within 1 s of completion: ${latencies}`,
        );

        // The huge answers were cut after the first bytes: each attempt recorded 200, not acknowledged.
        for (const id of hugeIds) {
          const rows = await until(`the attempt of ${id}`, async () => {
            const a = await attemptsOf(env, id);
            return a.length ? a : undefined;
          });
          assert.equal(rows[0]!.http_status, 200);
          assert.equal(rows[0]!.ok, false);
          assert.ok(rows[0]!.response_body!.length <= 512);
        }
        console.log(`# RSS before ${(rss0 / 1e6).toFixed(0)} MB, peak ${(rssMax / 1e6).toFixed(0)} MB`);
        assert.ok(
          rssMax - rss0 < 150e6,
          `RSS grew by ${((rssMax - rss0) / 1e6).toFixed(0)} MB with 3 x 200 MB offered`,
        );
        assert.ok(huge.bytesSent() < 100e6, `only socket buffers' worth was pulled: ${huge.bytesSent()} bytes`);
        assert.ok(hang.maxOpen() <= 4, `at most 4 connections to the hanging host at once, saw ${hang.maxOpen()}`);
      } finally {
        clearInterval(sampler);
      }
    } finally {
      await Promise.all([hang.close(), slow.close(), huge.close(), healthy.close()]);
    }
  },
);

test('defect 9.6: two dispatchers together keep at most 4 attempts in flight to one destination', async () => {
  const rx = await holding(600);
  const second = startWebhookDispatcher(env.deps, { pollMs: 50 });
  try {
    const m = await newMerchant(env, { callbackUrl: rx.url });
    const ids = await Promise.all(Array.from({ length: 16 }, (_, i) => openOrder(env, m, `CAP-${i}`)));
    await complete(ids);
    await until(
      'every delivery to be acknowledged',
      async () => (await deliveriesTo(env, m.merchantId)).every((d) => d.state === 'delivered'),
      30_000,
    );
    assert.equal(rx.seen(), 16, 'each delivery sent exactly once');
    assert.ok(rx.maxConcurrent() <= 4, `at most 4 in flight to one destination, saw ${rx.maxConcurrent()}`);
    assert.ok(rx.maxConcurrent() >= 2, 'several attempts do run in parallel');
  } finally {
    await second.stop();
    await rx.close();
  }
});

test('a redirect is not followed: the attempt records the 3xx and the target is never called', async () => {
  const target = await webhookReceiver([{ status: 200, body: 'success' }]);
  const redirecting = createServer((req, res) => {
    req.resume();
    res.writeHead(307, { location: target.url }).end();
  });
  await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
  try {
    const port = (redirecting.address() as AddressInfo).port;
    const m = await newMerchant(env, { callbackUrl: `http://127.0.0.1:${port}/hook` });
    const id = await openOrder(env, m, 'REDIR-1');
    await complete([id]);
    const rows = await until('the attempt', async () => {
      const a = await attemptsOf(env, id);
      return a.length ? a : undefined;
    });
    assert.equal(rows[0]!.http_status, 307);
    assert.equal(rows[0]!.ok, false);
    assert.equal(target.calls.length, 0);
  } finally {
    await target.close();
    redirecting.closeAllConnections();
    await new Promise((r) => redirecting.close(r));
  }
});

test('stop() waits for the attempt in flight and records it', async () => {
  const rx = await holding(800);
  const own = startWebhookDispatcher(env.deps, { pollMs: 50 });
  await dispatcher.stop(); // only `own` runs during this test
  try {
    const m = await newMerchant(env, { callbackUrl: rx.url });
    const id = await openOrder(env, m, 'STOP-1');
    await complete([id]);
    await until('the attempt to reach the receiver', async () => rx.seen() === 1);
    await own.stop();
    assert.equal(rx.answered(), 1, 'stop() returned only after the receiver answered');
    const rows = await attemptsOf(env, id);
    assert.deepEqual(
      rows.map((r) => [r.attempt_no, r.ok]),
      [[1, true]],
    );
  } finally {
    dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
    await rx.close();
  }
});

test('defect 9.6: more hanging hosts than slots do not starve a healthy merchant', async () => {
  await dispatcher.stop(); // only `own`, with 4 slots, runs during this test
  const saved = env.deps.config.webhookTimeoutMs;
  env.deps.config.webhookTimeoutMs = 20_000;
  const own = startWebhookDispatcher(env.deps, { pollMs: 50, concurrency: 4 });
  const hosts = await Promise.all(Array.from({ length: 8 }, () => hanging()));
  const healthy = await webhookReceiver([{ status: 200, body: 'success' }]);
  try {
    const ids = [];
    for (const [i, h] of hosts.entries()) {
      const m = await newMerchant(env, { callbackUrl: h.url });
      ids.push(await openOrder(env, m, `MANY-${i}`));
    }
    await complete(ids);
    await until('every hanging host to hold a connection', async () => hosts.every((h) => h.seen() === 1), 15_000);
    const mOk = await newMerchant(env, { callbackUrl: healthy.url });
    const id = await openOrder(env, mOk, 'MANY-OK');
    await complete([id]);
    await healthy.waitFor(1, 10_000);
    assert.ok(
      hosts.every((h) => h.seen() === 1),
      'the healthy webhook arrived while all 8 hosts (twice the slots) still hung',
    );
  } finally {
    await Promise.all(hosts.map((h) => h.close()));
    await own.stop();
    env.deps.config.webhookTimeoutMs = saved;
    dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
    await healthy.close();
  }
});
