// The operator console's pages under /console/ (issue 12): merchants (list, onboarding, suspension, fees and
// limits), the payout approval queue, webhook health and the audit log. Login and sessions are H3's
// (/console/login): this plugin reads req.operatorSession, set by its preHandler. Every POST comes from a
// console page (same origin), carries the session's CSRF token, and needs the admin role: support is read-only.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { TenderError, isTenderError, type ErrorKind } from '../../domain/errors.js';
import { formatMinor } from '../../domain/money.js';
import { createMerchant } from '../../core/merchants.js';
import { reactivateMerchant, suspendMerchant } from '../../core/console-suspension.js';
import { changeMerchantSettings, merchantSettings } from '../../core/console-settings.js';
import { merchantPage, sessionOperator } from '../../core/console-merchants.js';
import { searchAuditLog, type Actor, type AuditQuery } from '../../core/audit-log.js';
import { webhookHealth } from '../../core/console-webhook-health.js';
import { approvePayout, rejectPayout } from '../../core/payout-approval.js';
import { openPayouts } from '../../store/payouts-repo.js';
import { asTenderError } from '../../api/envelope.js';
import { assertSameOrigin } from '../same-origin.js';
import { areaRefusal } from '../portal/area.js';
import type { OperatorSession } from './console-session.js';
import {
  renderAudit,
  renderConsoleMessage,
  renderCredentials,
  renderMerchant,
  renderMerchants,
  renderPayouts,
  renderWebhookHealth,
} from './console-pages.js';
import { registerCardMoneyPages } from './card-money-page.js';

export interface ConsolePagesOptions {
  deps: Deps;
  /** Tests only: the operator session of a request (instead of H3's login preHandler). */
  testSession?: (req: FastifyRequest) => OperatorSession | undefined;
}

/** No inline style or script anywhere, forms post only here, nothing framed, cached or leaked by referrer. */
export const CONSOLE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const html = (reply: FastifyReply, status = 200) =>
  reply
    .status(status)
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', CONSOLE_CSP)
    .type('text/html; charset=utf-8');

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  auth: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  state: 409,
  unavailable: 503,
  internal: 500,
};

const DONE: Record<string, string> = {
  suspended: 'The merchant is suspended: its API requests are refused from now on.',
  reactivated: 'The merchant is active again.',
  fees: 'Fees saved.',
  'payout-fee': 'Payout fee saved.',
  threshold: 'Approval threshold saved.',
  approved: 'Approval recorded.',
  rejected: 'Payout rejected: its amount is released to the merchant.',
  unchanged: 'Nothing changed: it already was so.',
};

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

type Form = Record<string, string>;
const formOf = (req: FastifyRequest): Form => {
  const b = req.body;
  if (!b || typeof b !== 'object') return {};
  return Object.fromEntries(Object.entries(b).filter(([, v]) => typeof v === 'string')) as Form;
};

function intField(f: Form, name: string): number | undefined {
  const v = f[name]?.trim();
  if (v === undefined || v === '') return undefined;
  if (!/^[0-9]{1,5}$/.test(v)) throw new TenderError('INVALID_PARAM', `${name} must be a whole number`);
  return Number(v);
}

