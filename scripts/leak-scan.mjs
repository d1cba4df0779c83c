// `node scripts/leak-scan.mjs <run dir>`: the leak scan over what the suite recorded (test/leak-scan.ts); exits 1
// when a forbidden value (test/fixtures/forbidden-values.ts) is found. scripts/test.mjs runs it after the tests.
import { FORBIDDEN_VALUES } from '../dist/test/fixtures/forbidden-values.js';
import { scanDir } from '../dist/test/leak-scan.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/leak-scan.mjs <run dir>');
  process.exit(2);
}
const t0 = Date.now();
const { files, bytes, findings } = scanDir(dir, FORBIDDEN_VALUES);
const size = `${(bytes / 1e6).toFixed(1)} MB in ${files} files`;
if (findings.length === 0) {
  console.log(`leak scan: ${FORBIDDEN_VALUES.length} forbidden values, ${size}: none found (${Date.now() - t0} ms)`);
  process.exit(0);
}
console.error(`leak scan: ${findings.length} forbidden value(s) found in ${size} (${dir}):`);
for (const f of findings) console.error(`  ${f.file} @${f.offset}: ${f.what} (${f.form}): ${f.excerpt}`);
process.exit(1);
