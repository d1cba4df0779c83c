// `npm run bench:kyc`: latency of POST /openapi/v1/submitKYC with 1000 records per call (issue 13: "1,000 records
// in one call answer within a second on this machine") over real HTTP against the real app and PostgreSQL of the
// test harness, next to a baseline measured in the same run: a signed getMerchantBalance (authentication, one
// query, the envelope). The loads alternate call by call so that other work on the machine weighs on both alike.
// Three loads: 1000 new users (insert), the same 1000 users with changed records (replace), and an identical
// replay (nothing written). Prints p50/p99 per load and the ratios to the baseline, then one JSON line.
//
// Options: --samples N (30) calls per load after --warmup N (3).
import http from 'node:http';
import { parseArgs } from 'node:util';
import { newMerchant, startTestEnv } from '../test/harness.js';
import { kycForm, kycRecord } from '../test/kyc-helpers.js';
import { signParams } from '../src/domain/signature.js';

const { values: a } = parseArgs({
  options: { samples: { type: 'string', default: '30' }, warmup: { type: 'string', default: '3' } },
  strict: true,
});
const SAMPLES = Number(a.samples);
const WARMUP = Number(a.warmup);
if (!Number.isInteger(SAMPLES) || SAMPLES < 1 || !Number.isInteger(WARMUP) || WARMUP < 0)
  throw new Error('--samples and --warmup must be whole numbers');

const env = await startTestEnv();
const m = await newMerchant(env);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = new URL(env.url);

/** One request over a kept-alive socket; resolves with the elapsed milliseconds, fails on a non-zero code. */
function call(method: 'GET' | 'POST', path: string, body?: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: body
          ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) }
          : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          const code = (JSON.parse(text) as { code: number }).code;
          if (code !== 0) reject(new Error(`${path} answered ${text.slice(0, 300)}`));
          else resolve(ms);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const balanceParams = { merchantId: String(m.merchantId) };
const balancePath = `/openapi/v1/getMerchantBalance?${new URLSearchParams({
  ...balanceParams,
  sign: signParams(balanceParams, m.securityKey),
})}`;

let batch = 0;
/** 1000 records of users never seen before. */
const fresh = () => {
  const from = 1000 * batch++;
  return Array.from({ length: 1000 }, (_, i) => kycRecord(from + i));
};
const replaceUsers = Array.from({ length: 1000 }, (_, i) => kycRecord(900_000 + i));
let version = 0;
/** The same 1000 users each time, with a changed record (a new e-mail) each time. */
const replaced = () => {
  version++;
  return replaceUsers.map((r) => ({ ...r, email: `v${version}.${r.email as string}` }));
};
const replayBody = kycForm(m, JSON.stringify(Array.from({ length: 1000 }, (_, i) => kycRecord(800_000 + i))));

const loads: Record<string, () => Promise<number>> = {
  'baseline getMerchantBalance': () => call('GET', balancePath),
  'submitKYC 1000 new users': () => call('POST', '/openapi/v1/submitKYC', kycForm(m, JSON.stringify(fresh()))),
  'submitKYC 1000 replaced': () => call('POST', '/openapi/v1/submitKYC', kycForm(m, JSON.stringify(replaced()))),
  'submitKYC 1000 identical replay': () => call('POST', '/openapi/v1/submitKYC', replayBody),
};
const names = Object.keys(loads);
const times = new Map<string, number[]>(names.map((n) => [n, []]));
console.log(`submitKYC bench: ${SAMPLES} calls per load (${WARMUP} warm-up), body ${replayBody.length} bytes`);
for (let i = 0; i < WARMUP + SAMPLES; i++)
  for (const n of names) {
    const ms = await loads[n]!();
    if (i >= WARMUP) times.get(n)!.push(ms);
  }

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const rows = names.map((n) => {
  const s = times.get(n)!.sort((x, y) => x - y);
  return { name: n, p50: pct(s, 50), p99: pct(s, 99), max: s.at(-1)! };
});
const [baseline] = rows;
for (const r of rows)
  console.log(
    `${r.name.padEnd(34)} p50 ${r.p50.toFixed(1).padStart(7)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms  ` +
      `max ${r.max.toFixed(1).padStart(7)} ms  ×baseline p50 ${(r.p50 / baseline!.p50).toFixed(1)} ` +
      `p99 ${(r.p99 / baseline!.p99).toFixed(1)}`,
  );
const worst = Math.max(...rows.slice(1).map((r) => r.p99));
console.log(`1000 records per call within a second: ${worst < 1000 ? 'yes' : 'NO'} (worst p99 ${worst.toFixed(1)} ms)`);
console.log(JSON.stringify({ bench: 'kyc', samples: SAMPLES, rows }));
agent.destroy();
await env.close();
