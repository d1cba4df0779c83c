// Capability codes in hosted-page and watch paths (/pay/<code>, /watch/<code>, /payment/<code>) are
// bearer secrets: whoever has one can see and act on the payment. Request logs keep only a prefix.
import type { FastifyRequest } from 'fastify';

const CAPABILITY = /^(\/(?:pay|watch|payment)\/)([^/?#]+)/;

/** `url` with the capability code cut to its first 4 characters ("/pay/ab12…/status?lang=fr"). */
export function maskUrl(url: string): string {
  return url.replace(CAPABILITY, (_m, prefix: string, code: string) =>
    code.length <= 4 ? `${prefix}…` : `${prefix}${code.slice(0, 4)}…`,
  );
}

/** pino `req` serializer: what Fastify's default one logs, with the URL masked. */
export function reqSerializer(req: FastifyRequest | { method?: string; url?: string }) {
  const r = req as FastifyRequest;
  return {
    method: r.method,
    url: maskUrl(String(r.url ?? '')),
    host: r.host,
    remoteAddress: r.ip,
    remotePort: r.socket?.remotePort,
  };
}
