// One harness for every integration test: a real PostgreSQL (a fresh database per test file on the
// cluster scripts/test.mjs started, or an embedded cluster of its own), the real app on 127.0.0.1, and
// a controllable clock.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import type { Deps } from '../src/core/deps.js';
import { createPool } from '../src/store/db.js';
import { openEmbedded } from '../src/store/embedded.js';
import { migrate } from '../src/store/migrate.js';
import { loadAssets } from '../src/store/assets-repo.js';
import { secretBox } from '../src/domain/secret-box.js';
import { randomIds, type Clock } from '../src/domain/clock.js';
import { createMerchant, type MerchantCredentials, type NewMerchant } from '../src/core/merchants.js';
import { signParams } from '../src/domain/signature.js';
import { contractRecorder } from './contract-check.js';
import { REDACT } from '../src/runtime.js';
import { recordingStream, recordOutput } from './leak-record.js';

/** A clock tests can move; it follows real time plus an offset so timeouts still behave. */
export class TestClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

let stopCluster: (() => Promise<void>) | undefined;

/** URL of a fresh, empty database for this test file. */
export async function freshDatabase(): Promise<string> {
  let admin = process.env.TENDER_TEST_PG_URL;
  if (!admin) {
    const emb = await openEmbedded(mkdtempSync(join(tmpdir(), 'tender-test-')));
    stopCluster = emb.stop;
    admin = emb.url;
  }
  const name = `tender_t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestEnv {
  deps: Deps;
  clock: TestClock;
  app: FastifyInstance;
  url: string;
  adminToken: string;
  /** Every answer this environment sent, checked against the contract; close() fails on any violation. */
  contract: ReturnType<typeof contractRecorder>;
  close(): Promise<void>;
}

/** `opts`: a logger to capture, and test-only options of buildApp (e.g. portalSessionOf). */
export async function startTestEnv(
  env: Record<string, string> = {},
  opts: { log?: pino.Logger } & Pick<AppOptions, 'portalSessionOf'> = {},
): Promise<TestEnv> {
  const dbUrl = await freshDatabase();
  const db = createPool(dbUrl, 10);
  await migrate(db);
  const clock = new TestClock();
  // When the suite records for the leak scan (test/leak-record.ts), every line at every level goes there, through
  // the production logger's redaction; a test that brings its own logger checks its lines itself.
  const recording = recordingStream('log');
  const log =
    opts.log ??
    (recording
      ? pino({ level: 'trace', redact: { paths: REDACT, censor: '[REDACTED]' } }, recording)
      : pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const base = loadConfig({
    TENDER_DATA_DIR: mkdtempSync(join(tmpdir(), 'tender-data-')),
    TENDER_WEBHOOK_BACKOFF: '0,1,1',
    TENDER_WORKER_POLL_MS: '50',
    ...env,
  });
  const config: Config = { ...base };
  const deps: Deps = {
    db,
    clock,
    ids: randomIds,
    box: secretBox(randomBytes(32)),
    vault: secretBox(randomBytes(32)),
    assets: await loadAssets(db, config.maxAmounts),
    config,
    log,
  };
  const adminToken = randomBytes(16).toString('hex');
  const contract = contractRecorder();
  const app = await buildApp(deps, {
    portalSessionOf: opts.portalSessionOf,
    adminToken,
    observeAnswer: (a) => {
      contract.observe(a);
      if (a.body) recordOutput('answer', a.body);
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  config.publicUrl = url;
  return {
    deps,
    clock,
    app,
    url,
    adminToken,
    contract,
    async close() {
      await app.close();
      await db.end();
      if (stopCluster) {
        await stopCluster();
        stopCluster = undefined;
      }
      // Last, so the database and cluster are released even when the file's answers drifted.
      contract.assertClean();
    },
  };
}

export function newMerchant(env: TestEnv, m: Partial<NewMerchant> = {}): Promise<MerchantCredentials> {
  return createMerchant(env.deps, {
    brand: 'Test Shop',
    company: 'Test Shop Ltd',
    website: 'https://shop.example',
    email: 'ops@shop.example',
    ...m,
  });
}

/** Signs like a merchant would (seed 001 §16) and returns the parameters with `sign`. */
export function signed(params: Record<string, string>, key: string): Record<string, string> {
  return { ...params, sign: signParams(params, key) };
}

export async function postForm(url: string, params: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.json() };
}

export async function getJson(url: string, params?: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(params ? `${url}?${new URLSearchParams(params)}` : url);
  return { status: res.status, body: await res.json() };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export interface ReceivedHook {
  body: string;
  form: URLSearchParams;
  headers: IncomingMessage['headers'];
  at: number;
}

/** A local webhook receiver: answers from a script of replies (then the last one forever) and records calls. */
export async function webhookReceiver(replies: Array<{ status: number; body: string; delayMs?: number }>): Promise<{
  url: string;
  calls: ReceivedHook[];
  close(): Promise<void>;
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedHook[]>;
}> {
  const calls: ReceivedHook[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push({ body, form: new URLSearchParams(body), headers: req.headers, at: Date.now() });
      recordOutput('webhook', body);
      const r = replies[Math.min(calls.length - 1, replies.length - 1)]!;
      const answer = () => {
        if (!res.destroyed) res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.body);
      };
      if (r.delayMs) setTimeout(answer, r.delayMs);
      else answer();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    calls,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
    async waitFor(n, timeoutMs = 15000) {
      const end = Date.now() + timeoutMs;
      while (calls.length < n) {
        if (Date.now() > end) throw new Error(`webhook receiver got ${calls.length} calls, expected ${n}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return calls;
    },
  };
}

export const hmacHex = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(30);
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export const freePort = (): Promise<number> =>
  new Promise((res, rej) => {
    const s = createNetServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => res(port));
    });
  });
