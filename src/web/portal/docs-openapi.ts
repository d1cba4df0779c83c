// One HTML page per dialect, rendered from the very OpenAPI 3.1 document /openapi/<name>.json serves
// (src/api/contract/document.ts), so the portal's reference can never say something the contract does not.
import { esc } from '../html.js';
import { tableBox } from './docs-layout.js';

type Json = Record<string, unknown>;
interface Schema extends Json {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  description?: string;
  title?: string;
}

/** Follows `#/components/schemas/X` references (the document moves every titled schema there). */
function resolver(doc: Json): (s: Schema | undefined) => Schema | undefined {
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Schema>;
  const resolve = (s: Schema | undefined, depth = 0): Schema | undefined => {
    if (!s?.$ref || depth > 20) return s;
    return resolve(schemas[s.$ref.replace('#/components/schemas/', '')], depth + 1);
  };
  return resolve;
}

/** A short type text: a constant in quotes, unions with `|`, arrays as `x[]`, pattern or format when given. */
function typeText(s: Schema | undefined, resolve: ReturnType<typeof resolver>): string {
  const r = resolve(s);
  if (!r) return 'any';
  if ('const' in r) return JSON.stringify(r.const);
  if (r.anyOf) return r.anyOf.map((b) => typeText(b, resolve)).join(' | ');
  let t = r.type === 'array' ? `${typeText(r.items, resolve)}[]` : (r.type ?? (r.title ? String(r.title) : 'any'));
  if (typeof r.format === 'string') t += ` (${r.format})`;
  else if (typeof r.pattern === 'string') t += ` matching ${r.pattern}`;
  if (typeof r.maxLength === 'number') t += `, at most ${r.maxLength} characters`;
  return t;
}

interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** Every field, nested objects as `a.b` and array items as `a[].b`. */
function fieldRows(s: Schema | undefined, resolve: ReturnType<typeof resolver>, prefix = '', depth = 0): FieldRow[] {
  const r = resolve(s);
  if (!r || depth > 6) return [];
  const target = r.type === 'array' ? resolve(r.items) : r;
  const rows: FieldRow[] = [];
  for (const [name, raw] of Object.entries(target?.properties ?? {})) {
    const p = resolve(raw);
    const path = `${prefix}${name}`;
    rows.push({
      name: path,
      type: typeText(raw, resolve),
      required: (target?.required ?? []).includes(name),
      description: typeof p?.description === 'string' ? p.description : '',
    });
    if (p?.properties) rows.push(...fieldRows(p, resolve, `${path}.`, depth + 1));
    const items = resolve(p?.items);
    if (items?.properties) rows.push(...fieldRows(items, resolve, `${path}[].`, depth + 1));
  }
  return rows;
}

function fieldTable(caption: string, rows: FieldRow[]): string {
  if (!rows.length) return '';
  const body = rows
    .map(
      (f) =>
        `<tr><th scope="row"><code>${esc(f.name)}</code></th><td>${esc(f.type)}</td>` +
        `<td>${f.required ? 'yes' : 'no'}</td><td>${esc(f.description)}</td></tr>`,
    )
    .join('');
  return (
    `${tableBox(caption)}<table><caption>${esc(caption)}</caption>` +
    '<thead><tr><th scope="col">field</th><th scope="col">type</th><th scope="col">required</th>' +
    `<th scope="col">description</th></tr></thead><tbody>${body}</tbody></table></div>`
  );
}

