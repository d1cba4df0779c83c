// Reads the signature demos of seed 001 §16 ("API Signature") out of the seed document itself, at test
// time, so that the suite runs the code merchants copy and not a retyped version of it.
//
// The seed is the project's founding document. A fresh clone has no ../shared next to it, so the repository
// keeps a byte-identical copy in test/fixtures/seeds/; the demos are extracted from that copy, and when the
// shared original is reachable (../shared/seeds, as in the project's workspace) the copy is checked against it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';

export const SEED_NAME = '001_c8cbdae7ce15424c.txt';
export const SEED_COPY = projectPath(`test/fixtures/seeds/${SEED_NAME}`);

/** The shared original (../shared/seeds/001_*.txt beside the repository), when this checkout has one. */
export function sharedSeedPath(): string | undefined {
  const dir = join(projectPath('.'), '..', 'shared', 'seeds');
  if (!existsSync(dir)) return undefined;
  const name = readdirSync(dir).find((n) => n.startsWith('001_') && n.endsWith('.txt'));
  return name ? join(dir, name) : undefined;
}

export function seedText(): string {
  return readFileSync(SEED_COPY, 'utf8');
}

/**
 * The fenced blocks (``` lines) printed between the heading line `from` and the heading line `to`, in order.
 * The PDF-to-text conversion split some demos across page breaks into several blocks; callers join them.
 */
export function blocksBetween(text: string, from: string, to: string | undefined): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === from);
  if (start < 0) throw new Error(`seed 001: heading "${from}" not found`);
  let end = to === undefined ? lines.length : lines.findIndex((l, i) => i > start && l.trim() === to);
  if (end < 0) end = lines.length;
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines.slice(start + 1, end)) {
    if (line.trim() === '```') {
      if (current) {
        blocks.push(current);
        current = undefined;
      } else current = [];
    } else if (current) current.push(line);
  }
  if (current) throw new Error(`seed 001: unterminated code block after "${from}"`);
  return blocks;
}

/** Drops a first non-empty line that is only the language label the converter put inside the block. */
export function withoutLabel(block: string[], label: string): string[] {
  const i = block.findIndex((l) => l.trim() !== '');
  return i >= 0 && block[i]!.trim() === label ? block.slice(i + 1) : block;
}

/**
 * Joins two pieces of one listing split by a page break. At the break the converter closed every brace
 * still open (a run of lines holding only `}` at the end of the first piece); the second piece carries the
 * real continuation, so that run is dropped. Nothing else changes.
 */
export function joinPageBreak(first: string[], second: string[]): string[] {
  const a = [...first];
  while (a.length > 0 && /^\s*\}?\s*$/.test(a[a.length - 1]!)) a.pop();
  return [...a, ...second];
}

/**
 * Joins a line that the PDF's line wrapping cut inside a string literal (an odd number of `"`) with the
 * next one, without the wrap's whitespace: `getBytes("UTF-` + `8")` becomes `getBytes("UTF-8")`.
 */
export function joinWrappedStrings(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    while ((line.match(/"/g)?.length ?? 0) % 2 === 1 && i + 1 < lines.length) line += lines[++i]!.trimStart();
    out.push(line);
  }
  return out;
}

export interface SeedDemos {
  /** The Java `CheckSign` class, its two page-break pieces joined. */
  java: string;
  /** The Go `CheckSign` function, its two pieces joined (the seed prints no package, imports or genSign). */
  go: string;
  /** The PHP script, as printed. */
  php: string;
}

export function extractDemos(text = seedText()): SeedDemos {
  const java = blocksBetween(text, 'Java demo', 'Go demo');
  const go = blocksBetween(text, 'Go demo', 'PHP Demo');
  const php = blocksBetween(text, 'PHP Demo', undefined);
  if (java.length !== 2 || go.length !== 2 || php.length < 1)
    throw new Error(
      `seed 001: expected 2 Java, 2 Go and 1 PHP blocks, found ${java.length}/${go.length}/${php.length}`,
    );
  return {
    java: joinWrappedStrings(joinPageBreak(withoutLabel(java[0]!, 'Java'), java[1]!)).join('\n'),
    go: joinPageBreak(withoutLabel(go[0]!, 'Go'), go[1]!).join('\n'),
    php: withoutLabel(php[0]!, 'PHP').join('\n'),
  };
}

/** Replaces `from` in `text` exactly once; throws if the seed no longer reads that way. */
export function replaceOnce(text: string, from: string | RegExp, to: string, what: string): string {
  const matches =
    typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from, 'g')) ?? []).length;
  if (matches !== 1) throw new Error(`seed demo wrapper: expected one ${what}, found ${matches}`);
  return text.replace(from, () => to); // a function: `$` in PHP code is not a replacement pattern
}
