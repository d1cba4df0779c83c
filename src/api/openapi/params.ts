// Gathers openapi parameters from the query string, a form body or a JSON body (all equivalent), as the
// exact strings the merchant sent, because the signature covers them verbatim.
import type { FastifyRequest } from 'fastify';
import { TenderError } from '../../domain/errors.js';
import { topLevelRawFields } from '../../domain/raw-json.js';

function flat(source: unknown, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!source || typeof source !== 'object') return out;
  for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
    if (Array.isArray(v)) throw new TenderError('INVALID_PARAM', `${k} is given more than once in the ${where}`);
    out[k] = v === undefined || v === null ? '' : String(v);
  }
  return out;
}

export function collectParams(req: FastifyRequest): Record<string, string> {
  const query = flat(req.query, 'query string');
  let body: Record<string, string> = {};
  if (typeof req.body === 'string') body = req.body.trim() === '' ? {} : topLevelRawFields(req.body);
  else body = flat(req.body, 'body');
  for (const [k, v] of Object.entries(body)) {
    if (k in query && query[k] !== v)
      throw new TenderError('INVALID_PARAM', `${k} differs between the query string and the body`);
    query[k] = v;
  }
  return query;
}

export function required(p: Record<string, string>, name: string, max = 256): string {
  const v = p[name];
  if (v === undefined || v === '') throw new TenderError('MISSING_PARAM', `${name} is required`);
  if (v.length > max) throw new TenderError('INVALID_PARAM', `${name} is longer than ${max} characters`);
  return v;
}

export function optional(p: Record<string, string>, name: string, max = 256): string | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (v.length > max) throw new TenderError('INVALID_PARAM', `${name} is longer than ${max} characters`);
  return v;
}

/** The seed spells callbackURL two ways; both mean the same. */
export function callbackUrlOf(p: Record<string, string>): string | undefined {
  return optional(p, 'callbackURL') ?? optional(p, 'callBackURL');
}
