// GET /webhooks (settings form), POST /webhooks (save), POST /webhooks/test (send a test webhook and show
// the exchange). Merchant-only: every read and write is of the logged-in merchant, whose id comes from the
// session, never from the request. Forms carry the session's CSRF token (checked here as well as by the
// portal's auth) and must come from Tender's own pages.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { getMerchant, updateSettings } from '../../core/merchants.js';
import { sendTestWebhook, type TestWebhookReport } from '../../core/webhook-test.js';
import { TenderError } from '../../domain/errors.js';
import type { MerchantRow } from '../../store/merchants-repo.js';
import { postWebhook } from '../../workers/webhook-transport.js';
import { assertSameOrigin } from '../same-origin.js';
import { docsPage, portalHeaders } from './docs-layout.js';
import { portalErrorHandler } from './docs-errors.js';
import type { MerchantSession, SessionOf } from './docs-session.js';
import { readSettingsForm, settingsPatch, type SettingsForm } from './webhook-settings-input.js';
import { webhookSettingsBody, type WebhookSettingsView } from './webhook-settings-page.js';

/** Test webhooks per merchant per minute: enough to debug a receiver, too few to use Tender as a cannon. */
export const TESTS_PER_MINUTE = 6;

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function webhookSettingsPlugin(
  app: FastifyInstance,
  opts: { deps: Deps; sessionOf: SessionOf },
): Promise<void> {
  const { deps, sessionOf } = opts;
  app.setErrorHandler(portalErrorHandler(sessionOf));
  /** merchantId → start times (ms) of its recent tests, and whether one is running. */
  const recent = new Map<string, { at: number[]; running: boolean }>();

  const formOf = (m: MerchantRow): SettingsForm => ({
    callbackUrl: m.callback_url ?? '',
    webhookFormat: m.webhook_format,
    allowedHosts: m.allowed_hosts.join('\n'),
  });
  const render = (
    reply: FastifyReply,
    status: number,
    s: MerchantSession,
    m: MerchantRow,
    extra: Partial<WebhookSettingsView> & { form?: SettingsForm } = {},
  ) => {
    const form = extra.form ?? formOf(m);
    const body = webhookSettingsBody({
      csrf: s.csrf,
      ...form,
      savedCallbackUrl: m.callback_url,
      mode: deps.config.mode,
      notice: extra.notice,
      report: extra.report,
    });
    return portalHeaders(reply)
      .status(status)
      .send(docsPage({ title: 'Webhooks', session: s, body, nav: '/webhooks' }));
  };
  /** The session of a form post, refused unless it carries the session's CSRF token and comes from Tender. */
  const postSession = (req: FastifyRequest): MerchantSession => {
    const s = sessionOf(req);
    if (!s) throw new TenderError('FORBIDDEN', 'your session has ended: log in again');
    assertSameOrigin(req, deps.config.publicUrl);
    const token = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof token !== 'string' || !sameText(token, s.csrf))
      throw new TenderError('FORBIDDEN', 'this form has expired: reload the page and try again');
    return s;
  };

  app.get('/webhooks', async (req, reply) => {
    const s = sessionOf(req);
    if (!s) return reply.redirect('/login?next=%2Fwebhooks', 303);
    const m = await getMerchant(deps, s.merchantId);
    const saved = (req.query as Record<string, unknown> | undefined)?.saved === '1';
    return render(reply, 200, s, m, saved ? { notice: { kind: 'ok', text: 'Saved.' } } : {});
  });

  app.post('/webhooks', async (req, reply) => {
    const s = postSession(req);
    const form = readSettingsForm(req.body);
    try {
      await updateSettings(deps, s.merchantId, settingsPatch(form));
    } catch (e) {
      if (!(e instanceof TenderError) || e.kind !== 'validation') throw e;
      // Nothing was written: the form comes back as typed, with what to fix.
      const m = await getMerchant(deps, s.merchantId);
      return render(reply, 400, s, m, { form, notice: { kind: 'error', text: `Not saved: ${e.message}.` } });
    }
    return reply.redirect('/webhooks?saved=1', 303);
  });

  app.post('/webhooks/test', async (req, reply) => {
    const s = postSession(req);
    const m = await getMerchant(deps, s.merchantId);
    const now = Date.now();
    const r = recent.get(s.merchantId) ?? { at: [], running: false };
    r.at = r.at.filter((t) => now - t < 60_000);
    recent.set(s.merchantId, r);
    if (r.running || r.at.length >= TESTS_PER_MINUTE) {
      const text = r.running
        ? 'A test webhook is still on its way; wait for its answer.'
        : `At most ${TESTS_PER_MINUTE} test webhooks a minute; try again shortly.`;
      return render(reply, 429, s, m, { notice: { kind: 'error', text } });
    }
    r.at.push(now);
    r.running = true;
    let report: TestWebhookReport;
    try {
      report = await sendTestWebhook(deps, s.merchantId, postWebhook);
    } catch (e) {
      if (!(e instanceof TenderError) || e.kind !== 'validation') throw e;
      return render(reply, 400, s, m, { notice: { kind: 'error', text: `Not sent: ${e.message}.` } });
    } finally {
      r.running = false;
    }
    return render(reply, 200, s, m, { report });
  });
}
