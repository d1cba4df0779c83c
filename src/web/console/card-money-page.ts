// The console's card money page (issue 13 part 3): look up a card order, see its refunds, chargebacks and reserve,
// and (admin role) record a chargeback or refund it. The routes live in the console plugin's context, so its hooks
// apply: a session, same origin, the CSRF token and the admin role on every POST (support is read-only).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import type { Actor } from '../../core/audit-log.js';
import { type CardMoney, cardMoney } from '../../core/card-money-view.js';
import { recordChargeback } from '../../core/card-chargebacks.js';
import { requestRefund } from '../../core/card-refunds.js';
import { isTenderError, TenderError } from '../../domain/errors.js';
import { esc } from '../html.js';
import { csrfField, field, notice, table } from './console-html.js';
import { consolePage } from '../portal/layout.js';
import type { OperatorSession } from './console-session.js';

const ORDER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

const DONE: Record<string, string> = {
  chargeback: 'Chargeback recorded: taken from the reserve first, then the available balance.',
  refund: 'Refund accepted.',
};

export function renderCardMoney(
  s: OperatorSession,
  p: { orderId?: string; money?: CardMoney; message?: string; error?: string; refundKey: string },
): string {
  const lookup =
    `<form method="get" action="/console/cards" role="search" aria-label="Find a card order">` +
    `${field('orderId', 'Card order id', { value: p.orderId ?? '', required: true })}` +
    '<button type="submit">Show</button></form>';
  const m = p.money;
  let body = lookup;
  if (m) {
    const admin = s.role === 'admin';
    const id = encodeURIComponent(m.orderId);
    const summary = table(
      `Money of order ${m.orderId}`,
      ['Captured', 'Refunded', 'Refund pending', 'Charged back', 'Left to refund or charge back', 'Reserve'],
      [
        [
          `${esc(m.captured)} ${esc(m.currency)}`,
          esc(m.refunded),
          esc(m.refundPending),
          esc(m.chargedBack),
          esc(m.refundable),
          m.reserve
            ? `${esc(m.reserve.amount)} (charged back ${esc(m.reserve.chargedBack)}; ` +
              (m.reserve.releasedAt ? `released ${esc(m.reserve.releasedAt)})` : `release ${esc(m.reserve.releaseAt)})`)
            : '—',
        ],
      ],
      [0, 1, 2, 3, 4],
    );
    const refunds = table(
      'Refunds',
      ['Refund', 'Amount', 'State', 'By', 'Reason', 'When'],
      m.refunds.map((r) => [
        esc(r.refundId),
        esc(r.amount),
        esc(r.state) + (r.failure ? `<br><span class="muted">${esc(r.failure)}</span>` : ''),
        esc(r.requestedBy),
        esc(r.reason || '—'),
        esc(r.createdAt),
      ]),
      [1],
    );
    const chargebacks = table(
      'Chargebacks',
      ['Chargeback', 'Case', 'Amount', 'From reserve', 'From available', 'By', 'Reason', 'When'],
      m.chargebacks.map((c) => [
        esc(c.chargebackId),
        esc(c.caseId),
        esc(c.amount),
        esc(c.fromReserve),
        esc(c.fromAvailable),
        esc(c.recordedBy),
        esc(c.reason || '—'),
        esc(c.createdAt),
      ]),
      [2, 3, 4],
    );
    const forms = admin
      ? `<h2>Record a chargeback</h2>
<form method="post" action="/console/cards/${id}/chargeback" aria-label="Record a chargeback">${csrfField(s)}
${field('amount', `Amount (${m.currency})`, { required: true, hint: 'at most what is left of the capture' })}
${field('caseId', 'Acquirer case id', { required: true, hint: 'letters, digits, _ - . : (one chargeback per case)' })}
${field('reason', 'Reason code or text')}
<button type="submit" class="danger">Record chargeback</button></form>
<h2>Refund</h2>
<form method="post" action="/console/cards/${id}/refund" aria-label="Refund this order">${csrfField(s)}
<input type="hidden" name="refundKey" value="${esc(p.refundKey)}">
${field('amount', `Amount (${m.currency})`, { required: true })}
${field('reason', 'Reason')}
<button type="submit">Refund</button></form>`
      : '<p class="muted">Support operators can look but not record chargebacks or refunds.</p>';
    body += summary + refunds + chargebacks + forms;
  }
  return consolePage({
    title: 'Card refunds and chargebacks',
    session: s,
    nav: 'cards',
    body: (p.message ? notice(p.message) : '') + (p.error ? notice(p.error, true) : '') + body,
  });
}

type Form = Record<string, string>;

export function registerCardMoneyPages(
  app: FastifyInstance,
  deps: Deps,
  h: {
    html: (reply: FastifyReply, status?: number) => FastifyReply;
    session: (req: FastifyRequest) => OperatorSession;
    actor: (req: FastifyRequest) => Actor;
    formOf: (req: FastifyRequest) => Form;
    statusOf: (e: TenderError) => number;
  },
): void {
  const page = async (req: FastifyRequest, orderId: string | undefined, flash: object = {}) => {
    const money = orderId ? await cardMoney(deps, orderId) : undefined;
    const refundKey = `console-${deps.ids.token(12)}`;
    return renderCardMoney(h.session(req), { orderId, money, refundKey, ...flash });
  };
  app.get('/console/cards', async (req, reply) => {
    const q = req.query as { orderId?: unknown; done?: unknown };
    const orderId = typeof q.orderId === 'string' && q.orderId.trim() !== '' ? q.orderId.trim() : undefined;
    if (orderId !== undefined && !ORDER_ID.test(orderId)) throw new TenderError('ORDER_NOT_FOUND');
    const message = typeof q.done === 'string' ? DONE[q.done] : undefined;
    return h.html(reply).send(await page(req, orderId, { message }));
  });
  for (const action of ['chargeback', 'refund'] as const)
    app.post<{ Params: { orderId: string } }>(`/console/cards/:orderId/${action}`, async (req, reply) => {
      const orderId = req.params.orderId;
      if (!ORDER_ID.test(orderId)) throw new TenderError('ORDER_NOT_FOUND');
      const f = h.formOf(req);
      try {
        if (action === 'chargeback')
          await recordChargeback(deps, h.actor(req), {
            orderId,
            amount: f.amount ?? '',
            caseId: f.caseId ?? '',
            reason: f.reason,
          });
        else
          await requestRefund(deps, h.actor(req), {
            orderId,
            amount: f.amount ?? '',
            refundKey: f.refundKey ?? '',
            reason: f.reason,
          });
      } catch (e) {
        if (!isTenderError(e) || e.code === 'ORDER_NOT_FOUND') throw e;
        return h.html(reply, h.statusOf(e)).send(await page(req, orderId, { error: e.message }));
      }
      return reply.redirect(`/console/cards?orderId=${encodeURIComponent(orderId)}&done=${action}`, 303);
    });
}
