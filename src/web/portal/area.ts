// What the merchant portal and the operator console share: a session cookie over the PostgreSQL store,
// CSRF on every POST, a per-address limit on login posts, the page error handler and the auth preHandler
// that sets req.merchantSession / req.operatorSession. Each is one "area" registered in its own encapsulated
// Fastify context, so none of this runs for the payment APIs.
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../core/deps.js';
import { isTenderError } from '../../domain/errors.js';
import { accountById } from '../../store/accounts-repo.js';
import { cookieKeySealed } from '../../store/cookie-key-repo.js';
import type { AccountKind } from '../../store/portal-sessions-repo.js';
import { portalHeaders } from '../page-headers.js';
import { notice } from './forms.js';
import { consolePage, portalPage, type ConsoleNav, type PortalNav } from './layout.js';
import { pgSessionStore, SESSION_LIMITS, type AccountState } from './session-store.js';

/** Login posts per client address per window: loose enough for a team behind one NAT. */
export const LOGIN_RATE = { max: 100, window: '15 minutes' } as const;

export interface Area {
  kind: AccountKind;
  cookieName: string;
  /** The cookie's path: '/' for the portal, '/console' for the console. */
  cookiePath: string;
  loginPath: string;
  totpLoginPath: string;
  logoutPath: string;
  homePath: string;
  /** Account pages: password, TOTP and "log out everywhere" live below it. */
  accountPath: string;
  /** Which navigation entry the account pages light up. */
  accountNav: PortalNav | ConsoleNav;
}

export const pathsOf = (a: Area) => ({
  password: `${a.accountPath}/password`,
  totp: `${a.accountPath}/totp`,
  logoutAll: `${a.accountPath}/sessions/logout-all`,
});

/**
 * Route flags (route `config`): `public` pages need no login (login itself); `stage` pages are reachable in
 * that unfinished login stage; `ownAccount` posts a support operator may still make (its own password,
 * TOTP, logout).
 */
export interface RouteFlags {
  public?: boolean;
  stage?: 'totp' | 'password' | 'any';
  ownAccount?: boolean;
  /**
   * Public pages that show more to a logged-in account (the reference pages show the portal menu): anyone may
   * read them, and a finished, live login is set on the request as on any other page. Never a redirect.
   */
  optionalSession?: boolean;
}

/** Thrown by handlers to answer with a page of this status. */
export class PageRefusal extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Refusals thrown by the area's own hooks (a bad CSRF token, the login rate limit, a support operator's post).
 * Page modules registered inside an area set their own error handler, which replaces the area's for their
 * routes: each asks this first, so these refusals keep their status (403, 429) on every page.
 */
export function areaRefusal(e: unknown): { status: number; title: string; message: string } | undefined {
  if (e instanceof PageRefusal) return { status: e.status, title: e.title, message: e.message };
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('FST_CSRF_'))
    return {
      status: 403,
      title: 'Form expired',
      message: 'This form was not sent by this site or has expired. Go back, reload the page and try again.',
    };
  if ((e as { statusCode?: unknown }).statusCode === 429)
    return {
      status: 429,
      title: 'Too many attempts',
      message: 'Too many login attempts from your address. Wait and try again.',
    };
  return undefined;
}

/** Renders a page of this area with the logged-in session if any. */
export function renderPage(area: Area, req: FastifyRequest, title: string, body: string, nav?: string): string {
  if (area.kind === 'merchant')
    return portalPage({ title, body, session: req.merchantSession, nav: nav as PortalNav | undefined });
  return consolePage({ title, body, session: req.operatorSession, nav: nav as ConsoleNav | undefined });
}

export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return portalHeaders(reply).status(status).send(html);
}

/** The CSRF token for a form of this request: the session's, or a new one on public and unfinished-login pages. */
export const csrfFor = (req: FastifyRequest, reply: FastifyReply): string =>
  (req.merchantSession ?? req.operatorSession)?.csrf ?? reply.generateCsrf();

/** Ends this browser's session and its cookie. */
export async function endSession(area: Area, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.session?.sessionId) await req.session.destroy();
  reply.clearCookie(area.cookieName, { path: area.cookiePath });
}

/** A fresh session id keeping nothing of the old one (no fixation), then the login state. */
export async function startSession(req: FastifyRequest, state: AccountState): Promise<void> {
  await req.session.regenerate();
  req.session.account = state;
}

/**
 * Sets up cookies, sessions, CSRF, the login rate limit, the error pages and the auth preHandler in `app`
 * (an encapsulated context). Routes registered in `app` afterwards are protected.
 */
