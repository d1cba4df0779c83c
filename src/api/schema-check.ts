// Request schemas (TypeBox, i.e. JSON Schema) → catalog refusals. Each field schema carries a
// `description` that doubles as the refusal message, so the same schemas can document the API later.
// Two users: Fastify's own route validation (`schemaErrorFormatter`, ajv) and `checker` for input a
// dialect collects itself (openapi's params from query + form + JSON, raw JSON bodies).
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { TenderError } from '../domain/errors.js';
import { printable } from '../domain/text.js';

const fieldOf = (path: string) => printable(path.replace(/^\//, '').replace(/\//g, '.'));

/** A compiled check of `schema`: returns the value typed, or throws MISSING_PARAM / INVALID_PARAM. */
export function checker<T extends TSchema>(schema: T): (value: unknown) => Static<T> {
  const check = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) return value;
    const e = check.Errors(value).First()!;
    if (e.type === ValueErrorType.ObjectRequiredProperty)
      throw new TenderError('MISSING_PARAM', `${fieldOf(e.path)} is required`);
    const described = (e.schema as { description?: string }).description;
    throw new TenderError('INVALID_PARAM', described ?? `${fieldOf(e.path) || 'body'}: ${e.message}`);
  };
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: { missingProperty?: string };
  parentSchema?: { description?: string };
}

/** Fastify's `schemaErrorFormatter`: ajv's first error as a catalog error, rendered by the route's dialect. */
export function schemaErrorFormatter(errors: AjvError[], dataVar: string): Error {
  const e = errors[0];
  if (!e) return new TenderError('INVALID_PARAM', `${dataVar} is not valid`);
  if (e.keyword === 'required')
    return new TenderError('MISSING_PARAM', `${printable(e.params?.missingProperty ?? dataVar)} is required`);
  const field = fieldOf(e.instancePath) || dataVar;
  return new TenderError('INVALID_PARAM', e.parentSchema?.description ?? `${field} ${e.message ?? 'is not valid'}`);
}
