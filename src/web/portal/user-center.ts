// User Center (seed 000 "User Center / User Center"): Basic Information (Merchant ID, API host and mode,
// the Security Key shown or rotated only after the password is given again) beside Change Password and
// two-step verification (account-routes.ts). The Security Key is sealed at rest, so it can be shown.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { getMerchant, rotateSecurityKey, securityKeyOf } from '../../core/merchants.js';
import { lockedText, reauthenticate } from '../../core/portal-auth.js';
import { countAccountSessions } from '../../store/portal-sessions-repo.js';
import { esc } from '../html.js';
import { type Area, renderPage, sendPage } from './area.js';
import { bodyField, field, form, notice } from './forms.js';
import { sessionsBox } from './login-routes.js';

export const userCenterTabs = (current: 'basic' | 'password' | 'totp'): string => {
  const tab = (key: string, href: string, label: string) =>
    `<li><a href="${href}"${key === current ? ' aria-current="page"' : ''}>${label}</a></li>`;
  return (
    '<nav aria-label="User Center"><ul class="tabs">' +
    tab('basic', '/user-center', 'Basic Information') +
    tab('password', '/user-center/password', 'Change Password') +
    tab('totp', '/user-center/totp', 'Two-step verification') +
    '</ul></nav>'
  );
};

export function userCenterRoutes(app: FastifyInstance, deps: Deps, area: Area): void {
  const basic = async (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    key: { shown?: string; rotated?: boolean; message?: string },
  ) => {
    const s = req.merchantSession!;
    const m = await getMerchant(deps, s.merchantId);
    const sessions = await countAccountSessions(deps.db, 'merchant', s.merchantId, deps.clock.now());
    const row = (label: string, value: string, id?: string) =>
      `<div class="row"><dt>${esc(label)}</dt><dd${id ? ` id="${id}"` : ''}>${value}</dd></div>`;
    const pw = field({
      label: 'Your password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
      maxlength: 200,
    });
    const keyBox = key.shown
      ? `<code class="secret" id="security-key">${esc(key.shown)}</code>` +
        (key.rotated ? notice('ok', 'New Security Key: the previous one no longer works.') : '')
      : '<span class="hidden-secret">Hidden</span>';
    const body =
      userCenterTabs('basic') +
      (key.message ?? '') +
      '<dl class="facts">' +
      row('Merchant ID', esc(m.id), 'merchant-id') +
      row('Username', esc(m.username)) +
      row('Brand', esc(m.brand)) +
      row('API Host', `<code>${esc(deps.config.publicUrl)}</code>`, 'api-host') +
      row('Mode', deps.config.mode === 'live' ? 'Live' : 'Sandbox (test money only)', 'mode') +
      row('Callback URL', m.callback_url ? `<code>${esc(m.callback_url)}</code>` : 'not set') +
      row('Webhook format', esc(m.webhook_format)) +
      row('Security Key', keyBox) +
      '</dl>' +
      '<p class="hint">Keep the Security Key private: it signs your API requests. ' +
      '<a href="/webhooks">Webhook settings</a> are on their own page.</p>' +
      '<section aria-labelledby="key-h"><h2 id="key-h">Security Key</h2>' +
      '<div class="cols">' +
      form(
        '/user-center/security-key/reveal',
        s.csrf,
        pw.replace(/f-password/g, 'f-reveal-password'),
        'Show the key',
        'stack',
      ) +
      form(
        '/user-center/security-key/rotate',
        s.csrf,
        pw.replace(/f-password/g, 'f-rotate-password') +
          '<p class="hint">A new key replaces the current one at once: update your servers right after.</p>',
        'Rotate the key',
        'stack danger',
      ) +
      '</div></section>' +
      sessionsBox(area, s.csrf, sessions);
    return sendPage(reply, status, renderPage(area, req, 'Basic Information', body, 'user-center'));
  };

  app.get('/user-center', async (req, reply) => basic(req, reply, 200, {}));
  app.get('/user-center/basic', async (_req, reply) => reply.redirect('/user-center', 303));

  /** The password again; a refusal re-renders the page with why. */
  const recheck = async (req: FastifyRequest): Promise<string | undefined> => {
    const r = await reauthenticate(
      deps,
      'merchant',
      req.merchantSession!.merchantId,
      bodyField(req.body, 'password') ?? '',
    );
    if (r === 'ok') return undefined;
    return notice('error', r === 'locked' ? lockedText() : 'The password is wrong: the key stays hidden.');
  };

  app.post('/user-center/security-key/reveal', async (req, reply) => {
    const refused = await recheck(req);
    if (refused) return basic(req, reply, 401, { message: refused });
    const m = await getMerchant(deps, req.merchantSession!.merchantId);
    req.log.info({ merchantId: m.id }, 'security key shown in the portal');
    return basic(req, reply, 200, { shown: securityKeyOf(deps, m).reveal() });
  });

  app.post('/user-center/security-key/rotate', async (req, reply) => {
    const refused = await recheck(req);
    if (refused) return basic(req, reply, 401, { message: refused });
    const r = await rotateSecurityKey(deps, req.merchantSession!.merchantId);
    return basic(req, reply, 200, { shown: r.securityKey, rotated: true });
  });
}
