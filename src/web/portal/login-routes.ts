// Login, the TOTP step, logout and "log out everywhere" of one area (portal or console). The login post is
// limited per client address (LOGIN_RATE) and every password or code counts toward the account's lockout
// (core/portal-auth.ts). The session id changes at login and again after the TOTP step (no fixation).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { checkPassword, checkSecondFactor, lockedText } from '../../core/portal-auth.js';
import { esc } from '../html.js';
import { deleteAccountSessions, purgeExpiredSessions } from '../../store/portal-sessions-repo.js';
import { bodyField, field, form, notice } from './forms.js';
import {
  type Area,
  endSession,
  LOGIN_RATE,
  PageRefusal,
  pathsOf,
  renderPage,
  type RouteFlags,
  sendPage,
  startSession,
} from './area.js';

const PUBLIC: { config: RouteFlags } = { config: { public: true } };
const rateLimited = { rateLimit: { max: LOGIN_RATE.max, timeWindow: LOGIN_RATE.window } };

function loginForm(area: Area, csrf: string, username: string, message: string): string {
  return (
    message +
    form(
      area.loginPath,
      csrf,
      field({
        label: 'Username',
        name: 'username',
        autocomplete: 'username',
        required: true,
        value: username,
        autofocus: true,
        maxlength: 200,
      }) +
        field({
          label: 'Password',
          name: 'password',
          type: 'password',
          autocomplete: 'current-password',
          required: true,
          maxlength: 200,
        }),
      'Log in',
      'stack',
    )
  );
}

function totpForm(area: Area, csrf: string, message: string): string {
  return (
    message +
    '<p>Enter the 6-digit code your authenticator app shows, or one of your recovery codes.</p>' +
    form(
      area.totpLoginPath,
      csrf,
      field({
        label: 'Code',
        name: 'code',
        autocomplete: 'one-time-code',
        inputmode: 'text',
        required: true,
        autofocus: true,
        maxlength: 40,
      }),
      'Continue',
      'stack',
    ) +
    form(area.logoutPath, csrf, '', 'Cancel and log out', 'inline')
  );
}

export function loginRoutes(app: FastifyInstance, deps: Deps, area: Area): void {
  const page = (req: FastifyRequest, reply: FastifyReply, status: number, title: string, body: string) =>
    sendPage(reply, status, renderPage(area, req, title, body));

  app.get(area.loginPath, PUBLIC, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const acc = req.session.account;
    if (acc?.kind === area.kind && acc.stage === 'ok') return reply.redirect(area.homePath, 303);
    const msg =
      q.expired !== undefined
        ? notice('info', 'Your session ended. Please log in again.')
        : q.out !== undefined
          ? notice('ok', 'You are logged out.')
          : '';
    return page(req, reply, 200, 'Log in', loginForm(area, reply.generateCsrf(), '', msg));
  });

  app.post(area.loginPath, { ...PUBLIC, config: { ...PUBLIC.config, ...rateLimited } }, async (req, reply) => {
    const username = (bodyField(req.body, 'username') ?? '').trim().slice(0, 200);
    const password = (bodyField(req.body, 'password') ?? '').slice(0, 200);
    const r = await checkPassword(deps, area.kind, username, password);
    if (!r.ok) {
      const text = r.reason === 'locked' ? lockedText() : 'Wrong username or password.';
      return page(req, reply, 401, 'Log in', loginForm(area, reply.generateCsrf(), username, notice('error', text)));
    }
    const now = deps.clock.now();
    await purgeExpiredSessions(deps.db, now);
    const stage = r.next === 'totp' ? 'totp' : r.next === 'password' ? 'password' : 'ok';
    await startSession(req, { kind: area.kind, id: r.account.id, stage, authAt: now.getTime(), seenAt: now.getTime() });
    req.log.info({ accountKind: area.kind, accountId: r.account.id, stage }, 'login');
    const to = stage === 'totp' ? area.totpLoginPath : stage === 'password' ? pathsOf(area).password : area.homePath;
    return reply.redirect(to, 303);
  });

  const totpStage: { config: RouteFlags } = { config: { stage: 'totp', ownAccount: true } };
  app.get(area.totpLoginPath, totpStage, async (req, reply) =>
    page(req, reply, 200, 'Two-step verification', totpForm(area, reply.generateCsrf(), '')),
  );

  app.post(area.totpLoginPath, { config: { ...totpStage.config, ...rateLimited } }, async (req, reply) => {
    const acc = req.session.account!;
    const r = await checkSecondFactor(deps, area.kind, acc.id, (bodyField(req.body, 'code') ?? '').slice(0, 40));
    if (!r.ok) {
      if (r.reason === 'locked') {
        await endSession(area, req, reply);
        throw new PageRefusal(401, 'Account locked', lockedText());
      }
      const msg = notice('error', 'That code is not valid. Check the time on your phone, or use a recovery code.');
      return page(req, reply, 401, 'Two-step verification', totpForm(area, reply.generateCsrf(), msg));
    }
    const now = deps.clock.now().getTime();
    const stage = r.account.must_change_password ? 'password' : 'ok';
    await startSession(req, { kind: area.kind, id: acc.id, stage, authAt: now, seenAt: now });
    const to =
      stage === 'password' ? pathsOf(area).password : r.recovery ? `${pathsOf(area).totp}?recovery=1` : area.homePath;
    return reply.redirect(to, 303);
  });

  app.post(area.logoutPath, { config: { stage: 'any', ownAccount: true } satisfies RouteFlags }, async (req, reply) => {
    const acc = req.session.account;
    await endSession(area, req, reply);
    if (acc) req.log.info({ accountKind: area.kind, accountId: acc.id }, 'logout');
    return reply.redirect(`${area.loginPath}?out=1`, 303);
  });

  app.post(pathsOf(area).logoutAll, { config: { ownAccount: true } satisfies RouteFlags }, async (req, reply) => {
    const acc = req.session.account!;
    const n = await deleteAccountSessions(deps.db, area.kind, acc.id);
    await endSession(area, req, reply);
    req.log.info({ accountKind: area.kind, accountId: acc.id, endedSessions: n }, 'logout everywhere');
    return reply.redirect(`${area.loginPath}?out=1`, 303);
  });
}

/** The "Sessions" box of an account page: log out everywhere. */
export function sessionsBox(area: Area, csrf: string, count: number): string {
  return (
    '<section aria-labelledby="sessions-h"><h2 id="sessions-h">Sessions</h2>' +
    `<p>This account is logged in ${esc(String(count))} ${count === 1 ? 'time' : 'times'} (browsers and devices).</p>` +
    form(pathsOf(area).logoutAll, csrf, '', 'Log out everywhere', 'inline') +
    '</section>'
  );
}
