// `npm run bench:webhooks`: webhook deliveries per second to a healthy receiver, alone and with --hanging
// deliveries (default 100) to a receiver that accepts connections and never answers, measured in the
// same run in alternating rounds, printed as a ratio (issue 9, defect 6). The hanging deliveries are due
// first, the worst order for a dispatcher with a batch barrier.
//
// Real dispatcher, real HTTP on 127.0.0.1, PostgreSQL from the test harness (embedded, or
// TENDER_TEST_PG_URL). Options: --deliveries N (1000 healthy per round), --hanging N (100), --rounds N (3),
// --hanging-hosts N (1: all hanging deliveries to one host; more spreads them over that many hosts),
// --per-destination N (4: TENDER_WEBHOOK_PER_DESTINATION).
import { parseArgs } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestEnv, newMerchant, until } from '../test/harness.js';
import { hanging, type BadReceiver } from '../test/bad-receivers.js';
import { startWebhookDispatcher } from '../src/workers/webhook-dispatcher.js';
import { createOrder } from '../src/core/orders.js';
import { findMerchant } from '../src/store/merchants-repo.js';
import { insertDelivery } from '../src/store/webhooks-repo.js';
import { inTx } from '../src/store/db.js';

const { values: a } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '1000' },
    hanging: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
    'hanging-hosts': { type: 'string', default: '1' },
    'per-destination': { type: 'string', default: '4' },
  },
  strict: true,
});
const N = Number(a.deliveries);
const HANGING = Number(a.hanging);
const ROUNDS = Number(a.rounds);
const HOSTS = Number(a['hanging-hosts']);
for (const [k, v] of Object.entries({ N, HANGING, ROUNDS, HOSTS }))
  if (!Number.isInteger(v) || v < (k === 'HANGING' ? 0 : 1)) throw new Error(`bad option value for ${k}: ${v}`);

// Hanging attempts must stay hanging through a round: a long timeout and no retry within the bench.
const env = await startTestEnv({
  TENDER_WEBHOOK_TIMEOUT_MS: '120000',
  TENDER_WEBHOOK_BACKOFF: '0,3600',
  TENDER_WEBHOOK_PER_DESTINATION: String(a['per-destination']),
});
let received = 0;
const healthy = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
  });
});
await new Promise<void>((r) => healthy.listen(0, '127.0.0.1', r));
const healthyUrl = `http://127.0.0.1:${(healthy.address() as AddressInfo).port}/hook`;

const creds = await newMerchant(env, { callbackUrl: healthyUrl });
const merchant = (await findMerchant(env.deps.db, String(creds.merchantId)))!;
const orders = async (prefix: string, n: number): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 50) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, j) =>
        createOrder(env.deps, merchant, {
          dialect: 'openapi',
          merchantTradeNo: `${prefix}-${i + j}`,
          userId: 'u',
          currency: 'USD',
          amount: 100n,
          amountText: '1',
          fingerprint: { n: `${prefix}-${i + j}` },
        }),
      ),
    );
    ids.push(...chunk.map((c) => c.order.id));
  }
  return ids;
};
const healthyOrders = await orders('H', N);
const hangingOrders = await orders('X', HANGING);

/** Outbox rows as a status change writes them; the hanging ones due a second earlier. */
async function enqueue(urls: Array<{ orderId: string; url: string; early: boolean }>) {
  const now = env.deps.clock.now();
  await inTx(env.deps.db, async (tx) => {
    for (const d of urls)
      await insertDelivery(tx, {
        merchantId: merchant.id,
        orderId: d.orderId,
        orderStatus: 14,
        format: 'cpay',
        url: d.url,
        payload: { merchantId: Number(merchant.id), orderId: d.orderId, orderStatus: 14, orderAmount: '1.00' },
        at: now,
        firstDelaySeconds: d.early ? -1 : 0,
      });
  });
}

const dispatcher = startWebhookDispatcher(env.deps, { pollMs: 20 });

async function round(withHanging: boolean): Promise<number> {
  let bad: BadReceiver[] = [];
  if (withHanging && HANGING) {
    bad = await Promise.all(Array.from({ length: HOSTS }, () => hanging()));
    await enqueue(hangingOrders.map((orderId, i) => ({ orderId, url: bad[i % HOSTS]!.url, early: true })));
    await until('hanging attempts in flight', async () => bad.every((b) => b.seen() > 0), 60_000);
  }
  const start = received;
  const t0 = performance.now();
  await enqueue(healthyOrders.map((orderId) => ({ orderId, url: healthyUrl, early: false })));
  await until(`${N} healthy deliveries`, async () => received - start >= N, 600_000);
  const rate = N / ((performance.now() - t0) / 1000);
  // Let the hanging attempts fail now (connections dropped) and retire their deliveries.
  await Promise.all(bad.map((b) => b.close()));
  await until('hanging attempts recorded', async () => {
    const { rows } = await env.deps.db.query(
      "SELECT count(*)::int AS n FROM webhook_deliveries WHERE state = 'pending' AND lease_until IS NOT NULL",
    );
    return rows[0].n === 0;
  });
  await env.deps.db.query("UPDATE webhook_deliveries SET state = 'failed' WHERE state = 'pending'");
  await env.deps.db.query('DELETE FROM webhook_destinations');
  return rate;
}

const idle: number[] = [];
const loaded: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  idle.push(await round(false));
  loaded.push(await round(true));
  console.log(`round ${r + 1}: ${idle.at(-1)!.toFixed(0)}/s alone, ${loaded.at(-1)!.toFixed(0)}/s with hanging`);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const result = {
  deliveries: N,
  hanging: HANGING,
  hangingHosts: HOSTS,
  rounds: ROUNDS,
  perSecondAlone: Math.round(median(idle)),
  perSecondWithHanging: Math.round(median(loaded)),
  ratio: Number((median(loaded) / median(idle)).toFixed(3)),
};
console.log(
  `webhooks/s to a healthy receiver: ${result.perSecondAlone} alone, ${result.perSecondWithHanging} with ` +
    `${HANGING} deliveries hanging on ${HOSTS} host(s); ratio ${result.ratio}`,
);
console.log(JSON.stringify(result));
await dispatcher.stop();
healthy.closeAllConnections();
healthy.close();
await env.close();
