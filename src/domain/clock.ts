// Time and identifiers are injected so tests can control them.
import { randomBytes, randomInt } from 'node:crypto';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface Ids {
  /** C-Pay style numeric order id: yyMMddHHmmss + 9 random digits. */
  orderId(now: Date): string;
  /** URL-safe random token with `bytes` of entropy. */
  token(bytes: number): string;
}

export const randomIds: Ids = {
  orderId(now) {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const stamp =
      p(now.getUTCFullYear() % 100) +
      p(now.getUTCMonth() + 1) +
      p(now.getUTCDate()) +
      p(now.getUTCHours()) +
      p(now.getUTCMinutes()) +
      p(now.getUTCSeconds());
    return stamp + String(randomInt(0, 1_000_000_000)).padStart(9, '0');
  },
  token(bytes) {
    return randomBytes(bytes).toString('base64url');
  },
};
