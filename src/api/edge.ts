// What every request meets before and around its dialect's routes: the text rule, refusals that Fastify
// or Node produce before a route exists (answered in the dialect's envelope via renderRefusal), and the
// headers every API answer carries.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { TenderError } from '../domain/errors.js';
import { findBadText, printable } from '../domain/text.js';
import { renderRefusal, type Refusal, type RefusalCode } from './refusal.js';
import { asTenderError } from './envelope.js';

function send(reply: FastifyReply, r: Refusal): FastifyReply {
  return reply
    .header('x-trace-id', reply.request.id)
    .status(r.status)
    .headers(r.headers)
    .type(r.contentType)
    .send(r.body);
}

/** Routes nobody registered, in the envelope of the dialect the path belongs to. */
export function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = req.url.split('?')[0]!;
  return send(reply, renderRefusal(req.url, 'NOT_FOUND', `no route ${req.method} ${printable(path)}`, req.id));
}

/** Fastify's router refusals (Fastify option `frameworkErrors`): bad percent-encoding, over-long parameters. */
export function frameworkErrors(e: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 400;
  const message =
    e.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path segment is too long'
      : e.code === 'FST_ERR_BAD_URL'
        ? 'the URL is not valid (bad percent-encoding)'
        : 'the request could not be routed';
  req.log.info({ errorCode: e.code }, 'refused before routing');
  void send(reply, renderRefusal(req.url, 'INVALID_PARAM', message, req.id, status));
}

const CLIENT_ERRORS: Record<string, { status: number; code: RefusalCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'INVALID_PARAM', message: 'request headers or URL are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'MALFORMED_BODY', message: 'the request was not received in time' },
  ERR_HTTP_HEADERS_TIMEOUT: { status: 408, code: 'MALFORMED_BODY', message: 'the headers were not received in time' },
};

/** The request target of a raw HTTP packet ("GET /pay/x HTTP/1.1" → "/pay/x"), or "/" when unreadable. */
export function targetOf(packet: Buffer | undefined): string {
  if (!packet) return '/';
  const line = packet.subarray(0, 8192).toString('latin1').split('\r\n', 1)[0]!;
  const m = /^[A-Z]+ (\/[^ ]*)/.exec(line);
  return m ? m[1]! : '/';
}

/**
 * Node's clientError (Fastify option `clientErrorHandler`): the request never became a request (header
 * overflow, malformed HTTP, timeouts). Answered in the dialect of the path when the packet has one.
 */
export function clientErrorHandler(makeTraceId: () => string): (e: Error & { code?: string }, socket: Socket) => void {
  return (e, socket) => {
    const packet = (e as { rawPacket?: unknown }).rawPacket;
    if (e.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const known = CLIENT_ERRORS[e.code ?? ''];
      const what = known ?? { status: 400, code: 'MALFORMED_BODY', message: 'malformed HTTP request' };
      const traceid = makeTraceId();
      const r = renderRefusal(
        targetOf(Buffer.isBuffer(packet) ? packet : undefined),
        what.code,
        what.message,
        traceid,
        what.status,
      );
      const body = Buffer.from(r.body);
      const head = [
        `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status]}`,
        `content-type: ${r.contentType}`,
        `content-length: ${body.length}`,
        `x-trace-id: ${traceid}`,
        ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`),
        'connection: close',
        '',
        '',
      ].join('\r\n');
      socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    }
    // The parser cannot continue on this connection; end() flushes the answer, destroySoon closes after it.
    socket.destroySoon();
  };
}

/** Every value of `source` (query, params), as strings, for the text rule. */
function refuseBadText(value: unknown, where: string): void {
  const bad = findBadText(value);
  if (bad !== undefined)
    throw new TenderError(
      'INVALID_PARAM',
      `${printable(bad)} in the ${where} contains a control character or invalid Unicode`,
    );
}

/**
 * The text rule for every request (a preValidation hook): path parameters, query, and the body whether
 * Fastify parsed it (form) or a dialect keeps it raw (JSON or form text). Runs inside the route, so the
 * refusal is rendered by the route's dialect (INVALID_PARAM in its own envelope).
 */
export async function textRule(req: FastifyRequest): Promise<void> {
  refuseBadText(req.params, 'path');
  refuseBadText(req.query, 'query string');
  const body = req.body;
  if (typeof body !== 'string') return refuseBadText(body, 'body');
  const type = String(req.headers['content-type'] ?? '');
  if (/application\/x-www-form-urlencoded/i.test(type)) {
    // [name, value] pairs: names and values both obey the rule.
    return refuseBadText([...new URLSearchParams(body)], 'body');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON: the dialect refuses it as malformed; the raw text itself must still obey the rule.
    return refuseBadText(body, 'body');
  }
  refuseBadText(parsed, 'body');
}

/** API answers are never cached by a proxy or sniffed into something else by a browser. */
export async function apiHeaders(_req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  reply.header('x-content-type-options', 'nosniff');
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  return payload;
}

/**
 * Errors of routes outside any dialect plugin (/healthz, /metrics, the not-found route): catalog errors in
 * the envelope of the path's dialect, anything else a logged 500.
 */
export function rootErrorHandler(e: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = asTenderError(e);
  if (!mapped) {
    req.log.error({ err: e }, 'request failed');
    return send(reply, renderRefusal(req.url, 'INTERNAL', 'internal error', req.id, 500));
  }
  return send(reply, renderRefusal(req.url, mapped.err.code, mapped.err.message, req.id, mapped.httpStatus));
}
