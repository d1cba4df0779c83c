// `npm run bench:portal-orders`: the merchant portal's Payments list at size (issue 12). Seeds --orders N
// (1,000,000) orders for one merchant among --others M (4) merchants with N/10 each, spread over a year, of every
// kind, status and a few currencies (generate_series, in chunks), then times the real list code
// (core/portal-payments listPayments: filter parsing, the keyset query, formatting) for the first page, deep
// pages by keyset, and each filter, --samples S (200) times each with random arguments, against a baseline
// measured in the same run: a primary-key lookup of one order. Prints p50/p99 and ratios to the baseline.
//
// PostgreSQL from the test harness (embedded, or TENDER_TEST_PG_URL). --csv also times a streamed CSV export of
// one month of orders (rows per second); it is on by default.
import { parseArgs } from 'node:util';
import { startTestEnv, newMerchant } from '../test/harness.js';
import { listPayments } from '../src/core/portal-payments.js';
import { paymentsCsv } from '../src/core/portal-payments-csv.js';
import { findMerchantOrder } from '../src/store/portal-orders-repo.js';
import { encodeCursor } from '../src/core/portal-payments-filter.js';

const { values: a } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000000' },
    others: { type: 'string', default: '4' },
    samples: { type: 'string', default: '200' },
    csv: { type: 'boolean', default: true },
  },
  strict: true,
});
const N = Number(a.orders);
const OTHERS = Number(a.others);
const SAMPLES = Number(a.samples);
for (const [k, v] of Object.entries({ N, OTHERS, SAMPLES }))
  if (!Number.isInteger(v) || v < (k === 'OTHERS' ? 0 : 1)) throw new Error(`bad option value for ${k}: ${v}`);

const env = await startTestEnv();
const db = env.deps.db;
const END = new Date(Date.UTC(2026, 0, 1));
const YEAR_S = 365 * 86400;

/**
 * n orders of one merchant, created uniformly over the year before END. Kinds: 90 % pay-ins, 8 % crypto payouts,
 * 2 % fiat payouts; statuses 60 % completed, 20 % closed, 15 % pending, 5 % processing; currencies USDT, USD, XOF;
 * completed orders carry a transaction hash.
 */
async function seed(merchantId: number, n: number, tag: string): Promise<void> {
  const CHUNK = 100_000;
  for (let from = 1; from <= n; from += CHUNK) {
    const to = Math.min(n, from + CHUNK - 1);
    await db.query(
      `INSERT INTO orders (id, merchant_id, merchant_trade_no, kind, dialect, request_digest, currency, amount,
         amount_text, status, fee, received_amount, paid_amount, hash, network, pay_code, watch_code, expires_at,
         created_at, updated_at, completed_at)
       SELECT $1::text || g, $2::bigint, 'bench-' || g, k.kind, d.dialect, 'x', c.cur,
              c.unit * (1 + (hashint % 20000)), 'x', s.status,
              CASE WHEN s.status = 14 THEN c.unit END, CASE WHEN s.status = 14 THEN c.unit * (hashint % 20000) END,
              CASE WHEN s.status = 14 THEN c.unit * (1 + (hashint % 20000)) END,
              CASE WHEN s.status = 14 THEN '0x' || md5($1::text || g) || md5(g::text) END,
              CASE WHEN c.cur = 'USDT' THEN 'TRON(TRC-20)' END,
              'bp' || $1::text || g, 'bw' || $1::text || g, at + interval '1 hour', at, at,
              CASE WHEN s.status IN (14, 15) THEN at + interval '5 minutes' END
       FROM generate_series($3::int, $4::int) g
       CROSS JOIN LATERAL (SELECT abs(hashtext($1::text || g)) AS hashint) h
       CROSS JOIN LATERAL (SELECT $5::timestamptz - make_interval(secs => (h.hashint % $6::int)) AS at) t
       CROSS JOIN LATERAL (SELECT CASE WHEN g % 100 < 90 THEN 'payin' WHEN g % 100 < 98 THEN 'payout'
                                       ELSE 'fiat_payout' END AS kind) k
       CROSS JOIN LATERAL (SELECT CASE WHEN k.kind <> 'payin' THEN 'openapi' WHEN g % 7 = 0 THEN 'minimal'
                                       WHEN g % 7 = 1 THEN 'cinetpay' ELSE 'openapi' END AS dialect) d
       CROSS JOIN LATERAL (SELECT CASE WHEN g % 20 < 12 THEN 14 WHEN g % 20 < 16 THEN 15 WHEN g % 20 < 19 THEN 0
                                       ELSE 11 END::smallint AS status) s
       CROSS JOIN LATERAL (SELECT (ARRAY['USDT', 'USD', 'XOF'])[g % 3 + 1] AS cur,
                                  (ARRAY[10000000000000000::numeric, 1, 1])[g % 3 + 1] AS unit) c`,
      [tag, merchantId, from, to, END, YEAR_S],
    );
    process.stdout.write(`\r  ${tag}: ${to.toLocaleString('en')} / ${n.toLocaleString('en')} orders`);
  }
  process.stdout.write('\n');
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function time(name: string, args: () => Promise<unknown>): Promise<{ name: string; p50: number; p99: number }> {
  for (let i = 0; i < 10; i++) await args(); // warm-up: plans cached, pages in the buffer cache
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await args();
    ms.push(performance.now() - t0);
  }
  ms.sort((x, y) => x - y);
  return { name, p50: pct(ms, 50), p99: pct(ms, 99) };
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

const t0 = performance.now();
const target = await newMerchant(env);
const mid = String(target.merchantId);
console.log(`seeding ${N.toLocaleString('en')} orders for merchant ${mid} and ${OTHERS} others with ${N / 10} each`);
for (let i = 0; i < OTHERS; i++) {
  const other = await newMerchant(env);
  await seed(other.merchantId, Math.floor(N / 10), `o${i}-`);
}
await seed(target.merchantId, N, 'm-');
await db.query('ANALYZE orders');
const seedS = (performance.now() - t0) / 1000;
console.log(`seeded in ${seedS.toFixed(1)} s`);

// Arguments drawn from the data: existing ids, trade numbers, hashes, amounts, and keyset positions across the list.
const sample = (
  await db.query<{ id: string; merchant_trade_no: string; hash: string | null; currency: string; amount: string }>(
    `SELECT id, merchant_trade_no, hash, currency, amount FROM orders TABLESAMPLE SYSTEM (1)
     WHERE merchant_id = $1 LIMIT 2000`,
    [mid],
  )
).rows;
const hashes = sample.filter((r) => r.hash).map((r) => r.hash!);
const deep = (
  await db.query<{ at_key: string; id: string }>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at_key, id FROM orders
     WHERE merchant_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`,
    [mid, Math.floor(N * 0.9)],
  )
).rows[0]!;
const cursors = (
  await db.query<{ at_key: string; id: string }>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at_key, id FROM orders
     TABLESAMPLE SYSTEM (1) WHERE merchant_id = $1 LIMIT 500`,
    [mid],
  )
).rows.map((r) => encodeCursor({ at: r.at_key, id: r.id }));
const exps: Record<string, number> = { USDT: 18, USD: 2, XOF: 0 };
const decimal = (cur: string, minor: string) => {
  const e = exps[cur]!;
  const s = minor.padStart(e + 1, '0');
  return e ? `${s.slice(0, -e)}.${s.slice(-e)}`.replace(/\.?0+$/, '') : s;
};
const day = () => new Date(END.getTime() - Math.floor(Math.random() * 364) * 86_400_000).toISOString().slice(0, 10);
const list = (q: Record<string, string>) => listPayments(env.deps, mid, q);

