// The sandbox bank's 3-D Secure page (ACS), served by Tender in sandbox mode only (issue 13): GET (redirectURL) or
// POST with `creq` (pageData's auto-submitting form, from the merchant's page) shows the challenge; the page's own
// answer (code or cancel) goes to the sandbox acquirer, and the customer is sent back to Tender's return address
// with the `cres`. Strict CSP; the answer's redirect chain may end on the merchant's return URLs.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../core/deps.js';
import { getOrder } from '../core/orders.js';
import { cardAcquirer } from '../rails/card/registry.js';
import { findCardPaymentByCreq } from '../store/card-repo.js';
import { cpayAmount } from '../domain/cpay-fields.js';
import { isTenderError } from '../domain/errors.js';
import { renderAcsPage, renderCardMessage } from './card-page.js';
import { pageHeaders } from './page-headers.js';
import { assertSameOrigin } from './same-origin.js';

export async function cardAcsPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  const acquirer = () => cardAcquirer(deps);
  /** Form targets: Tender, and the order's return URLs (the answer's redirects end there). */
  const targetsOf = async (id: string) => {
    const card = await findCardPaymentByCreq(deps.db, id);
    if (!card) return [];
    const o = await getOrder(deps, { by: 'id', id: card.order_id });
    return [o.successUrl, o.failUrl, card.ret_url];
  };
  // Not async itself: a FastifyReply is a thenable, and awaiting one waits for the answer to be sent.
  const headers = (reply: FastifyReply, targets: Array<string | null | undefined>) =>
    pageHeaders(reply, { strict: true, formTargets: targets });
  app.setErrorHandler((e, req, reply) => {
    const status = isTenderError(e) && e.code === 'FORBIDDEN' ? 403 : 400;
    if (!isTenderError(e)) req.log.error({ err: e }, 'sandbox ACS failed');
    return pageHeaders(reply, { strict: true })
      .status(isTenderError(e) ? status : 500)
      .send(renderCardMessage('Cannot continue', isTenderError(e) ? e.message : 'Something went wrong.'));
  });

  const show = async (reply: FastifyReply, id: string) => {
    const c = await acquirer().acsChallenge(id);
    if (!c)
      return pageHeaders(reply, { strict: true })
        .status(404)
        .send(renderCardMessage('Unknown request', 'This 3-D Secure request does not exist.'));
    const amount = cpayAmount(c.amount, deps.assets.ledger(c.currency).exponent);
    const targets = await targetsOf(id);
    return headers(reply, targets).send(renderAcsPage({ id, amount, currency: c.currency, answered: c.answered }));
  };

  app.get<{ Params: { id: string } }>('/sandbox-acs/:id', (req, reply) => show(reply, req.params.id));

  app.post<{ Params: { id: string } }>('/sandbox-acs/:id', async (req, reply) => {
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    // The merchant's page posts the creq from its own origin: that only shows the challenge.
    if (b.answer === undefined) return show(reply, req.params.id);
    assertSameOrigin(req, deps.config.publicUrl);
    const code = b.answer === 'code' && typeof b.code === 'string' ? b.code : null;
    const a = await acquirer().acsAnswer(req.params.id, code);
    if (!a) return show(reply, req.params.id);
    const sep = a.returnUrl.includes('?') ? '&' : '?';
    const targets = await targetsOf(req.params.id);
    return headers(reply, targets)
      .type('text/plain; charset=utf-8')
      .redirect(`${a.returnUrl}${sep}cres=${encodeURIComponent(a.cres)}`, 303);
  });
}
