#!/usr/bin/env node
// Writes docs/api-<dialect>.md from the contract (src/api/contract), after `npm run build`.
// test/contract.test.ts fails when a page differs from what this writes.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { CONTRACTS } = await import(join(root, 'dist/src/api/contract/index.js'));
const { dialectMarkdown } = await import(join(root, 'dist/src/api/contract/markdown.js'));
for (const c of CONTRACTS) {
  const file = join(root, 'docs', `api-${c.name}.md`);
  writeFileSync(file, dialectMarkdown(c));
  console.log(`wrote ${file}`);
}
