// Issue 11: the operator commands as an operator runs them (`tender …` in its own process, on the test's
// database): a hot wallet whose key is sealed and never printed, operators whose tokens approve a payout.
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
import { createMerchant } from '../src/core/merchants.js';
import { createOrder } from '../src/core/orders.js';
import { completeOrder } from '../src/core/payments.js';
import { acceptWithdraw } from '../src/core/withdraw.js';
import { findMerchant } from '../src/store/merchants-repo.js';
import { localSigner } from '../src/rails/payout/signer.js';
import { hotWalletAddress } from '../src/rails/payout/hot-wallet-address.js';

const masterKey = randomBytes(32).toString('hex');
const dataDir = mkdtempSync(join(tmpdir(), 'tender-payout-cli-'));
let dbUrl: string;
let db: Db;
let deps: Deps;
let env: Record<string, string>;

before(async () => {
  dbUrl = await freshDatabase();
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

test('issue 11: `tender hot-wallet create` seals the key with the master key and prints only the address', async () => {
  for (const family of ['evm', 'tron', 'bitcoin'] as const) {
    const out = await runCli(['hot-wallet', 'create', '--family', family], env);
    const { rows } = await db.query('SELECT key_sealed FROM hot_wallets WHERE family = $1', [family]);
    const key = deps.box.open(rows[0].key_sealed).reveal();
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.ok(!out.includes(key), 'the key is never printed');
    assert.ok(!rows[0].key_sealed.includes(key), 'stored sealed');
    const address = hotWalletAddress(family, localSigner(deps.box.open(rows[0].key_sealed)).publicKey());
    assert.ok(out.includes(`address: ${address}`), out);
  }
  await assert.rejects(runCli(['hot-wallet', 'create', '--family', 'evm'], env), /exists already/);
});

test('issue 11: `tender operator create` and `tender payout approve|reject` decide a payout with two operators', async () => {
  const tokenOf = (out: string) => /token:\s+(\S+)/.exec(out)![1]!;
  const alice = tokenOf(await runCli(['operator', 'create', 'alice'], env));
  const bob = tokenOf(await runCli(['operator', 'create', 'bob'], env));
  const creds = await createMerchant(deps, {
    brand: 'B',
    company: 'B',
    website: 'https://b.example',
    email: 'o@b.example',
  });
  const merchant = (await findMerchant(db, String(creds.merchantId)))!;
  const { order } = await createOrder(deps, merchant, {
    dialect: 'openapi',
    merchantTradeNo: 'f',
    userId: 'u',
    currency: 'USDT',
    amount: 1000n * 10n ** 18n,
    amountText: '1000',
    fingerprint: {},
  });
  await completeOrder(deps, order.id, { rail: 'sandbox' });
  await runCli(['payout', 'threshold', String(creds.merchantId), '--currency', 'USDT', '--amount', '10'], env);
  const { order: payout } = await acceptWithdraw(deps, merchant, {
    merchantTradeNo: 'p1',
    userId: 'u',
    cryptoCurrency: 'USDT',
    network: 'TRON',
    totalAmount: '20',
    receivedAmount: '20',
    toAddress: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
    callbackUrl: null,
    createTimeMs: String(Date.now()),
  });
  const list = JSON.parse(await runCli(['payout', 'list', '--json'], env));
  assert.equal(list[0].reason, 'awaiting_approval');
  await assert.rejects(
    runCli(['payout', 'approve', payout.id, '--operator-token', 'wrong'], env),
    /BAD_OPERATOR_TOKEN/,
  );
  const a = JSON.parse(await runCli(['payout', 'approve', payout.id, '--operator-token', alice, '--json'], env));
  assert.equal(a.stage, 'approval');
  const b = JSON.parse(
    await runCli(['payout', 'approve', payout.id, '--json'], { ...env, TENDER_OPERATOR_TOKEN: bob }),
  );
  assert.deepEqual([b.stage, b.approvedBy], ['ready', ['alice', 'bob']]);
  const audit = await db.query('SELECT decision FROM payout_approvals WHERE payout_id = $1', [payout.id]);
  assert.deepEqual(
    audit.rows.map((r) => r.decision),
    ['approve', 'approve'],
  );
});
