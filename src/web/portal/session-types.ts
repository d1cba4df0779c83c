// The session contract every portal and console page codes against (issue 12). The auth preHandlers of
// portal-plugin.ts / console-plugin.ts set exactly one of these on each request they let through:
// a route registered inside the merchant portal always sees req.merchantSession (an anonymous visitor is sent
// to /login first), a route inside the console always sees req.operatorSession. Every POST in either has
// already passed the CSRF check, and in the console a support operator's POST never reaches a handler.

/** A logged-in merchant, after the forced password change and the TOTP step (if enabled). */
export interface MerchantSession {
  /** merchants.id as a decimal string: scope EVERY query with it. */
  merchantId: string;
  /** The CSRF token to put in every form as the hidden field `_csrf` (see csrfField in layout.ts). */
  csrf: string;
}

export type OperatorRole = 'admin' | 'support';

/** A logged-in operator of the console. `support` is read-only. */
export interface OperatorSession {
  /** operators.id as a decimal string. */
  operatorId: string;
  role: OperatorRole;
  /** The CSRF token to put in every form as the hidden field `_csrf`. */
  csrf: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the merchant portal's auth preHandler; undefined outside the portal and on its public pages. */
    merchantSession?: MerchantSession;
    /** Set by the console's auth preHandler; undefined outside the console and on its login pages. */
    operatorSession?: OperatorSession;
  }
}
