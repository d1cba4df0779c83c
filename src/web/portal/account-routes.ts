// Account pages of one area: Change Password (also the forced change after the one-time password) and
// two-step verification (TOTP enrolment with a QR code, recovery codes shown once, turning it off).
import QRCode from 'qrcode';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import {
  changePassword,
  disableTotp,
  enableTotp,
  newTotpSecret,
  RECOVERY_CODES,
  recoveryCodesLeft,
} from '../../core/portal-auth.js';
import { PASSWORD_MIN } from '../../domain/password-policy.js';
import { accountById } from '../../store/accounts-repo.js';
import { esc } from '../html.js';
import { bodyField, field, form, notice } from './forms.js';
import { type Area, csrfFor, pathsOf, renderPage, type RouteFlags, sendPage, startSession } from './area.js';

const OWN: { config: RouteFlags } = { config: { ownAccount: true } };

/** The tabs of the account pages (the portal adds Basic Information in front). */
export type AccountTabs = (current: 'basic' | 'password' | 'totp') => string;

export function accountRoutes(app: FastifyInstance, deps: Deps, area: Area, tabs: AccountTabs): void {
  const paths = pathsOf(area);
  const page = (req: FastifyRequest, reply: FastifyReply, status: number, title: string, body: string) =>
    sendPage(reply, status, renderPage(area, req, title, body, area.accountNav));

  const passwordForm = (req: FastifyRequest, reply: FastifyReply, forced: boolean, message: string) =>
    (forced ? notice('info', 'You logged in with a one-time password. Choose your own password to continue.') : '') +
    message +
    form(
      paths.password,
      csrfFor(req, reply),
      (forced
        ? ''
        : field({
            label: 'Current password',
            name: 'current',
            type: 'password',
            autocomplete: 'current-password',
            required: true,
            maxlength: 200,
          })) +
        field({
          label: 'New password',
          name: 'next',
          type: 'password',
          autocomplete: 'new-password',
          required: true,
          maxlength: 200,
          hint: `At least ${PASSWORD_MIN} characters. A few unrelated words make a good one.`,
        }) +
        field({
          label: 'New password again',
          name: 'confirm',
          type: 'password',
          autocomplete: 'new-password',
          required: true,
          maxlength: 200,
        }),
      'Change password',
      'stack',
    ) +
    (forced ? form(area.logoutPath, csrfFor(req, reply), '', 'Cancel and log out', 'inline') : '');

  const passwordStage: { config: RouteFlags } = { config: { stage: 'password', ownAccount: true } };
  app.get(paths.password, passwordStage, async (req, reply) => {
    const forced = req.session.account!.stage === 'password';
    const done = (req.query as Record<string, unknown>).changed !== undefined;
    const body =
      (forced ? '' : tabs('password')) +
      passwordForm(req, reply, forced, done ? notice('ok', 'Password changed.') : '');
    return page(req, reply, 200, 'Change Password', body);
  });

  app.post(paths.password, passwordStage, async (req, reply) => {
    const acc = req.session.account!;
    const forced = acc.stage === 'password';
    const r = await changePassword(deps, area.kind, acc.id, {
      current: forced ? undefined : (bodyField(req.body, 'current') ?? ''),
      next: bodyField(req.body, 'next') ?? '',
      confirm: bodyField(req.body, 'confirm') ?? '',
      keepSid: req.session.sessionId,
    });
    if (!r.ok) {
      const body = (forced ? '' : tabs('password')) + passwordForm(req, reply, forced, notice('error', r.problem));
      return page(req, reply, 400, 'Change Password', body);
    }
    // Other sessions of the account ended with the change; this one goes on under a new id.
    await startSession(req, { ...acc, stage: 'ok' });
    return reply.redirect(forced ? area.homePath : `${paths.password}?changed=1`, 303);
  });

  const totpPage = async (req: FastifyRequest, reply: FastifyReply, status: number, message: string) => {
    const acc = req.session.account!;
    const row = (await accountById(deps.db, area.kind, acc.id))!;
    const csrf = csrfFor(req, reply);
    let body: string;
    if (row.totp_enabled_at) {
      const left = await recoveryCodesLeft(deps, area.kind, acc.id);
      body =
        '<p>Two-step verification is <strong>on</strong> since ' +
        `${esc(row.totp_enabled_at.toISOString().slice(0, 10))}.` +
        ` Recovery codes left: <strong>${left}</strong> of ${RECOVERY_CODES}.</p>` +
        '<h2>Turn it off</h2>' +
        form(
          `${paths.totp}/disable`,
          csrf,
          field({
            label: 'Password',
            name: 'password',
            type: 'password',
            autocomplete: 'current-password',
            required: true,
          }),
          'Turn off two-step verification',
          'stack',
        );
    } else if (req.session.totpPending) {
      const secret = deps.box.open(req.session.totpPending).reveal();
      const qr = await QRCode.toDataURL(totpUri(row.username, secret), { margin: 1, width: 220 });
      body =
        '<ol><li>Scan this code with an authenticator app (or type the key below).</li>' +
        '<li>Enter the 6-digit code the app shows.</li></ol>' +
        `<img class="qr" src="${esc(qr)}" alt="QR code of the TOTP key for ${esc(row.username)}"` +
        ' width="220" height="220">' +
        `<p>Key: <code class="secret" id="totp-key">${esc(secret.replace(/(.{4})/g, '$1 ').trim())}</code></p>` +
        form(
          `${paths.totp}/confirm`,
          csrf,
          field({
            label: '6-digit code',
            name: 'code',
            inputmode: 'numeric',
            autocomplete: 'one-time-code',
            required: true,
            maxlength: 10,
          }),
          'Turn on',
          'stack',
        );
    } else {
      body =
        '<p>Two-step verification is <strong>off</strong>. With it on, a login needs a code from an ' +
        'authenticator app on your phone besides the password.</p>' +
        form(`${paths.totp}/start`, csrf, '', 'Set up two-step verification', 'inline');
    }
    return page(req, reply, status, 'Two-step verification', tabs('totp') + message + body);
  };

  app.get(paths.totp, OWN, async (req, reply) => {
    const used = (req.query as Record<string, unknown>).recovery !== undefined;
    const msg = used
      ? notice('info', 'You logged in with a recovery code; it cannot be used again. Keep the others safe.')
      : '';
    return totpPage(req, reply, 200, msg);
  });

  app.post(`${paths.totp}/start`, OWN, async (req, reply) => {
    const acc = req.session.account!;
    const row = (await accountById(deps.db, area.kind, acc.id))!;
    if (!row.totp_enabled_at) req.session.totpPending = deps.box.seal(newTotpSecret());
    return reply.redirect(paths.totp, 303);
  });

  app.post(`${paths.totp}/confirm`, OWN, async (req, reply) => {
    const acc = req.session.account!;
    const pending = req.session.totpPending;
    if (!pending) return reply.redirect(paths.totp, 303);
    const secret = deps.box.open(pending).reveal();
    const r = await enableTotp(deps, area.kind, acc.id, secret, bodyField(req.body, 'code') ?? '');
    if (!r.ok) return totpPage(req, reply, 400, notice('error', r.problem));
    req.session.totpPending = undefined;
    const codes = r.recoveryCodes.map((c) => `<li><code>${esc(c)}</code></li>`).join('');
    return page(
      req,
      reply,
      200,
      'Two-step verification',
      tabs('totp') +
        notice('ok', 'Two-step verification is on.') +
        '<h2>Recovery codes</h2><p>Each works once instead of a code, should you lose your phone. ' +
        'Write them down or store them in a password manager now: they are not shown again.</p>' +
        `<ul class="codes" id="recovery-codes">${codes}</ul>` +
        `<p><a href="${esc(paths.totp)}">Done</a></p>`,
    );
  });

  app.post(`${paths.totp}/disable`, OWN, async (req, reply) => {
    const acc = req.session.account!;
    const r = await disableTotp(deps, area.kind, acc.id, bodyField(req.body, 'password') ?? '');
    if (!r.ok) return totpPage(req, reply, 401, notice('error', r.problem));
    return totpPage(req, reply, 200, notice('ok', 'Two-step verification is off.'));
  });
}

function totpUri(username: string, secret: string): string {
  const label = encodeURIComponent(`Tender:${username}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=Tender&algorithm=SHA1&digits=6&period=30`;
}
