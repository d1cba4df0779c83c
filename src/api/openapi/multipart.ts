// multipart/form-data bodies (Postman's default "form-data" tab) read like a form body: every part a text
// field whose value is signed exactly as sent. Files are refused (no openapi parameter is a file). Sizes
// are bounded by the server's body limit: POST bodies by Fastify's parser, GET bodies (Fastify parses none)
// by readBounded below. Parsing is the platform's own (undici's FormData parser behind `Response`).
import type { IncomingMessage } from 'node:http';
import { TenderError } from '../../domain/errors.js';

export const MULTIPART = /^multipart\/form-data\s*(;|$)/i;

/** At most this many fields: far more than any openapi endpoint takes. */
const MAX_FIELDS = 64;

/** The text fields of a multipart body; a file, a repeated or a surplus field is refused. */
export async function multipartFields(body: Buffer, contentType: string): Promise<Record<string, string>> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new TenderError('MALFORMED_BODY', 'the multipart/form-data body cannot be parsed');
  }
  // No prototype: a field named __proto__ is a field like any other.
  const out: Record<string, string> = Object.create(null);
  let count = 0;
  for (const [name, value] of form) {
    if (typeof value !== 'string')
      throw new TenderError('INVALID_PARAM', `${name} is a file; send every parameter as a text field`);
    if (Object.hasOwn(out, name)) throw new TenderError('INVALID_PARAM', `${name} is given more than once in the body`);
    if (++count > MAX_FIELDS) throw new TenderError('INVALID_PARAM', `the body has more than ${MAX_FIELDS} fields`);
    out[name] = value;
  }
  return out;
}

/**
 * The whole request body, refused with 413 beyond `limit` bytes (the server's body limit). Like Fastify's own
 * body reader it stops listening rather than destroying the stream, so the answer still reaches the client
 * and the rest of the body is discarded as it arrives.
 */
export function readBounded(raw: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      raw.removeListener('data', onData);
      raw.removeListener('end', onEnd);
      raw.removeListener('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      stop();
      reject(Object.assign(new Error('request body is too large'), { statusCode: 413 }));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (e: Error) => {
      stop();
      reject(e);
    };
    raw.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