export async function consolePages(app: FastifyInstance, opts: ConsolePagesOptions): Promise<void> {
  const { deps } = opts;
  const session = (req: FastifyRequest) => req.operatorSession!;
  const actor = (req: FastifyRequest): Actor => ({
    kind: 'operator',
    operatorId: session(req).operatorId,
    address: req.ip,
  });

  // A preHandler, not onRequest: behind the console login (auth-plugin.ts) the session is set by the login's
  // preHandler, which runs before this one. Every change: from a console page, by an admin, with the session's
  // CSRF token (checked after the body is read).
  app.addHook('preHandler', async (req, reply) => {
    if (opts.testSession) req.operatorSession = opts.testSession(req);
    if (!req.operatorSession) {
      if (req.method === 'GET' || req.method === 'HEAD') return reply.redirect('/console/login', 303);
      return html(reply, 401).send(renderConsoleMessage(undefined, 'Signed out', 'Sign in to the console first.'));
    }
    if (req.method !== 'POST') return;
    assertSameOrigin(req, deps.config.publicUrl);
    const s = session(req);
    if (s.role !== 'admin') throw new TenderError('FORBIDDEN', 'support operators can look but not change anything');
    const token = formOf(req)._csrf ?? '';
    if (!s.csrf || !sameText(token, s.csrf))
      throw new TenderError('FORBIDDEN', 'the form is stale or did not come from the console: reload the page');
  });

  app.setErrorHandler((e, req, reply) => {
    const refused = areaRefusal(e);
    if (refused)
      return html(reply, refused.status).send(
        renderConsoleMessage(req.operatorSession, refused.title, refused.message),
      );
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'console page failed');
      return html(reply, 500).send(renderConsoleMessage(req.operatorSession, 'Something went wrong', 'Try again.'));
    }
    const status = mapped.httpStatus ?? STATUS_BY_KIND[mapped.err.kind];
    const title = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Cannot do that';
    return html(reply, status).send(renderConsoleMessage(req.operatorSession, title, mapped.err.message));
  });

  // `/console/` itself is the console's home page (auth-plugin.ts), which links here.

  // Merchants: the list with search, and onboarding.
  app.get<{ Querystring: { q?: string; after?: string } }>('/console/merchants', async (req, reply) => {
    const q = typeof req.query.q === 'string' ? req.query.q : undefined;
    const after = typeof req.query.after === 'string' ? req.query.after : undefined;
    return html(reply).send(renderMerchants(session(req), { ...(await merchantPage(deps, { q, after })), q }));
  });
  app.post('/console/merchants', async (req, reply) => {
    const f = formOf(req);
    try {
      const creds = await createMerchant(
        deps,
        { brand: f.brand ?? '', company: f.company ?? '', website: f.website ?? '', email: f.email ?? '' },
        actor(req),
      );
      return html(reply).send(renderCredentials(session(req), creds));
    } catch (e) {
      if (!isTenderError(e)) throw e;
      const list = await merchantPage(deps, {});
      return html(reply, STATUS_BY_KIND[e.kind]).send(renderMerchants(session(req), { ...list, error: e.message }));
    }
  });

  const merchantView = async (req: FastifyRequest, reply: FastifyReply, id: string, status = 200, error?: string) => {
    const done = (req.query as { done?: unknown }).done;
    const message = typeof done === 'string' ? DONE[done] : undefined;
    const view = await merchantSettings(deps, id);
    const recent = (await searchAuditLog(deps, { merchantId: id, limit: 10 })).entries;
    return html(reply, status).send(renderMerchant(session(req), view, recent, { message, error }));
  };
  app.get<{ Params: { id: string } }>('/console/merchants/:id', async (req, reply) => {
    if (!/^[0-9]{1,18}$/.test(req.params.id)) throw new TenderError('MERCHANT_NOT_FOUND');
    return merchantView(req, reply, req.params.id);
  });

  /** A merchant form: the change, then back to the page (PRG); a refusal shows the page with the reason. */
  const merchantAction = (path: string, run: (req: FastifyRequest, id: string, f: Form) => Promise<string>) =>
    app.post<{ Params: { id: string } }>(`/console/merchants/:id/${path}`, async (req, reply) => {
      const id = req.params.id;
      if (!/^[0-9]{1,18}$/.test(id)) throw new TenderError('MERCHANT_NOT_FOUND');
      try {
        const done = await run(req, id, formOf(req));
        return reply.redirect(`/console/merchants/${id}?done=${done}`, 303);
      } catch (e) {
        if (!isTenderError(e) || e.code === 'MERCHANT_NOT_FOUND' || e.code === 'FORBIDDEN') throw e;
        return merchantView(req, reply, id, STATUS_BY_KIND[e.kind], e.message);
      }
    });
  merchantAction('suspend', async (req, id, f) =>
    (await suspendMerchant(deps, id, f.reason ?? '', actor(req))).changed ? 'suspended' : 'unchanged',
  );
  merchantAction('reactivate', async (req, id) =>
    (await reactivateMerchant(deps, id, actor(req))).changed ? 'reactivated' : 'unchanged',
  );
  merchantAction('fees', async (req, id, f) => {
    const current = await merchantSettings(deps, id);
    const payin = intField(f, 'payinFeeBps');
    const spread = intField(f, 'spreadBps');
    const exchange = intField(f, 'exchangeFeeBps');
    await changeMerchantSettings(
      deps,
      id,
      {
        payinFeeBps: payin !== undefined && payin !== current.payinFeeBps ? payin : undefined,
        spreadBps: spread !== undefined && spread !== current.spreadBps ? spread : undefined,
        exchangeFeeBps: exchange !== undefined && exchange !== current.exchangeFeeBps ? exchange : undefined,
      },
      actor(req),
    );
    return 'fees';
  });
  merchantAction('payout-fee', async (req, id, f) => {
    const bps = intField(f, 'bps') ?? 0;
    const payoutFee = {
      asset: (f.asset ?? '').trim().toUpperCase(),
      network: (f.network ?? '').trim(),
      fixed: (f.fixed ?? '').trim(),
      bps,
    };
    await changeMerchantSettings(deps, id, { payoutFee }, actor(req));
    return 'payout-fee';
  });
  merchantAction('threshold', async (req, id, f) => {
    const threshold = { currency: (f.currency ?? '').trim().toUpperCase(), amount: (f.amount ?? '').trim() };
    await changeMerchantSettings(deps, id, { threshold }, actor(req));
    return 'threshold';
  });

  // The payout approval queue (core/payout-approval.ts): decided as the session's operator.
  const payoutRows = async () =>
    (await openPayouts(deps.db)).map((p) => ({
      orderId: p.order_id,
      merchantId: String(p.merchant_id),
      merchantTradeNo: p.merchant_trade_no,
      stage: p.stage,
      reason: p.reason,
      amount: formatMinor(BigInt(p.total), deps.assets.ledger(p.currency).exponent),
      currency: p.currency,
      network: p.network,
      toAddress: p.to_address,
      approvalsNeeded: Number(p.approvals_needed),
      approvedBy: p.approvals,
    }));
  app.get('/console/payouts', async (req, reply) => {
    const done = (req.query as { done?: unknown }).done;
    const message = typeof done === 'string' ? DONE[done] : undefined;
    return html(reply).send(renderPayouts(session(req), await payoutRows(), { message }));
  });
  for (const decision of ['approve', 'reject'] as const)
    app.post<{ Params: { orderId: string } }>(`/console/payouts/:orderId/${decision}`, async (req, reply) => {
      const operator = await sessionOperator(deps, session(req).operatorId);
      const orderId = req.params.orderId;
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(orderId)) throw new TenderError('ORDER_NOT_FOUND');
      try {
        await (decision === 'approve' ? approvePayout : rejectPayout)(deps, operator, orderId, req.ip);
      } catch (e) {
        if (!isTenderError(e) || e.code === 'ORDER_NOT_FOUND') throw e;
        return html(reply, STATUS_BY_KIND[e.kind]).send(
          renderPayouts(session(req), await payoutRows(), { error: e.message }),
        );
      }
      return reply.redirect(`/console/payouts?done=${decision === 'approve' ? 'approved' : 'rejected'}`, 303);
    });

  // Issue 13 part 3: card refunds and chargebacks (src/web/console/card-money-page.ts).
  registerCardMoneyPages(app, deps, { html, session, actor, formOf, statusOf: (e) => STATUS_BY_KIND[e.kind] });

  app.get('/console/webhooks', async (req, reply) =>
    html(reply).send(renderWebhookHealth(session(req), await webhookHealth(deps))),
  );

  app.get('/console/audit', async (req, reply) => {
    const raw = req.query as Record<string, unknown>;
    const str = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined);
    const q: AuditQuery = {
      actor: str('actor'),
      merchantId: str('merchantId'),
      action: str('action'),
      from: str('from'),
      to: str('to'),
      after: str('after'),
    };
    try {
      return html(reply).send(renderAudit(session(req), q, await searchAuditLog(deps, q)));
    } catch (e) {
      if (!isTenderError(e)) throw e;
      return html(reply, 400).send(renderAudit(session(req), q, { entries: [], next: null }, e.message));
    }
  });
}
