// Issue 9 defect 9 with real processes: `node dist/src/server.js` is killed with SIGKILL while its
// transaction is inside the second step of a mobile-money start, then inside an OTP settlement (a trigger
// holds the transaction there with pg_sleep). PostgreSQL rolls the transaction back; the attempt and the
// order must agree afterwards, and a fresh server must carry the payment to its end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { freshDatabase, freePort, postJson, TestClock, until } from './harness.js';
import { createPool, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { loadAssets } from '../src/store/assets-repo.js';
import { loadConfig } from '../src/config.js';
import { secretBox } from '../src/domain/secret-box.js';
import { randomIds } from '../src/domain/clock.js';
import { createMerchant, type MerchantCredentials } from '../src/core/merchants.js';
import { projectPath } from '../src/paths.js';
import { SANDBOX_OTP, TEST_NUMBERS } from '../src/rails/mobile-money/index.js';
import { inconsistentAttempts, pageForm, snapshot } from './mobile-money-fixture.js';

const SERVER = join(projectPath('.'), 'dist/src/server.js');
const masterKey = randomBytes(32).toString('hex');
const dataDir = mkdtempSync(join(tmpdir(), 'tender-mm-kill-'));
let dbUrl: string;
let db: Db;
let m: MerchantCredentials;
const children: ChildProcess[] = [];

before(async () => {
  dbUrl = await freshDatabase();
  db = createPool(dbUrl, 4);
  await migrate(db);
  // A backend notices its client is gone within this interval even while it sleeps in a trigger.
  await db.query(`ALTER DATABASE ${new URL(dbUrl).pathname.slice(1)} SET client_connection_check_interval = '200ms'`);
  const deps = {
    db,
    clock: new TestClock(),
    ids: randomIds,
    box: secretBox(Buffer.from(masterKey, 'hex')),
    assets: await loadAssets(db),
    config: loadConfig({ TENDER_DATA_DIR: dataDir }),
    log: pino({ level: 'silent' }),
  };
  m = await createMerchant(deps, {
    brand: 'Boutique',
    company: 'Boutique SARL',
    website: 'https://shop.example',
    email: 'ops@shop.example',
  });
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db.end();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A server process on the test database; answers its base URL once /healthz says ok. */
async function server(): Promise<{ base: string; child: ChildProcess; exited: Promise<unknown> }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TENDER_')) env[k] = v;
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...env,
      DATABASE_URL: dbUrl,
      TENDER_MASTER_KEY: masterKey,
      TENDER_DATA_DIR: dataDir,
      TENDER_WORKER_POLL_MS: '200',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const exited = new Promise((res) => child.on('exit', res));
  const base = `http://127.0.0.1:${port}`;
  await until(
    'the server to answer /healthz',
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      return fetch(`${base}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
    },
    90_000,
  );
  return { base, child, exited };
}

/** Holds the transaction that makes the matching order change for 30 s (so the test can kill the server). */
async function holdOrderChange(orderId: string, toStatus: number): Promise<() => Promise<void>> {
  await db.query(`CREATE OR REPLACE FUNCTION hold_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$`);
  await db.query(
    `CREATE TRIGGER hold_change BEFORE UPDATE ON orders FOR EACH ROW
     WHEN (OLD.id = '${orderId}' AND NEW.status = ${toStatus}) EXECUTE FUNCTION hold_change()`,
  );
  return async () => {
    await db.query('DROP TRIGGER hold_change ON orders');
  };
}

const sleepingBackends = async () =>
  (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep'`)).rows[0].n as number;

/** Sends a page form, waits until its transaction sleeps in the trigger, then kills the server with SIGKILL. */
async function killDuring(
  s: Awaited<ReturnType<typeof server>>,
  token: string,
  action: string,
  fields: Record<string, string>,
): Promise<void> {
  const inFlight = pageForm(s.base, token, action, fields).catch((e: Error) => e);
  await until('the transaction to reach the held change', async () => (await sleepingBackends()) > 0, 30_000);
  s.child.kill('SIGKILL');
  await s.exited;
  assert.ok((await inFlight) instanceof Error, 'the request died with the server');
  await until('PostgreSQL to end the dead client transaction', async () => (await sleepingBackends()) === 0, 60_000);
}

test('defect 9.9: kill -9 of the server inside start and inside the OTP settlement leaves attempt and ' +
  'order consistent; a new server completes the payment', {
  timeout: 240_000,
}, async () => {
  let s = await server();
  const init = await postJson(`${s.base}/v2/payment`, {
    apikey: m.apikey,
    site_id: m.siteId,
    transaction_id: `KILL-${Date.now()}`,
    amount: 500,
    currency: 'XOF',
    description: 'Commande',
    notify_url: 'https://shop.example/notify',
    return_url: 'https://shop.example/return',
    channels: 'MOBILE_MONEY',
  });
  assert.equal(init.body.code, '201', JSON.stringify(init.body));
  const token: string = init.body.data.payment_token;
  const orderId: string = (await db.query('SELECT id FROM orders WHERE pay_code = $1', [token])).rows[0].id;
  const start = { operator: 'ORANGE', phone_prefix: '225', phone: TEST_NUMBERS.SUCCESS };

  // 1. Killed between the connector's answer and PENDING → PROCESSING.
  let release = await holdOrderChange(orderId, 11);
  try {
    await killDuring(s, token, 'mobile-money', start);
  } finally {
    await release();
  }
  let snap = await snapshot(db, orderId);
  assert.equal(snap.status, 0);
  assert.equal(snap.attempt?.state, 'initiating');
  assert.deepEqual(snap.events, [0]);
  assert.deepEqual(snap.hooks, []);
  assert.deepEqual(await inconsistentAttempts(db), []);

  // The customer submits again on a new server: the interrupted start is finished.
  s = await server();
  assert.equal((await pageForm(s.base, token, 'mobile-money', start)).status, 303);
  snap = await snapshot(db, orderId);
  assert.equal(snap.status, 11);
  assert.equal(snap.attempt?.state, 'confirming');
  assert.deepEqual(snap.events, [0, 11]);

  // 2. Killed while the right code's verdict is being written.
  release = await holdOrderChange(orderId, 14);
  try {
    await killDuring(s, token, 'otp', { otp: SANDBOX_OTP });
  } finally {
    await release();
  }
  snap = await snapshot(db, orderId);
  assert.equal(snap.status, 11);
  assert.equal(snap.attempt?.state, 'confirming');
  assert.equal(snap.attempt?.otp_attempts, 0);
  assert.equal(snap.ledgerEntries, 0);
  assert.deepEqual(await inconsistentAttempts(db), []);

  s = await server();
  assert.equal((await pageForm(s.base, token, 'otp', { otp: SANDBOX_OTP })).status, 303);
  snap = await snapshot(db, orderId);
  assert.equal(snap.status, 14);
  assert.equal(snap.attempt?.state, 'succeeded');
  assert.deepEqual(snap.events, [0, 11, 14]);
  assert.equal(snap.ledgerEntries, 1);
  assert.deepEqual(await inconsistentAttempts(db), []);
  s.child.kill('SIGTERM');
  const force = setTimeout(() => s.child.kill('SIGKILL'), 20_000);
  await s.exited;
  clearTimeout(force);
});