const baseline = await time('baseline: primary-key lookup of one order', () =>
  findMerchantOrder(db, mid, pick(sample).id),
);
const results = [
  baseline,
  await time('first page (50 newest)', () => list({})),
  await time('deep page by keyset (~90 % down the list)', () =>
    list({ after: encodeCursor({ at: deep.at_key, id: deep.id }) }),
  ),
  await time('random page by keyset', () => list({ after: pick(cursors) })),
  await time('newer page by keyset (before)', () => list({ before: pick(cursors) })),
  await time('status = closed (20 %)', () => list({ status: '15' })),
  await time('status = processing (5 %), random page', () => list({ status: '11', after: pick(cursors) })),
  await time('date range: one day', () => {
    const d = day();
    return list({ from: d, to: d });
  }),
  await time('date range one day + status completed', () => {
    const d = day();
    return list({ from: d, to: d, status: '14' });
  }),
  await time('merchantTradeNo', () => list({ merchantTradeNo: pick(sample).merchant_trade_no })),
  await time('order id', () => list({ orderId: pick(sample).id })),
  await time('tx hash', () => list({ hash: pick(hashes) })),
  await time('amount + currency', () => {
    const r = pick(sample);
    return list({ amount: decimal(r.currency, r.amount), currency: r.currency });
  }),
  await time('amount in any currency', () => {
    const r = pick(sample);
    return list({ amount: decimal(r.currency, r.amount) });
  }),
  await time('kind = fiat payout (2 %, no index of its own)', () => list({ kind: 'fiat_payout' })),
  await time('currency = XOF (33 %)', () => list({ currency: 'XOF' })),
];

console.log(`\nPayments list at ${N.toLocaleString('en')} orders (${SAMPLES} samples each, page of 50)`);
const base = baseline.p50;
for (const r of results)
  console.log(
    `  ${r.name.padEnd(48)} p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  ` +
      `×${(r.p50 / base).toFixed(1)} of baseline p50`,
  );

let csv: { rows: number; seconds: number } | undefined;
if (a.csv) {
  // A month of orders (~1/12 of the list) through the streamed export.
  const t = performance.now();
  let rows = -1;
  for await (const chunk of paymentsCsv(env.deps, mid, { from: '2025-06-01', to: '2025-06-30' }))
    rows += (chunk.match(/\r\n/g) ?? []).length;
  csv = { rows, seconds: (performance.now() - t) / 1000 };
  console.log(
    `  CSV export of one month: ${rows.toLocaleString('en')} rows in ${csv.seconds.toFixed(2)} s ` +
      `(${Math.round(rows / csv.seconds).toLocaleString('en')} rows/s), ` +
      `RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
  );
}
console.log(
  JSON.stringify({
    orders: N,
    otherMerchants: OTHERS,
    seedSeconds: Number(seedS.toFixed(1)),
    samples: SAMPLES,
    results: results.map((r) => ({ ...r, p50: Number(r.p50.toFixed(3)), p99: Number(r.p99.toFixed(3)) })),
    csv,
  }),
);
await env.close();
