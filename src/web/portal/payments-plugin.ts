// Routes of the merchant portal's Payments and Balances: GET /payments (list, filters, keyset pages),
// GET /payments.csv (streamed export), GET /payments/:orderId (order page), POST /payments/:orderId/resend
// (webhook resend, CSRF-checked), GET /balances (balances, chart, journal) and the pages' stylesheet.
// Every route reads the merchant from the session (`sessionOf`) and passes its id to every query.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { isTenderError, TenderError } from '../../domain/errors.js';
import { listPayments, paymentDetail, resendPaymentWebhook } from '../../core/portal-payments.js';
import { paymentsCsv } from '../../core/portal-payments-csv.js';
import { balanceJournal, balanceSeries, portalBalances, SERIES_DAYS } from '../../core/portal-payments-balances.js';
import { projectPath } from '../../paths.js';
import { assertSameOrigin } from '../same-origin.js';
import { areaRefusal } from './area.js';
import { messagePage, PAYMENTS_CSS_PATH, portalHeaders } from './payments-layout.js';
import { renderPaymentDetail, renderPaymentsList } from './payments-pages.js';
import { renderCardRefundSection } from './card-refund-section.js';
import { cardMoney } from '../../core/card-money-view.js';
import { requestRefund } from '../../core/card-refunds.js';
import { ERRORS } from '../../domain/errors.js';
import { renderBalances } from './balances-pages.js';
import { requestSession, type MerchantSession, type SessionOf } from './payments-session.js';

export interface PortalPaymentsOptions {
  deps: Deps;
  /** The logged-in merchant of a request; defaults to `req.merchantSession` set by the portal's auth. */
  sessionOf?: SessionOf;
}

const CSS = readFileSync(projectPath('src/web/portal/payments.css'), 'utf8');

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The notice of a refund asked on the order page: its state, or why it was refused (a catalog code only). */
function refundNotice(q: Record<string, unknown>): string | undefined {
  if (q.refund === 'succeeded') return 'Refunded: the amount left your available balance.';
  if (q.refund === 'pending') return 'Refund accepted: the card network has not answered yet; it is retried.';
  const code = q.refundError;
  if (typeof code === 'string' && code.startsWith('CARD_') && code in ERRORS)
    return `Refund refused: ${ERRORS[code as keyof typeof ERRORS].message}.`;
  return undefined;
}

