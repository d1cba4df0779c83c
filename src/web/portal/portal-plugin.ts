// The merchant portal (issue 12): login with the credentials `merchant create` prints, the forced password
// change, two-step verification, User Center, and the pages of other modules registered inside it (option
// `pages`): every route there sees req.merchantSession and has CSRF checked on its posts.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { getMerchant } from '../../core/merchants.js';
import { esc } from '../html.js';
import { accountRoutes } from './account-routes.js';
import { type Area, renderPage, sendPage, setupArea } from './area.js';
import { devApiRoutes } from './dev-api-page.js';
import { integrationsRoutes } from './integrations-page.js';
import { loginRoutes } from './login-routes.js';
import { userCenterRoutes, userCenterTabs } from './user-center.js';

export const PORTAL_AREA: Area = {
  kind: 'merchant',
  cookieName: 'tender_portal',
  cookiePath: '/',
  loginPath: '/login',
  totpLoginPath: '/login/totp',
  logoutPath: '/logout',
  homePath: '/',
  accountPath: '/user-center',
  accountNav: 'user-center',
};

export interface PortalOptions {
  deps: Deps;
  /** Page plugins of other modules (payments, balances, integrations...), registered behind the login. */
  pages?: FastifyPluginAsync<{ deps: Deps }>[];
}

export async function portalPlugin(app: FastifyInstance, opts: PortalOptions): Promise<void> {
  const { deps } = opts;
  const area = PORTAL_AREA;
  await setupArea(app, deps, area);
  loginRoutes(app, deps, area);
  accountRoutes(app, deps, area, userCenterTabs);
  userCenterRoutes(app, deps, area);
  devApiRoutes(app, deps, area);
  integrationsRoutes(app, deps, area);

  app.get('/', async (req, reply) => {
    const s = req.merchantSession!;
    const m = await getMerchant(deps, s.merchantId);
    const body =
      `<p>Welcome, ${esc(m.brand)}. Merchant ID <strong>${esc(m.id)}</strong>, ` +
      `${deps.config.mode === 'live' ? 'live mode' : 'sandbox mode (test money only)'}.</p>` +
      '<ul class="cards">' +
      '<li><a href="/payments">Payments</a>: every order, its history and webhooks</li>' +
      '<li><a href="/balances">Balances</a>: per currency, with the journal behind them</li>' +
      '<li><a href="/user-center">User Center</a>: Merchant ID, API host, Security Key, password</li>' +
      '<li><a href="/dev/api">API secret</a> and <a href="/integrations">Intégrations</a> (CinetPay keys)</li>' +
      '</ul>';
    return sendPage(reply, 200, renderPage(area, req, 'Dashboard', body, 'dashboard'));
  });

  for (const pages of opts.pages ?? []) await app.register(pages, { deps });
}
