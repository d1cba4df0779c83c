// The merchant session the payments pages need. H3's src/web/portal/session-types.ts defines the same
// interface for the whole portal (issue 12 shared decisions); until it lands the payments plugin reads the
// session through `sessionOf`, and this file is replaced by an import of that one at the merge.
import type { FastifyRequest } from 'fastify';

export interface MerchantSession {
  merchantId: string;
  csrf: string;
}

export type SessionOf = (req: FastifyRequest) => MerchantSession | undefined;

/** The portal's auth preHandler sets `req.merchantSession`; this reads it without redeclaring Fastify's types. */
export const requestSession: SessionOf = (req) => (req as { merchantSession?: MerchantSession }).merchantSession;
