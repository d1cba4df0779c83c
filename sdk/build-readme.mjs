// Regenerates README.md from README.template.md, including the example files verbatim.
// node sdk/build-readme.mjs   (test/sdk-readme.test.ts fails when README.md is out of date)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export function renderReadme() {
  return readFileSync(join(here, 'README.template.md'), 'utf8').replace(/^<!-- include: (\S+) -->$/gm, (_m, file) =>
    `<!-- include: ${file} -->\n\`\`\`ts\n${readFileSync(join(here, file), 'utf8').replace(/\n$/, '')}\n\`\`\``);
}
if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(join(here, 'README.md'), renderReadme());
