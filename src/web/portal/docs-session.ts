// The merchant session these pages need, as issue 12's shared contract defines it (p12-common: H3 builds
// login and sessions in src/web/portal/session-types.ts). Declared here because that file is not on this
// branch; the shapes are identical, so the merge replaces this import with H3's.
import type { FastifyRequest } from 'fastify';

export interface MerchantSession {
  merchantId: string;
  csrf: string;
}

/** How a plugin learns who is logged in: H3's auth preHandler in the server, a fixed session in tests. */
export type SessionOf = (req: FastifyRequest) => MerchantSession | undefined;

/** The decoration H3's portal preHandler sets (`req.merchantSession`), read without depending on its types. */
export const decoratedSession: SessionOf = (req) =>
  (req as FastifyRequest & { merchantSession?: MerchantSession }).merchantSession;