/** The operation's HTML id: `post-openapi-v1-createOrder`. */
export const operationAnchor = (method: string, path: string): string =>
  // A trailing slash is its own route (`/console` redirects to `/console/`): it gets its own anchor.
  `${method}-${path.length > 1 && path.endsWith('/') ? `${path}index` : path}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function responses(op: Json, resolve: ReturnType<typeof resolver>): string {
  const out: string[] = [];
  for (const [status, raw] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
    const content = (raw.content ?? {}) as Record<string, { schema?: Schema }>;
    const types = Object.keys(content);
    const head = `<dt><code>${esc(status)}</code> ${types.map((t) => `<code>${esc(t)}</code>`).join(' ')}</dt>`;
    const parts = [`<dd>${esc(String(raw.description ?? ''))}`];
    for (const t of types) {
      const s = resolve(content[t]!.schema);
      const objects = s?.anyOf?.every((b) => resolve(b)?.type === 'object');
      const branches = objects && s?.anyOf ? s.anyOf : s ? [s] : [];
      for (const b of branches) {
        const title = resolve(b)?.title;
        const caption = branches.length > 1 ? `${status}: ${title ?? 'one of'}` : `${status} fields`;
        parts.push(fieldTable(caption, fieldRows(b, resolve)));
      }
    }
    out.push(`${head}${parts.join('')}</dd>`);
  }
  return `<h4>Answers</h4><dl class="answers">${out.join('')}</dl>`;
}

function operationHtml(method: string, path: string, op: Json, resolve: ReturnType<typeof resolver>): string {
  const params = (op.parameters ?? []) as Array<Json & { schema?: Schema }>;
  const rows: FieldRow[] = params.map((p) => ({
    name: `${String(p.name)} (${String(p.in)})`,
    type: typeText(p.schema, resolve),
    required: p.required === true,
    description: typeof p.description === 'string' ? p.description : '',
  }));
  const body = (op.requestBody as Json | undefined)?.content as Record<string, { schema?: Schema }> | undefined;
  const bodyTypes = Object.keys(body ?? {});
  const bodyHtml = bodyTypes.length
    ? `<p>Body as ${bodyTypes.map((t) => `<code>${esc(t)}</code>`).join(', ')}.</p>` +
      fieldTable('Body fields', fieldRows(body![bodyTypes[0]!]!.schema, resolve))
    : '';
  const security = (op.security ?? []) as Json[];
  const auth = security.length
    ? `<p>Authentication: ${security.map((s) => `<code>${esc(Object.keys(s).join(', '))}</code>`).join(' or ')}.</p>`
    : '';
  const anchor = operationAnchor(method, path);
  return (
    `<section class="operation" id="${anchor}" aria-labelledby="h-${anchor}">` +
    `<h3 id="h-${anchor}"><span class="method">${esc(method.toUpperCase())}</span> ` +
    `<code>${esc(path)}</code></h3>` +
    `<p>${esc(String(op.summary ?? ''))}${op.description ? `. ${esc(String(op.description))}` : ''}</p>` +
    auth +
    fieldTable('Parameters', rows) +
    bodyHtml +
    responses(op, resolve) +
    '</section>'
  );
}

export interface RenderedDialect {
  /** HTML of the operations, with a table of contents first. */
  html: string;
  /** `METHOD path` of every operation rendered (tests compare it with the document's). */
  operations: string[];
}

export function renderDialectDocument(doc: Json): RenderedDialect {
  const resolve = resolver(doc);
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const ops: Array<[string, string, Json]> = [];
  for (const [path, methods] of Object.entries(paths))
    for (const [method, op] of Object.entries(methods)) ops.push([method, path, op]);
  const toc = ops
    .map(
      ([m, p, op]) =>
        `<li><a href="#${operationAnchor(m, p)}"><span class="method">${esc(m.toUpperCase())}</span> ` +
        `<code>${esc(p)}</code></a> ${esc(String(op.summary ?? ''))}</li>`,
    )
    .join('');
  return {
    html:
      `<nav aria-label="Operations" class="toc"><h2>Operations</h2><ul>${toc}</ul></nav>` +
      `<h2>Reference</h2>${ops.map(([m, p, op]) => operationHtml(m, p, op, resolve)).join('')}`,
    operations: ops.map(([m, p]) => `${m.toUpperCase()} ${p}`),
  };
}
