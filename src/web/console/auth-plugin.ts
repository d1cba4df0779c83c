// The operator console's login and account pages (issue 12): the same protections as the merchant portal
// (src/web/portal/area.ts) with its own cookie (path /console). Support operators are read-only: any post
// of theirs outside their own account is refused with a 403 page before it reaches a handler. The console's
// other pages (merchants, payouts, webhooks, audit) are registered inside through the option `pages`.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { accountById } from '../../store/accounts-repo.js';
import { countAccountSessions } from '../../store/portal-sessions-repo.js';
import { esc } from '../html.js';
import { accountRoutes } from '../portal/account-routes.js';
import { type Area, pathsOf, renderPage, sendPage, setupArea } from '../portal/area.js';
import { loginRoutes, sessionsBox } from '../portal/login-routes.js';

export const CONSOLE_AREA: Area = {
  kind: 'operator',
  cookieName: 'tender_console',
  cookiePath: '/console',
  loginPath: '/console/login',
  totpLoginPath: '/console/login/totp',
  logoutPath: '/console/logout',
  homePath: '/console/',
  accountPath: '/console/account',
  accountNav: 'account',
};

const consoleTabs = (current: 'basic' | 'password' | 'totp'): string => {
  const p = pathsOf(CONSOLE_AREA);
  const tab = (key: string, href: string, label: string) =>
    `<li><a href="${href}"${key === current ? ' aria-current="page"' : ''}>${label}</a></li>`;
  return (
    '<nav aria-label="My account"><ul class="tabs">' +
    tab('basic', CONSOLE_AREA.accountPath, 'Account') +
    tab('password', p.password, 'Change Password') +
    tab('totp', p.totp, 'Two-step verification') +
    '</ul></nav>'
  );
};

export interface ConsoleOptions {
  deps: Deps;
  pages?: FastifyPluginAsync<{ deps: Deps }>[];
}

export async function consoleAuthPlugin(app: FastifyInstance, opts: ConsoleOptions): Promise<void> {
  const { deps } = opts;
  const area = CONSOLE_AREA;
  await setupArea(app, deps, area);
  loginRoutes(app, deps, area);
  accountRoutes(app, deps, area, consoleTabs);

  app.get('/console', async (_req, reply) => reply.redirect('/console/', 303));
  app.get('/console/', async (req, reply) => {
    const s = req.operatorSession!;
    const body =
      `<p>Logged in as operator ${esc(s.operatorId)} ` +
      `(${esc(s.role)}${s.role === 'support' ? ', read-only' : ''}).</p>` +
      '<ul class="cards">' +
      '<li><a href="/console/merchants">Merchants</a>: onboarding, suspension, fees and limits</li>' +
      '<li><a href="/console/payouts">Payout approvals</a></li>' +
      '<li><a href="/console/webhooks">Webhook health</a></li>' +
      '<li><a href="/console/audit">Audit log</a></li>' +
      '</ul>';
    return sendPage(reply, 200, renderPage(area, req, 'Console', body));
  });

  app.get(area.accountPath, { config: { ownAccount: true } }, async (req, reply) => {
    const s = req.operatorSession!;
    const row = (await accountById(deps.db, 'operator', s.operatorId))!;
    const sessions = await countAccountSessions(deps.db, 'operator', s.operatorId, deps.clock.now());
    const body =
      consoleTabs('basic') +
      '<dl class="facts">' +
      `<div class="row"><dt>Username</dt><dd>${esc(row.username)}</dd></div>` +
      `<div class="row"><dt>Role</dt><dd id="role">${esc(s.role)}</dd></div>` +
      `<div class="row"><dt>Two-step verification</dt><dd>${row.totp_enabled_at ? 'on' : 'off'}</dd></div>` +
      '</dl>' +
      sessionsBox(area, s.csrf, sessions);
    return sendPage(reply, 200, renderPage(area, req, 'My account', body, 'account'));
  });

  for (const pages of opts.pages ?? []) await app.register(pages, { deps });
}
