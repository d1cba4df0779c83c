// Capability codes in hosted-page and watch paths (/pay/<code>, /watch/<code>, /payment/<code>) are
// bearer secrets: whoever has one can see and act on the payment. Request logs keep only a prefix.
import type { FastifyRequest } from 'fastify';

const CAPABILITY = /^(\/(?:pay|watch|payment)\/)([^/?#]+)/;

// openapi parameters may travel in the query string (the seed's curl examples put them there), so the
// request line would carry a payout's card number or Pix key (toAccount, docs/pix-payouts.md) and any card
// data or secret a client sends that way. Their values are cut from the logged URL, as the logger's `redact`
// paths cut them from logged objects. submitKYC's `data` (personal records) is cut the same way.
const SENSITIVE_QUERY = /([?&](?:toAccount|cardNumber|cvv|expDate|merchant_secret|securityKey|password|data)=)[^&#]*/gi;

/**
 * `url` with the capability code cut to its first 4 characters ("/pay/ab12…/status?lang=fr") and sensitive
 * query values replaced by [REDACTED].
 */
export function maskUrl(url: string): string {
  return url
    .replace(CAPABILITY, (_m, prefix: string, code: string) =>
      code.length <= 4 ? `${prefix}…` : `${prefix}${code.slice(0, 4)}…`,
    )
    .replace(SENSITIVE_QUERY, '$1[REDACTED]');
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
