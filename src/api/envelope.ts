// Helpers shared by the dialect adapters.
import type { FastifyError } from 'fastify';
import { TenderError, isTenderError, type ErrorKind } from '../domain/errors.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';

/** Fastify's own client errors (bad JSON, wrong content type, too large) as catalog errors. */
export function asTenderError(e: unknown): { err: TenderError; httpStatus?: number } | undefined {
  if (isTenderError(e)) return { err: e };
  // A database outage is the client's cue to retry, not a server fault: each dialect answers it in its envelope.
  if (isDatabaseUnavailable(e)) return { err: new TenderError('SERVICE_UNAVAILABLE') };
  const fe = e as FastifyError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413)
      return { err: new TenderError('MALFORMED_BODY', 'request body is too large'), httpStatus: 413 };
    if (fe.statusCode === 415)
      return { err: new TenderError('MALFORMED_BODY', 'unsupported content type'), httpStatus: 415 };
    return { err: new TenderError('MALFORMED_BODY', fe.message) };
  }
  return undefined;
}

/** HTTP status of each error kind where a dialect answers with HTTP statuses (admin API, pre-route refusals). */
export const HTTP_STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  auth: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  state: 409,
  unavailable: 503,
  internal: 500,
};