export async function portalPaymentsPages(app: FastifyInstance, opts: PortalPaymentsOptions): Promise<void> {
  const { deps } = opts;
  const sessionOf = opts.sessionOf ?? requestSession;

  app.setErrorHandler((e, req, reply) => {
    const page = (status: number, title: string, message: string) =>
      portalHeaders(reply).status(status).send(messagePage(title, message));
    const refused = areaRefusal(e);
    if (refused) return page(refused.status, refused.title, refused.message);
    if (isTenderError(e)) {
      if (e.code === 'ORDER_NOT_FOUND') return page(404, 'Order not found', 'No order of yours has this id.');
      if (e.code === 'FORBIDDEN') return page(403, 'Request refused', e.message);
      if (e.kind === 'validation') return page(400, 'Cannot show this', e.message);
      if (e.kind === 'unavailable') return page(503, 'Try again', 'The service is briefly unavailable.');
    }
    const status = (e as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500)
      return page(status, 'Cannot continue', 'The request could not be read.');
    req.log.error({ err: e }, 'portal payments page failed');
    return page(500, 'Something went wrong', 'Please try again in a moment.');
  });

  /** The session, or a redirect to the login page (the reply is sent and undefined returned). */
  const merchantOf = (req: FastifyRequest, reply: FastifyReply): MerchantSession | undefined => {
    const s = sessionOf(req);
    if (!s) {
      const next = encodeURIComponent(req.url.slice(0, 1000));
      reply.header('cache-control', 'no-store').redirect(`/login?next=${next}`, 303);
    }
    return s;
  };
  const query = (req: FastifyRequest) => (req.query ?? {}) as Record<string, unknown>;

  app.get(PAYMENTS_CSS_PATH, async (_req, reply) =>
    reply
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .type('text/css; charset=utf-8')
      .send(CSS),
  );

  app.get('/payments', async (req, reply) => {
    const s = merchantOf(req, reply);
    if (!s) return reply;
    const page = await listPayments(deps, s.merchantId, query(req));
    return portalHeaders(reply).send(renderPaymentsList(page));
  });

  app.get('/payments.csv', async (req, reply) => {
    const s = merchantOf(req, reply);
    if (!s) return reply;
    // Filters are checked here, before the first byte: a bad one is a 400 page, not a broken download.
    const lines = paymentsCsv(deps, s.merchantId, query(req));
    const day = deps.clock.now().toISOString().slice(0, 10);
    const stream = Readable.from(lines);
    stream.on('error', (err) => req.log.error({ err }, 'payments CSV export cut off'));
    return reply
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `attachment; filename="payments-${s.merchantId}-${day}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(stream);
  });

  app.get<{ Params: { orderId: string } }>('/payments/:orderId', async (req, reply) => {
    const s = merchantOf(req, reply);
    if (!s) return reply;
    const detail = await paymentDetail(deps, s.merchantId, req.params.orderId);
    const resent = query(req).resent === '1' ? 'The webhook was queued again; it appears below.' : undefined;
    // Issue 13 part 3: a card order shows its refunds and the refund form.
    const card = await cardMoney(deps, detail.order.id, s.merchantId).catch(() => undefined);
    const extra = card ? renderCardRefundSection(card, s.csrf, `portal-${deps.ids.token(12)}`) : '';
    return portalHeaders(reply).send(renderPaymentDetail(detail, s.csrf, refundNotice(query(req)) ?? resent, extra));
  });

  app.post<{ Params: { orderId: string } }>('/payments/:orderId/refund', async (req, reply) => {
    assertSameOrigin(req, deps.config.publicUrl);
    const s = sessionOf(req);
    if (!s) throw new TenderError('FORBIDDEN', 'Your session has ended: log in again, then refund.');
    const f = (req.body ?? {}) as Record<string, unknown>;
    const text = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
    if (!sameText(text('_csrf'), s.csrf))
      throw new TenderError('FORBIDDEN', 'This form has expired: reload the order page and try again.');
    const back = `/payments/${encodeURIComponent(req.params.orderId)}`;
    try {
      const r = await requestRefund(
        deps,
        { kind: 'merchant', merchantId: s.merchantId },
        { orderId: req.params.orderId, amount: text('amount'), refundKey: text('refundKey'), reason: text('reason') },
      );
      return reply.redirect(`${back}?refund=${r.state}`, 303);
    } catch (e) {
      if (!isTenderError(e) || e.code === 'ORDER_NOT_FOUND' || e.code === 'FORBIDDEN') throw e;
      return reply.redirect(`${back}?refundError=${e.code}`, 303);
    }
  });

  app.post<{ Params: { orderId: string } }>('/payments/:orderId/resend', async (req, reply) => {
    assertSameOrigin(req, deps.config.publicUrl);
    const s = sessionOf(req);
    if (!s) throw new TenderError('FORBIDDEN', 'Your session has ended: log in again, then resend.');
    const token = (req.body as { _csrf?: unknown } | undefined)?._csrf;
    if (typeof token !== 'string' || !sameText(token, s.csrf))
      throw new TenderError('FORBIDDEN', 'This form has expired: reload the order page and try again.');
    await resendPaymentWebhook(deps, s.merchantId, req.params.orderId);
    return reply.redirect(`/payments/${encodeURIComponent(req.params.orderId)}?resent=1`, 303);
  });

  app.get('/balances', async (req, reply) => {
    const s = merchantOf(req, reply);
    if (!s) return reply;
    const q = query(req);
    const one = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined);
    const balances = await portalBalances(deps, s.merchantId);
    const daysText = one('days') ?? '30';
    const days = Number(daysText);
    if (!SERIES_DAYS.some((d) => String(d) === daysText))
      throw new TenderError('INVALID_PARAM', `days must be one of ${SERIES_DAYS.join(', ')}`);
    const currency = one('currency') ?? balances[0]?.currency;
    if (!currency) return portalHeaders(reply).send(renderBalances({ balances, days }));
    const after = one('after');
    const [series, journal] = [
      await balanceSeries(deps, s.merchantId, currency, days),
      await balanceJournal(deps, s.merchantId, currency, after),
    ];
    return portalHeaders(reply).send(
      renderBalances({
        balances,
        currency: series.currency,
        days,
        series,
        journal: { ...journal, ...(after ? { after } : {}) },
      }),
    );
  });
}
