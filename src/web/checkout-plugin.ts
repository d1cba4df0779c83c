// Routes of the hosted checkout: GET /pay/:code (page), GET /pay/:code/status (live updates),
// POST /pay/:code/sandbox (test buttons, sandbox mode only).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../core/deps.js';
import { getOrder } from '../core/orders.js';
import { findMerchant } from '../store/merchants-repo.js';
import { assertAllowedRedirect, withTxnRef } from '../domain/redirects.js';
import { formatMinor } from '../domain/money.js';
import { isTenderError, TenderError } from '../domain/errors.js';
import { settleSandbox } from '../rails/sandbox/index.js';
import { renderCheckout, renderMessage, statusText } from './checkout-page.js';

export async function checkoutPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;

  app.setErrorHandler((e, req, reply) => {
    if (isTenderError(e)) {
      const status = e.kind === 'not_found' ? 404 : 400;
      return reply.status(status).type('text/html; charset=utf-8').send(renderMessage(e.code === 'ORDER_NOT_FOUND' ? 'Payment not found' : 'Cannot continue', e.message));
    }
    req.log.error({ err: e }, 'checkout failed');
    return reply.status(500).type('text/html; charset=utf-8').send(renderMessage('Something went wrong', 'Please try again in a moment.'));
  });

  const load = async (code: string, redirect: string | undefined) => {
    const order = await getOrder(deps, { by: 'payCode', payCode: code });
    const merchant = (await findMerchant(deps.db, order.merchantId))!;
    if (redirect !== undefined) assertAllowedRedirect(redirect, merchant.allowed_hosts, 'redirect');
    return { order, merchant };
  };
  const redirectOf = (q: unknown): string | undefined => {
    const r = (q as { redirect?: unknown } | undefined)?.redirect;
    if (r === undefined || r === '') return undefined;
    if (typeof r !== 'string') throw new TenderError('INVALID_PARAM', 'redirect must be given once');
    return r;
  };

  app.get<{ Params: { code: string } }>('/pay/:code', async (req, reply: FastifyReply) => {
    const redirect = redirectOf(req.query);
    const { order, merchant } = await load(req.params.code, redirect);
    const exp = deps.assets.ledger(order.currency).exponent;
    const returnUrl = order.status === 14 ? order.successUrl ?? redirect : order.status === 15 ? order.failUrl ?? redirect : undefined;
    reply.header('cache-control', 'no-store').header('x-frame-options', 'SAMEORIGIN').header('referrer-policy', 'no-referrer');
    return reply.type('text/html; charset=utf-8').send(renderCheckout({
      code: order.payCode, brand: merchant.brand, amount: formatMinor(order.amount, exp), currency: order.currency, orderId: order.id,
      status: order.status, statusText: statusText(order.status, order.remark), expiresAt: order.expiresAt, now: deps.clock.now(),
      sandbox: deps.config.mode === 'sandbox', redirect: redirect ?? null, returnUrl: returnUrl ? withTxnRef(returnUrl, order.id) : null,
    }));
  });

  app.get<{ Params: { code: string } }>('/pay/:code/status', async (req, reply) => {
    const order = await getOrder(deps, { by: 'payCode', payCode: req.params.code });
    reply.header('cache-control', 'no-store');
    return { status: order.status, statusText: statusText(order.status, order.remark), expiresAt: order.expiresAt.toISOString() };
  });

  if (deps.config.mode !== 'sandbox') return;

  app.post<{ Params: { code: string }; Body: { outcome?: string; redirect?: string } }>('/pay/:code/sandbox', async (req, reply) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as { outcome?: string; redirect?: string };
    const outcome = body.outcome;
    if (outcome !== 'pay' && outcome !== 'fail') throw new TenderError('INVALID_PARAM', 'outcome must be pay or fail');
    const redirect = redirectOf({ redirect: body.redirect });
    const { order } = await load(req.params.code, redirect);
    if (order.status === 0 && order.expiresAt <= deps.clock.now()) throw new TenderError('ORDER_EXPIRED');
    const settled = await settleSandbox(deps, order.id, outcome);
    const target = settled.status === 14 ? settled.successUrl ?? redirect : settled.failUrl ?? redirect;
    return reply.redirect(target ? withTxnRef(target, settled.id) : `/pay/${settled.payCode}`, 303);
  });
}
