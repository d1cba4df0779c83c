// Issue 12: `tender operator create --email E --role admin|support [--json]` as an operator runs it (its own
// process, on the test's database): the username, a one-time password that the console's login accepts
// (and must change), and the payout API token; a wrong role or a taken email is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { freshDatabase, TestClock } from './harness.js';
import { runCli } from './child-process.js';
import { createPool, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { loadAssets } from '../src/store/assets-repo.js';
import { loadConfig } from '../src/config.js';
import { secretBox } from '../src/domain/secret-box.js';
import { randomIds } from '../src/domain/clock.js';
import type { Deps } from '../src/core/deps.js';
import { checkPassword } from '../src/core/portal-auth.js';
import { authenticateOperator } from '../src/core/operators.js';

const masterKey = randomBytes(32).toString('hex');
const dataDir = mkdtempSync(join(tmpdir(), 'tender-operator-cli-'));
let db: Db;
let deps: Deps;
let env: Record<string, string>;

before(async () => {
  const dbUrl = await freshDatabase();
  db = createPool(dbUrl, 2);
  await migrate(db);
  env = { DATABASE_URL: dbUrl, TENDER_MASTER_KEY: masterKey, TENDER_DATA_DIR: dataDir, TENDER_MODE: 'sandbox' };
  deps = {
    db,
    clock: new TestClock(),
    ids: randomIds,
    box: secretBox(Buffer.from(masterKey, 'hex')),
    assets: await loadAssets(db),
    config: loadConfig({ TENDER_DATA_DIR: dataDir }),
    log: pino({ level: 'silent' }),
  };
});
after(async () => {
  await db.end();
  rmSync(dataDir, { recursive: true, force: true });
});

test('issue 12: `tender operator create --email --role` prints a username, one-time password and API token', async () => {
  const out = await runCli(['operator', 'create', '--email', 'Support@Example.com', '--role', 'support'], env);
  const field = (name: string) => new RegExp(`${name}:\\s+(\\S+)`).exec(out)![1]!;
  assert.equal(field('username'), 'support@example.com');
  assert.equal(field('role'), 'support');
  const login = await checkPassword(deps, 'operator', field('username'), field('password'));
  assert.ok(login.ok && login.next === 'password', 'the one-time password logs in and must be changed');
  const op = await authenticateOperator(deps, field('token'));
  assert.equal(op.name, 'support@example.com');

  const json = JSON.parse(
    await runCli(['operator', 'create', '--email', 'a@example.com', '--role', 'admin', '--json'], env),
  );
  assert.deepEqual(Object.keys(json).sort(), ['operatorId', 'password', 'role', 'token', 'username']);
  assert.equal(json.role, 'admin');
  const { rows } = await db.query('SELECT password_hash FROM operators WHERE id = $1', [json.operatorId]);
  assert.match(rows[0].password_hash, /^scrypt\$/, 'only a hash is stored');
  assert.ok(!rows[0].password_hash.includes(json.password));

  await assert.rejects(runCli(['operator', 'create', '--email', 'b@example.com', '--role', 'root'], env), /role/);
  await assert.rejects(runCli(['operator', 'create', '--email', 'a@example.com', '--role', 'admin'], env), /exists/);
  await assert.rejects(runCli(['operator', 'create', '--email', 'not-an-email', '--role', 'admin'], env), /email/);
});
