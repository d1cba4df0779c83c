// Issue 13: the leak scan can fail. Forbidden values planted in a run directory, in every form the scan claims
// to see through, are reported; clean output is not; and scripts/leak-scan.mjs, which `npm test` runs after the
// tests, exits non-zero (failing `npm test`) on a finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../src/paths.js';
import { FORBIDDEN_VALUES, type ForbiddenValue } from './fixtures/forbidden-values.js';
import { recorder } from './leak-record.js';
import { scanDir, scanText } from './leak-scan.js';

const LIST: ForbiddenValue[] = [
  ...FORBIDDEN_VALUES,
  // A CVV for this test only: the suite's list may still be empty of CVVs.
  { what: 'test CVV', kind: 'cvv', value: '737' },
];

/** [how the value was written, the text, what the scan must name] */
const PLANTED: Array<[string, string, string]> = [
  ['a card in a log line', '{"level":30,"msg":"paid 4111111111111111"}', 'test card number'],
  ['a card with spaces', '<td>4111 1111 1111 1111</td>', 'test card number'],
  ['a card with dashes', 'card=5555-5555-5555-4444', 'test card number'],
  ['a card URL-encoded with %20', 'GET /x?c=4111%201111%201111%201111', 'test card number'],
  ['a card with form-encoded spaces', 'toAccount=3782+822463+10005', 'test card number'],
  ['a card JSON-escaped dashes', '"\\u002d6011\\u002d1111\\u002d1111\\u002d1117"', 'test card number'],
  ['a CVV in JSON', '{"cvv":"737"}', 'test CVV'],
  ['a CVV in a form', 'cardNumber=x&cvv=737&y=1', 'test CVV'],
  ['a CVV JSON-escaped in a log line', '{"msg":"body {\\"CVV\\": 737}"}', 'test CVV'],
  ['a KYC name, other case', '{"msg":"user zephyrine"}', 'KYC first name'],
  ['a KYC e-mail URL-encoded', 'email=zephyrine.q0001%40kyc-mail.example', 'KYC e-mail domain'],
  ['a KYC birthday', '"birthday":"1961-07-23"', 'KYC birthday'],
  ['a KYC URL JSON-escaped', '"https:\\/\\/kyc-docs.example\\/zq0001\\/p.jpg"', 'KYC document URL host'],
  ['a KYC phone with separators', '+7 917 302-84-65 0001', 'KYC mobile number'],
  ['an accented name as sent', 'Brönnimann-Öztürk', 'KYC name with an accent'],
  ['an accented name URL-encoded', encodeURIComponent('Brönnimann-Öztürk'), 'KYC name with an accent'],
  ['an accented name \\u-escaped', '"Br\\u00f6nnimann-\\u00d6zt\\u00fcrk"', 'KYC name with an accent'],
  ['an accented name escaped twice', JSON.stringify(JSON.stringify('x Brönnimann-Öztürk')), 'KYC name with an accent'],
  ['a personal code in a query', '?personalCode=qzx77310001', 'KYC personal code'],
];

test('issue 13: the leak scan reports every planted forbidden value, in every form', () => {
  for (const [how, text, what] of PLANTED) {
    const found = scanText(`{"level":30,"time":1765234567890,"pid":4242}\n${text}\n`, 'planted.txt', LIST);
    assert.ok(
      found.some((f) => f.what === what),
      `${how}: expected ${what}, found ${JSON.stringify(found)}`,
    );
    // The report shows where, never the value itself.
    for (const f of found) assert.ok(!f.excerpt.includes('4111111111111111') && !/zephyrine/i.test(f.excerpt));
  }
});

test('issue 13: the leak scan stays quiet on clean output (masked cards, other numbers, redactions)', () => {
  const clean = [
    '{"level":30,"time":1765234567890,"pid":4111,"hostname":"h","traceid":"261207215826X0984845"}',
    '{"toAccount":"411111******1111","cvv":"[REDACTED]","card":"***********0005"}',
    '{"code":10104,"msg":"data[637].email: is not a valid e-mail address","data":null}',
    'amount=4111.11&orderId=5555555555&ts=2026-12-07T21:58:26.123Z 127.0.0.1 4000000000000002',
    '{"cvv":"123","cvc":"9999"}',
  ].join('\n');
  assert.deepEqual(scanText(clean, 'clean.txt', LIST), []);
});

test('issue 13: scripts/leak-scan.mjs (run by npm test after the tests) fails on a recorded leak', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tender-leak-planted-'));
  try {
    // Recorded the way the suite records: through the recorder, buffered, flushed.
    const rec = recorder(dir);
    rec.write('log', '{"level":30,"msg":"clean line"}');
    rec.write('answer', '{"code":0,"msg":"success","data":{"count":1}}');
    rec.flush();
    assert.deepEqual(readdirSync(dir).sort(), [`answer-${process.pid}.txt`, `log-${process.pid}.txt`]);
    assert.deepEqual(scanDir(dir, LIST).findings, []);
    const script = join(projectPath('.'), 'scripts/leak-scan.mjs');
    const clean = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, /none found/);

    rec.write('answer', '{"code":0,"data":{"lastName":"Quobblewickbbbc"}}');
    rec.write('webhook', 'cardNumber=4111-1111-1111-1111');
    rec.flush();
    const leaked = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    assert.equal(leaked.status, 1);
    assert.match(leaked.stderr, /2 forbidden value\(s\) found/);
    assert.match(leaked.stderr, new RegExp(`answer-${process.pid}\\.txt @[0-9]+: KYC last name \\(as sent\\)`));
    assert.match(leaked.stderr, new RegExp(`webhook-${process.pid}\\.txt @[0-9]+: test card number`));
    assert.ok(!leaked.stderr.includes('Quobblewick') && !leaked.stderr.includes('4111-1111'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 13: a leak through the harness recording (answer and log line) is found by the scan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tender-leak-planted-'));
  try {
    const plant = join(projectPath('.'), 'dist/test/leak-plant.js');
    const run = spawnSync(process.execPath, [plant, '4111-1111-1111-1111'], {
      encoding: 'utf8',
      env: { ...process.env, TENDER_TEST_RECORD_DIR: dir },
    });
    assert.equal(run.status, 0, run.stderr);
    const { findings } = scanDir(dir, LIST);
    const where = new Set(findings.filter((f) => f.what === 'test card number').map((f) => f.file.split('-')[0]));
    assert.deepEqual([...where].sort(), ['answer', 'log']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
