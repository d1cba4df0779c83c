// OpenAPI 3.1 documents built from the contracts, i.e. from the same TypeBox schemas the server checks
// requests with and the test suite checks every answer against. Schemas with a title become components.
import type { TSchema } from '@sinclair/typebox';
import type { Answer, DialectContract, RouteContract } from './types.js';

type Json = Record<string, unknown>;

/** Plain JSON of a TypeBox schema (its symbols dropped), titled sub-schemas moved to `components`. */
function toJson(schema: TSchema, components: Json): Json {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x);
    const title = out.title;
    if (typeof title === 'string' && (out.type === 'object' || out.anyOf)) {
      const text = JSON.stringify(out);
      const known = components[title];
      if (known !== undefined && JSON.stringify(known) !== text) throw new Error(`two schemas are titled ${title}`);
      components[title] = out;
      return { $ref: `#/components/schemas/${title}` };
    }
    return out;
  };
  return walk(JSON.parse(JSON.stringify(schema))) as Json;
}

const statusOrder = (a: string, b: string) => Number(a) - Number(b);

function parameters(r: RouteContract, components: Json): Json[] {
  const list: Json[] = [];
  for (const [where, schema] of [
    ['path', r.params],
    ['query', r.query],
  ] as const) {
    if (!schema) continue;
    const s = toJson(schema, components) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, p] of Object.entries(s.properties ?? {}))
      list.push({
        name,
        in: where,
        required: where === 'path' || (s.required ?? []).includes(name),
        ...(typeof p.description === 'string' ? { description: p.description } : {}),
        schema: p,
      });
  }
  return list;
}

function response(a: Answer, components: Json): Json {
  if (!a.contentType) return { description: a.description };
  return {
    description: a.description,
    content: { [a.contentType]: a.schema ? { schema: toJson(a.schema, components) } : {} },
  };
}

function operation(c: DialectContract, r: RouteContract, components: Json): Json {
  const answers = { ...c.common, ...r.answers };
  const params = parameters(r, components);
  return {
    operationId: `${c.name}:${r.method.toLowerCase()}:${r.path}`,
    tags: [c.name],
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              Object.entries(r.body).map(([type, s]) => [type, { schema: toJson(s, components) }]),
            ),
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.keys(answers)
        .sort(statusOrder)
        .map((status) => [status, response(answers[status]!, components)]),
    ),
    ...(r.security ? { security: r.security.map((s) => ({ [s]: [] })) } : {}),
  };
}

/** One OpenAPI 3.1 document over the given dialects. */
export function openapiDocument(contracts: readonly DialectContract[], title: string, description: string): Json {
  const components: Json = {};
  const paths: Record<string, Json> = {};
  for (const c of contracts)
    for (const r of c.routes) {
      paths[r.path] = { ...paths[r.path], [r.method.toLowerCase()]: operation(c, r, components) };
    }
  const securitySchemes = Object.assign({}, ...contracts.map((c) => c.securitySchemes ?? {}));
  return {
    openapi: '3.1.0',
    info: { title, version: '1', description },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: contracts.map((c) => ({ name: c.name, description: c.title })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      ...(Object.keys(securitySchemes).length ? { securitySchemes } : {}),
    },
  };
}

export const dialectDocument = (c: DialectContract): Json => openapiDocument([c], c.title, c.description);
