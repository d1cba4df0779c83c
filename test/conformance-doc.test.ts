// docs/conformance.md held to the server: a reviewer reads the table, this test checks that what it says about
// routes is true and that every row is conformant, a described extension, or honestly "not served yet".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestEnv, type TestEnv } from './harness.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.close();
});

const STATUSES = ['conformant', 'documented extension', 'not served yet'];

interface Row {
  endpoint: string;
  document: string;
  status: string;
  extensions: string[];
}

function rows(doc: string): Row[] {
  const out: Row[] = [];
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | endpoint | document | status | extensions | proof |  → 7 cells with the empty ends.
    if (cells.length !== 7 || !STATUSES.includes(cells[3]!)) continue;
    const ext = cells[4]!;
    out.push({
      endpoint: cells[1]!,
      document: cells[2]!,
      status: cells[3]!,
      extensions: ext === '' ? [] : ext.split(',').map((e) => e.trim()),
    });
  }
  return out;
}

test('issue 10 conformance table: every row is conformant, a described extension or not served yet', () => {
  const doc = readFileSync(new URL('../../docs/conformance.md', import.meta.url), 'utf8');
  const table = rows(doc);
  assert.ok(table.length >= 25, `the table has its rows (${table.length})`);
  // Every line that looks like a table row of the endpoint tables has one of the three statuses.
  const candidates = doc
    .split('\n')
    .filter((l) => /^\| (`|webhook|signature|order statuses|error codes|API host|merchant|notification)/.test(l));
  assert.equal(candidates.length, table.length, 'no row has a status outside the three');
  const described = new Set([...doc.matchAll(/^### (E\d+) /gm)].map((m) => m[1]!));
  const used = new Set<string>();
  for (const r of table) {
    assert.notEqual(r.document, '', `${r.endpoint}: names its document`);
    if (r.status === 'documented extension') assert.ok(r.extensions.length > 0, `${r.endpoint}: names its extension`);
    else assert.deepEqual(r.extensions, [], `${r.endpoint} (${r.status}) names no extension`);
    for (const e of r.extensions) {
      assert.ok(described.has(e), `${r.endpoint}: extension ${e} is described under Extensions`);
      used.add(e);
    }
  }
  assert.deepEqual(
    [...described].filter((e) => !used.has(e)),
    [],
    'every described extension is used by a row',
  );
});

test('issue 10 conformance table: served rows are routes of the server, "not served yet" rows are not', () => {
  const doc = readFileSync(new URL('../../docs/conformance.md', import.meta.url), 'utf8');
  let checked = 0;
  for (const r of rows(doc)) {
    const m = /^`(GET|POST) (\/\S+)`/.exec(r.endpoint);
    if (!m) continue;
    const served = env.app.hasRoute({ method: m[1] as 'GET' | 'POST', url: m[2]! });
    assert.equal(served, r.status !== 'not served yet', `${r.endpoint}: ${r.status}`);
    checked++;
  }
  assert.ok(checked >= 20, `routes checked: ${checked}`);
});
