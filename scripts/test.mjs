// `npm test`: starts one embedded PostgreSQL for the whole run (each test file makes its own database on
// it), then runs every compiled test file with node's test runner. TENDER_TEST_PG_URL, when set, points
// the suite at another PostgreSQL instead (CI uses this for Debian's PostgreSQL).
//
// The leak scan (issue 13): the tests record every log line, HTTP answer, webhook and process output into a run
// directory (TENDER_TEST_RECORD_DIR, test/leak-record.ts); after them, scripts/leak-scan.mjs searches it for the
// suite's card numbers, CVVs and KYC personal values (test/fixtures/forbidden-values.ts). A finding fails the run
// and keeps the directory for inspection. TENDER_TEST_RECORD=0 turns recording and the scan off.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const files = readdirSync(join(root, 'dist/test'))
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => join('dist/test', f));
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;

let stop = async () => {};
const env = { ...process.env };
if (!env.TENDER_TEST_PG_URL) {
  const { openEmbedded } = await import(join(root, 'dist/src/store/embedded.js'));
  const dir = mkdtempSync(join(tmpdir(), 'tender-suite-'));
  const emb = await openEmbedded(dir);
  env.TENDER_TEST_PG_URL = emb.url;
  stop = async () => {
    await emb.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

const scan = env.TENDER_TEST_RECORD !== '0';
const ownRunDir = scan && !env.TENDER_TEST_RECORD_DIR;
if (ownRunDir) env.TENDER_TEST_RECORD_DIR = mkdtempSync(join(tmpdir(), 'tender-leak-scan-'));
const runDir = env.TENDER_TEST_RECORD_DIR;

const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...selected], {
  cwd: root,
  env,
  stdio: 'inherit',
});
const code = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));
await stop();
let scanCode = 0;
if (scan) {
  scanCode =
    spawnSync(process.execPath, [join(root, 'scripts/leak-scan.mjs'), runDir], { stdio: 'inherit' }).status ?? 1;
  if (ownRunDir && scanCode === 0) rmSync(runDir, { recursive: true, force: true });
}
process.exit(code || scanCode);
