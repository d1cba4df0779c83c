// @fastify/session's store over PostgreSQL (portal_sessions, migration 016): every process of an install
// sees the same sessions, a restart logs nobody out, and "log out everywhere" is one DELETE. The row expires
// with the session's idle or absolute limit, whichever comes first; the auth preHandler (area.ts) enforces
// both limits again with the injected clock.
import type { Session } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { deleteSession, readSession, writeSession } from '../../store/portal-sessions-repo.js';
import type { AccountKind } from '../../store/portal-sessions-repo.js';
import type { OperatorRole } from './session-types.js';

/** How long a logged-in session lives without a request, and at most since its login. */
export const SESSION_LIMITS = { idleMinutes: 30, absoluteHours: 12, anonymousMinutes: 60 } as const;

/** The login state kept in a session (beside @fastify/csrf-protection's secret `_csrf`). */
export interface AccountState {
  kind: AccountKind;
  id: string;
  role?: OperatorRole;
  /** totp: password given, code pending; password: the one-time password must be changed; ok: logged in. */
  stage: 'totp' | 'password' | 'ok';
  /** Epoch milliseconds of the login and of the last request (updated at most once a minute). */
  authAt: number;
  seenAt: number;
}

declare module 'fastify' {
  interface Session {
    account?: AccountState;
    /** A TOTP secret being set up (sealed with the master key), until the first code confirms it. */
    totpPending?: string;
    _csrf?: string;
    /** The CSRF token of this logged-in session's pages (one per session; see area.ts guard). */
    csrfToken?: string;
  }
}

export function sessionExpiry(a: AccountState | undefined, now: Date): Date {
  if (!a) return new Date(now.getTime() + SESSION_LIMITS.anonymousMinutes * 60_000);
  return new Date(
    Math.min(a.seenAt + SESSION_LIMITS.idleMinutes * 60_000, a.authAt + SESSION_LIMITS.absoluteHours * 3_600_000),
  );
}

type Callback = (err?: unknown) => void;

export function pgSessionStore(deps: Deps) {
  return {
    get(sid: string, cb: (err: unknown, s?: Session | null) => void): void {
      readSession(deps.db, sid, deps.clock.now()).then(
        (data) => cb(null, (data ?? null) as Session | null),
        (e) => cb(e),
      );
    },
    set(sid: string, session: Session, cb: Callback): void {
      const a = session.account;
      const now = deps.clock.now();
      writeSession(deps.db, {
        sid,
        accountKind: a?.kind ?? null,
        accountId: a?.id ?? null,
        data: session,
        expiresAt: sessionExpiry(a, now),
        at: now,
      }).then(
        () => cb(),
        (e) => cb(e),
      );
    },
    destroy(sid: string, cb: Callback): void {
      deleteSession(deps.db, sid).then(
        () => cb(),
        (e) => cb(e),
      );
    },
  };
}
