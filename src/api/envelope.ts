// Helpers shared by the dialect adapters.
import type { FastifyError } from 'fastify';
import { TenderError, isTenderError } from '../domain/errors.js';
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
