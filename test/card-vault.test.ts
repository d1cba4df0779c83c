// Issue 13: the card vault's number is readable only by the code that sends cards to the acquirer. Checked on the
// sources: openVaultedCard (src/core/card-vault.ts) is imported by src/core/card-payments.ts alone, and the vault
// key is its own (config: TENDER_CARD_VAULT_KEY or card-vault.key), refused when equal to the master key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cardVaultKey, loadConfig, masterKey } from '../src/config.js';
import { projectPath } from '../src/paths.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('issue 13: only src/core/card-payments.ts opens the card vault (openVaultedCard)', () => {
  const users = sources(projectPath('src'))
    .filter((f) => !f.endsWith('card-vault.ts'))
    .filter((f) => /\bopenVaultedCard\b/.test(readFileSync(f, 'utf8')))
    .map((f) => f.slice(projectPath('').length).replace(/^\//, ''));
  assert.deepEqual(users, ['src/core/card-payments.ts']);
});

test('issue 13: the vault key is its own key, generated beside the master key, and may not equal it', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tender-vault-'));
  const cfg = loadConfig({ TENDER_DATA_DIR: dataDir });
  const vault = cardVaultKey(cfg);
  assert.equal(vault.length, 32);
  assert.ok(!vault.equals(masterKey(cfg)));
  assert.ok(cardVaultKey(cfg).equals(vault), 'the same key on every start');
  const key = 'ab'.repeat(32);
  const same = loadConfig({ TENDER_DATA_DIR: dataDir, TENDER_MASTER_KEY: key, TENDER_CARD_VAULT_KEY: key });
  assert.throws(() => cardVaultKey(same), /must differ/);
});
