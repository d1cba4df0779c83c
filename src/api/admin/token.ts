// The operator's bearer token (TENDER_ADMIN_TOKEN), compared in constant time: admin routes and /metrics.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** A checker of `Authorization: Bearer <token>` header values against `token`. */
export function adminTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (h) => timingSafeEqual(digest(h?.startsWith('Bearer ') ? h.slice(7) : ''), expected);
}
