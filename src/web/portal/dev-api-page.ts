// /dev/api (seed 003 Step 0): the merchant secret token of the minimal dialect, to copy into the merchant's
// server, and how to call start_payment with it. The secret is sealed at rest (migration 018), so it can be
// shown again, but only after the password is entered again; a secret issued before 018 exists only as a
// digest and can only be replaced ("rotate to see it"). Rotation: the old secret fails at once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { revealMerchantSecret } from '../../core/console-secrets.js';
import { getMerchant, rotateMerchantSecret } from '../../core/merchants.js';
import { lockedText, reauthenticate } from '../../core/portal-auth.js';
import { esc } from '../html.js';
import { type Area, renderPage, sendPage } from './area.js';
import { bodyField, form, notice, passwordAgain } from './forms.js';

export const DEV_API_PATH = '/dev/api';

interface Shown {
  secret?: string;
  rotated?: boolean;
  message?: string;
}

/** The seed 003 flow with this install's host; the secret in the example only once it is shown. */
export function startPaymentExample(host: string, currency: string, secret: string | undefined): string {
  const token = secret ?? 'your_merchant_secret';
  const curl =
    `curl -X POST '${host}/api/start_payment' \\\n` +
    "  -H 'content-type: application/json' \\\n" +
    `  -d '{"merchant_secret": "${token}", "amount": 1000}'`;
  return (
    '<section aria-labelledby="use-h"><h2 id="use-h">Start a payment with it</h2>' +
    '<ol class="steps">' +
    `<li><p>From your server (never from a browser or an app), send <code>POST ${esc(host)}/api/start_payment</code>` +
    ' with a JSON body:</p>' +
    `<pre class="example" id="start-payment-example"><code>${esc(curl)}</code></pre>` +
    '<p class="hint"><code>amount</code> is in major units of your default currency ' +
    `(<strong>${esc(currency)}</strong>);` +
    ' an optional <code>"currency"</code> field picks another one.</p>' +
    '<p>Answer (HTTP 200):</p>' +
    '<pre class="example"><code>{"code": "payment_code", "message": "Payment started", ' +
    '"watch_code": "watch_code"}</code></pre></li>' +
    `<li><p>Send the customer to <code>${esc(host)}/pay/{code}?redirect={your_redirect_url}</code>. The redirect ` +
    'host must be one of your allowed redirect hosts (<a href="/webhooks">Webhook settings</a>).</p></li>' +
    `<li><p>Poll <code>GET ${esc(host)}/watch/{watch_code}</code> (with back-off) and when the customer returns: ` +
    '<code>status</code> is <code>created</code> while pending, <code>completed</code> once paid ' +
    '(<code>failed</code> or <code>expired</code> otherwise). Paid orders appear under ' +
    '<a href="/payments">Payments</a>.</p></li>' +
    '</ol></section>'
  );
}

export function devApiRoutes(app: FastifyInstance, deps: Deps, area: Area): void {
  const page = async (req: FastifyRequest, reply: FastifyReply, status: number, shown: Shown) => {
    const s = req.merchantSession!;
    const m = await getMerchant(deps, s.merchantId);
    const sealed = m.merchant_secret_sealed !== null;
    const box = shown.secret
      ? `<code class="secret" id="merchant-secret">${esc(shown.secret)}</code>` +
        (shown.rotated ? notice('ok', 'New merchant secret: the previous one no longer works.') : '')
      : sealed
        ? '<span class="hidden-secret">Hidden: enter your password to show it.</span>'
        : '<span class="hidden-secret" id="not-sealed">This secret was issued before it could be shown again. ' +
          'It still works; rotate it to see a new one.</span>';
    const reveal = sealed
      ? form(`${DEV_API_PATH}/reveal`, s.csrf, passwordAgain('f-reveal-password'), 'Show the secret', 'stack')
      : '';
    const rotate = form(
      `${DEV_API_PATH}/rotate`,
      s.csrf,
      passwordAgain('f-rotate-password') +
        '<p class="hint">A new secret replaces the current one at once: the old one is refused from the next ' +
        'request. Update your servers right after.</p>',
      sealed ? 'Rotate the secret' : 'Rotate to see it',
      'stack danger',
    );
    const body =
      (shown.message ?? '') +
      '<p>Your <strong>merchant secret token</strong> for <code>start_payment</code> (the minimal API). It does ' +
      'not expire. Whoever holds it can start payments in your name: keep it on your server only.</p>' +
      '<dl class="facts">' +
      `<div class="row"><dt>API Host</dt><dd><code id="api-host">${esc(deps.config.publicUrl)}</code></dd></div>` +
      `<div class="row"><dt>Default currency</dt><dd>${esc(m.default_currency)}</dd></div>` +
      `<div class="row"><dt>Merchant secret</dt><dd>${box}</dd></div>` +
      '</dl>' +
      '<section aria-labelledby="secret-h"><h2 id="secret-h">Merchant secret</h2>' +
      `<div class="cols">${reveal}${rotate}</div></section>` +
      startPaymentExample(deps.config.publicUrl, m.default_currency, shown.secret);
    return sendPage(reply, status, renderPage(area, req, 'API secret', body, 'dev-api'));
  };

  /** The password again; a refusal re-renders the page with why (counts toward the lockout). */
  const recheck = async (req: FastifyRequest): Promise<string | undefined> => {
    const typed = bodyField(req.body, 'password') ?? '';
    const r = await reauthenticate(deps, 'merchant', req.merchantSession!.merchantId, typed);
    if (r === 'ok') return undefined;
    return notice('error', r === 'locked' ? lockedText() : 'The password is wrong: the secret stays hidden.');
  };

  app.get(DEV_API_PATH, async (req, reply) => page(req, reply, 200, {}));

  app.post(`${DEV_API_PATH}/reveal`, async (req, reply) => {
    const refused = await recheck(req);
    if (refused) return page(req, reply, 401, { message: refused });
    const id = req.merchantSession!.merchantId;
    const m = await getMerchant(deps, id);
    // Issued before migration 018: nothing to show, the page offers rotation.
    if (!m.merchant_secret_sealed) return page(req, reply, 409, {});
    const secret = (await revealMerchantSecret(deps, id)).reveal();
    req.log.info({ merchantId: id }, 'merchant secret shown in the portal');
    return page(req, reply, 200, { secret });
  });

  app.post(`${DEV_API_PATH}/rotate`, async (req, reply) => {
    const refused = await recheck(req);
    if (refused) return page(req, reply, 401, { message: refused });
    const r = await rotateMerchantSecret(deps, req.merchantSession!.merchantId);
    return page(req, reply, 200, { secret: r.merchantSecret, rotated: true });
  });
}
