// Refusals of the portal pages as pages (never the JSON envelope of an API): a catalog error says what was
// wrong, a database outage asks to retry, anything else is a logged 500 with no detail.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { asTenderError } from '../../api/envelope.js';
import { esc } from '../html.js';
import { areaRefusal } from './area.js';
import { docsPage, portalHeaders } from './docs-layout.js';
import type { SessionOf } from './docs-session.js';

const TITLES: Record<number, string> = {
  400: 'Cannot continue',
  403: 'Refused',
  429: 'Too many attempts',
  404: 'Not found',
  409: 'Cannot continue',
  413: 'Too large',
  415: 'Cannot continue',
  503: 'Try again shortly',
};

export function portalErrorHandler(sessionOf: SessionOf) {
  return (e: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const page = (status: number, message: string) =>
      portalHeaders(reply)
        .status(status)
        .send(
          docsPage({
            title: TITLES[status] ?? 'Something went wrong',
            session: sessionOf(req),
            body: `<p class="notice error" role="alert">${esc(message)}</p>`,
          }),
        );
    const refused = areaRefusal(e);
    if (refused) return page(refused.status, refused.message);
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'portal page failed');
      return page(500, 'Please try again in a moment.');
    }
    const { err, httpStatus } = mapped;
    if (httpStatus) return page(httpStatus, err.message);
    const byKind: Record<string, number> = {
      validation: 400,
      auth: 403,
      forbidden: 403,
      not_found: 404,
      conflict: 409,
      state: 409,
      unavailable: 503,
    };
    const status = byKind[err.kind];
    if (!status) {
      req.log.error({ err: e }, 'portal page failed');
      return page(500, 'Please try again in a moment.');
    }
    return page(status, err.message);
  };
}
