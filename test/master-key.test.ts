// Processes sharing a database must share the master key: a different key is refused at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { freshDatabase } from './harness.js';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/runtime.js';

test('a second process with another master key is refused; the same key is accepted', async () => {
  const url = await freshDatabase();
  const log = pino({ level: 'silent' });
  const cfg = (key: string) =>
    loadConfig({
      DATABASE_URL: url,
      TENDER_DATA_DIR: mkdtempSync(join(tmpdir(), 'tender-mk-')),
      TENDER_MASTER_KEY: key,
    });
  const k1 = randomBytes(32).toString('hex');
  const first = await openRuntime(cfg(k1), log);
  await first.close();
  await assert.rejects(openRuntime(cfg(randomBytes(32).toString('hex')), log), /TENDER_MASTER_KEY does not match/);
  const again = await openRuntime(cfg(k1), log);
  await again.close();
});
