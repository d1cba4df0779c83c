// The leak scan (issue 13): searches everything the suite recorded (test/leak-record.ts) for the forbidden values
// of test/fixtures/forbidden-values.ts, in the forms a value takes on its way out: as sent, with its digits
// separated, URL-encoded, JSON-escaped (once or twice), with non-ASCII escaped. `npm test` runs it after the tests
// (scripts/leak-scan.mjs); a finding fails the run. Each finding names the file, the value's label and the form,
// with an excerpt in which the value itself is masked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ForbiddenValue } from './fixtures/forbidden-values.js';

export interface Finding {
  file: string;
  what: string;
  form: string;
  offset: number;
  excerpt: string;
}

/** The forms of a text value, lower case, each with its name; duplicates removed. */
export function textForms(value: string): Array<{ form: string; needle: string }> {
  const json = JSON.stringify(value).slice(1, -1);
  const asciiJson = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const forms: Array<[string, string]> = [
    ['as sent', value],
    ['URL-encoded', encodeURIComponent(value)],
    ['form-encoded', new URLSearchParams({ v: value }).toString().slice(2)],
    ['JSON-escaped', json],
    ['JSON-escaped twice', JSON.stringify(json).slice(1, -1)],
    ['JSON with \\u escapes', asciiJson],
    ['JSON with \\u escapes, twice', JSON.stringify(asciiJson).slice(1, -1)],
    ['URL-encoded inside JSON', JSON.stringify(encodeURIComponent(value)).slice(1, -1)],
  ];
  const seen = new Set<string>();
  return forms.flatMap(([form, n]) => {
    const needle = n.toLowerCase();
    if (seen.has(needle)) return [];
    seen.add(needle);
    return [{ form, needle }];
  });
}

// A run of digits that may be broken by separators people and encoders put in numbers.
const SEP = String.raw`(?:[ \-+._/]|%20|%2d|%2b|\\u0020|\\u002d|\\t|\\n)`;
const DIGIT_RUN = new RegExp(`[0-9](?:${SEP}{0,3}[0-9])+`, 'g');
const SEPARATORS = new RegExp(SEP, 'g');
// A CVV's key, its separators and quotes (as JSON, form, query or log text), then the value.
const CVV_CONTEXT = /(?:cvv2?|cvc2?|securitycode|security_code|card_?code)(?:\\?["']|%22|%3d|%3a|[\s:=])*([0-9]{3,4})/g;

const mask = (s: string) => s.replace(/[0-9A-Za-z]/g, '•');

/**
 * The place of a finding: up to 60 characters either side, the value masked, and in the context every long digit
 * run and every forbidden text masked too (a leak seldom comes alone), so the report repeats none of them.
 */
function excerpter(text: string, lowerNeedles: string[]) {
  const hide = (s: string) => {
    let out = s.replace(/[0-9](?:[^A-Za-z0-9]{0,3}[0-9]){7,}/g, mask);
    for (const n of lowerNeedles) {
      for (let i = out.toLowerCase().indexOf(n); i >= 0; i = out.toLowerCase().indexOf(n, i + n.length))
        out = out.slice(0, i) + mask(out.slice(i, i + n.length)) + out.slice(i + n.length);
    }
    return out;
  };
  return (at: number, length: number): string => {
    const before = hide(text.slice(Math.max(0, at - 60), at));
    const after = hide(text.slice(at + length, at + length + 60));
    return `${before}[${mask(text.slice(at, at + length))}]${after}`.replace(/\s+/g, ' ');
  };
}

/** Every forbidden value found in `text` (one finding per value and form, at its first place). */
export function scanText(text: string, file: string, forbidden: ForbiddenValue[]): Finding[] {
  const lower = text.toLowerCase();
  const found: Finding[] = [];
  const texts = forbidden.filter((v) => v.kind === 'text').map((f) => ({ f, forms: textForms(f.value) }));
  const excerpt = excerpter(
    text,
    texts.flatMap((t) => t.forms.map((x) => x.needle)),
  );
  for (const { f, forms } of texts)
    for (const { form, needle } of forms) {
      const at = lower.indexOf(needle);
      if (at >= 0) found.push({ file, what: f.what, form, offset: at, excerpt: excerpt(at, needle.length) });
    }
  const digitValues = forbidden.filter((v) => v.kind === 'digits');
  if (digitValues.length) {
    const reported = new Set<string>();
    for (const m of lower.matchAll(DIGIT_RUN)) {
      const run = m[0];
      if (run.length < 8) continue;
      // The separators go whole: %20 and \u002d hold digits of their own.
      const digits = run.replace(SEPARATORS, '');
      for (const f of digitValues) {
        if (reported.has(f.value) || !digits.includes(f.value)) continue;
        reported.add(f.value);
        const form = /^[0-9]+$/.test(run) ? 'digits' : 'digits with separators';
        found.push({ file, what: f.what, form, offset: m.index, excerpt: excerpt(m.index, run.length) });
      }
    }
  }
  const cvvs = new Set(forbidden.filter((v) => v.kind === 'cvv').map((v) => v.value));
  if (cvvs.size)
    for (const m of lower.matchAll(CVV_CONTEXT))
      if (cvvs.has(m[1]!)) {
        found.push({
          file,
          what: 'test CVV',
          form: 'next to its key',
          offset: m.index,
          excerpt: excerpt(m.index, m[0].length),
        });
        break;
      }
  return found;
}

export interface ScanResult {
  files: number;
  bytes: number;
  findings: Finding[];
}

/** Scans every file of the run directory. */
export function scanDir(dir: string, forbidden: ForbiddenValue[]): ScanResult {
  let bytes = 0;
  const findings: Finding[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    bytes += text.length;
    findings.push(...scanText(text, f, forbidden));
  }
  return { files: files.length, bytes, findings };
}