export async function setupArea(app: FastifyInstance, deps: Deps, area: Area): Promise<void> {
  const secure = deps.config.publicUrl.startsWith('https:');
  await app.register(cookie);
  await app.register(session, {
    // Cookies carry opaque ids (the session lives in the database); the signature rejects forged ids cheaply.
    secret: await signingKey(deps),
    cookieName: area.cookieName,
    store: pgSessionStore(deps),
    saveUninitialized: false,
    rolling: false,
    // Secure is added below from TENDER_PUBLIC_URL: @fastify/session drops a Secure cookie entirely when
    // Fastify sees plain http, which is what a TLS-terminating proxy in front of Tender looks like.
    cookie: { path: area.cookiePath, httpOnly: true, sameSite: 'strict', secure: false },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/session' });
  await app.register(rateLimit, { global: false });

  if (secure)
    app.addHook('onSend', async (_req, reply, payload) => {
      const h = reply.getHeader('set-cookie');
      const list = h === undefined ? [] : Array.isArray(h) ? h : [String(h)];
      if (list.length)
        reply.header(
          'set-cookie',
          list.map((c) => (/;\s*secure\b/i.test(c) ? c : `${c}; Secure`)),
        );
      return payload;
    });

  app.setErrorHandler(async (e, req, reply) => {
    const page = (status: number, title: string, text: string) =>
      sendPage(reply, status, renderPage(area, req, title, notice('error', text)));
    const refused = areaRefusal(e);
    if (refused) return page(refused.status, refused.title, refused.message);
    const status = (e as { statusCode?: number }).statusCode;
    if (isTenderError(e)) {
      const s = e.kind === 'not_found' ? 404 : e.kind === 'forbidden' ? 403 : 400;
      return page(s, s === 404 ? 'Not found' : 'Request refused', e.message);
    }
    if (typeof status === 'number' && status >= 400 && status < 500)
      return page([413, 414, 415].includes(status) ? status : 400, 'Bad request', 'The request could not be read.');
    req.log.error({ err: e }, 'portal page failed');
    return page(500, 'Something went wrong', 'Please try again in a moment.');
  });

  // CSRF first: a forged POST is refused before anything else looks at it (login included).
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method === 'POST') app.csrfProtection(req, reply, done);
    else done();
  });
  app.addHook('preHandler', async (req, reply) => guard(deps, area, req, reply));
}

/** The installation's cookie-signing key (made by the first process that needs it). */
async function signingKey(deps: Deps): Promise<string> {
  const sealed = await cookieKeySealed(deps.db, deps.box.seal(randomBytes(32).toString('base64url')));
  return deps.box.open(sealed).reveal();
}

async function guard(deps: Deps, area: Area, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const flags = (req.routeOptions.config ?? {}) as RouteFlags;
  if (flags.public) return;
  const acc = req.session.account;
  const now = deps.clock.now().getTime();
  const expired = (a: AccountState) =>
    now - a.seenAt > SESSION_LIMITS.idleMinutes * 60_000 || now - a.authAt > SESSION_LIMITS.absoluteHours * 3_600_000;
  if (flags.optionalSession) {
    if (!acc || acc.kind !== area.kind || acc.stage !== 'ok' || expired(acc)) return;
    const row = await accountById(deps.db, area.kind, acc.id);
    if (!row || row.disabled_at !== null) return;
    req.session.csrfToken ??= reply.generateCsrf();
    if (area.kind === 'merchant') req.merchantSession = { merchantId: acc.id, csrf: req.session.csrfToken };
    return;
  }
  if (!acc || acc.kind !== area.kind) return reply.redirect(area.loginPath, 303);
  if (expired(acc)) {
    await endSession(area, req, reply);
    return reply.redirect(`${area.loginPath}?expired=1`, 303);
  }
  const stageOk =
    flags.stage === 'any' ||
    acc.stage === flags.stage ||
    (acc.stage === 'ok' && flags.stage !== 'totp') ||
    (acc.stage === 'ok' && flags.stage === undefined);
  if (!stageOk) {
    const to =
      acc.stage === 'totp' ? area.totpLoginPath : acc.stage === 'password' ? pathsOf(area).password : area.homePath;
    return reply.redirect(to, 303);
  }
  // The account may have been disabled (operators) or changed role since the login: read it every time.
  const row = await accountById(deps.db, area.kind, acc.id);
  if (!row || row.disabled_at !== null) {
    await endSession(area, req, reply);
    return reply.redirect(area.loginPath, 303);
  }
  if (now - acc.seenAt > 60_000) acc.seenAt = now;
  // Only a finished login is a session the pages see (an unfinished one reaches only its stage's page).
  if (acc.stage !== 'ok') return;
  // One token per session: page plugins that compare the posted `_csrf` with the session's (payments, webhook
  // settings, console pages) must see the token their page carried, and @fastify/csrf-protection salts every
  // token it generates. A new login (startSession) starts a new session, hence a new token.
  req.session.csrfToken ??= reply.generateCsrf();
  const token = req.session.csrfToken;
  if (area.kind === 'merchant') req.merchantSession = { merchantId: acc.id, csrf: token };
  else {
    const role = row.role === 'support' ? 'support' : 'admin';
    req.operatorSession = { operatorId: acc.id, role, csrf: token };
    // Support operators read; only their own account (password, TOTP, logout) accepts their posts.
    if (role === 'support' && req.method !== 'GET' && req.method !== 'HEAD' && !flags.ownAccount)
      throw new PageRefusal(403, 'Read-only account', 'Support operators can look but not change anything.');
  }
}
