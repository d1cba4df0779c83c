// docs/api-<dialect>.md, generated from the same contract as the OpenAPI documents (scripts/api-docs.mjs
// writes them; a test fails when a page is not what the generator gives).
import type { TSchema } from '@sinclair/typebox';
import type { Answer, DialectContract, RouteContract } from './types.js';

type S = Record<string, unknown> & {
  type?: string;
  properties?: Record<string, S>;
  required?: string[];
  items?: S;
  anyOf?: S[];
  allOf?: S[];
};

const plain = (s: TSchema | undefined): S | undefined => (s ? (JSON.parse(JSON.stringify(s)) as S) : undefined);
const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A short type text: `"x"` for a constant, `a \| b` for unions, the pattern or format when there is one. */
function typeText(s: S): string {
  if ('const' in s) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(typeText).join(' | ');
  let t = s.type === 'array' ? `${s.items ? typeText(s.items) : 'any'}[]` : (s.type ?? 'any');
  if (typeof s.format === 'string') t += ` (${s.format})`;
  else if (typeof s.pattern === 'string') t += ` \`${s.pattern}\``;
  return t;
}

/** One row per field, nested objects as `a.b`, array items as `a[].b`. */
function fieldRows(s: S, prefix = ''): string[] {
  const rows: string[] = [];
  for (const [name, p] of Object.entries(s.properties ?? {})) {
    const path = `${prefix}${name}`;
    const req = (s.required ?? []).includes(name) ? 'yes' : 'no';
    const desc = typeof p.description === 'string' ? p.description : '';
    rows.push(`| \`${cell(path)}\` | ${cell(typeText(p))} | ${req} | ${cell(desc)} |`);
    if (p.properties) rows.push(...fieldRows(p, `${path}.`));
    if (p.items?.properties) rows.push(...fieldRows(p.items, `${path}[].`));
  }
  return rows;
}

function fieldTable(s: S): string[] {
  const target = s.type === 'array' && s.items ? s.items : s;
  const rows = fieldRows(target);
  if (!rows.length) return [`Type: ${cell(typeText(s))}`, ''];
  return [
    ...(s.type === 'array' ? ['An array of:', ''] : []),
    '| field | type | required | description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ];
}

function answerBlock(status: string, a: Answer): string[] {
  const head = `- **${status}** ${a.contentType ? `\`${a.contentType}\`` : '(no body)'}: ${a.description}`;
  const s = plain(a.schema);
  if (!s) return [head, ''];
  const branches = s.anyOf?.every((b) => b.type === 'object') ? s.anyOf : [s];
  const out = [head, ''];
  for (const b of branches) {
    if (branches.length > 1) out.push(`  ${typeof b.title === 'string' ? b.title : 'One of'}:`, '');
    out.push(...fieldTable(b));
  }
  return out;
}

function routeSection(c: DialectContract, r: RouteContract): string[] {
  const out = [`## ${r.method} ${r.path}`, '', r.summary + (r.description ? `. ${r.description}` : ''), ''];
  for (const [where, schema] of [
    ['Path parameters', r.params],
    ['Query parameters', r.query],
  ] as const) {
    const s = plain(schema);
    if (s) out.push(`### ${where}`, '', ...fieldTable(s));
  }
  if (r.body) {
    const types = Object.keys(r.body);
    out.push(`### Body (${types.map((t) => `\`${t}\``).join(', ')})`, '', ...fieldTable(plain(r.body[types[0]!])!));
  }
  out.push('### Answers', '');
  for (const status of Object.keys(r.answers).sort((a, b) => Number(a) - Number(b)))
    out.push(...answerBlock(status, r.answers[status]!));
  const common = Object.keys(c.common).filter((k) => !(k in r.answers));
  if (common.length) out.push(`Also the dialect's common answers: ${common.join(', ')} (below).`, '');
  return out;
}

export function dialectMarkdown(c: DialectContract): string {
  const lines = [
    `# ${c.title}`,
    '',
    '<!-- Generated from src/api/contract by `node scripts/api-docs.mjs` after a build. Do not edit by hand. -->',
    '',
    c.description,
    '',
    `The OpenAPI 3.1 document of this page is served at \`/openapi/${c.name}.json\` (all dialects: \`/openapi.json\`).`,
    '',
  ];
  for (const r of c.routes) lines.push(...routeSection(c, r));
  lines.push('## Common answers', '', 'Any route of this dialect, and unknown paths under it, may also answer:', '');
  for (const status of Object.keys(c.common).sort((a, b) => Number(a) - Number(b)))
    lines.push(...answerBlock(status, c.common[status]!));
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
