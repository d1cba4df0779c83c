// Routes of the hosted checkout: GET /pay/:code (page), GET /pay/:code/status (live updates),
// POST /pay/:code/network (crypto orders: the customer's network), POST /pay/:code/sandbox (test buttons,
// sandbox mode only).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../core/deps.js';
import { getOrder } from '../core/orders.js';
import { findMerchant } from '../store/merchants-repo.js';
import { assertAllowedRedirect, withTxnRef } from '../domain/redirects.js';
import { formatMinor } from '../domain/money.js';
import { isTenderError, TenderError } from '../domain/errors.js';
import { settleSandbox } from '../rails/sandbox/index.js';
import { renderCheckout, renderMessage, statusText } from './checkout-page.js';
import { cryptoView } from './crypto-view.js';
import { chooseOrderNetwork } from '../core/crypto-orders.js';
import { cardPaymentOf } from '../core/card-payments.js';
import { newNonce, pageHeaders } from './page-headers.js';
import { assertSameOrigin } from './same-origin.js';

export async function checkoutPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;

  // Every POST of these pages changes an order: only this server's own pages may send one.
  app.addHook('onRequest', async (req) => {
    if (req.method === 'POST') assertSameOrigin(req, deps.config.publicUrl);
  });

  app.setErrorHandler((e, req, reply) => {
    const page = (status: number, title: string, message: string, detail?: string) =>
      pageHeaders(reply)
        .status(status)
        .send(renderMessage(title, message, detail));
    if (isTenderError(e)) {
      if (e.code === 'FORBIDDEN')
        return page(
          403,
          'Request refused',
          'This payment can only be changed from its own payment page.',
          'If you did not mean to pay, close this page. Otherwise open the payment link from the shop again.',
        );
      if (e.code === 'MERCHANT_SUSPENDED')
        return page(
          403,
          'Payments suspended',
          'This merchant cannot accept payments at the moment.',
          'Nothing was charged. Please go back to the shop.',
        );
      if (e.code === 'ORDER_NOT_FOUND')
        return page(
          404,
          'Payment not found',
          'This payment link is not valid.',
          'Please go back to the shop and start the payment again.',
        );
      if (e.code === 'REDIRECT_NOT_ALLOWED' || /\bredirect\b/.test(e.message)) {
        return page(
          400,
          'Invalid return address',
          `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`,
          "For your safety this page only sends you back to the merchant's own website. Please go " +
            'back to the shop and start the payment again.',
        );
      }
      return page(e.kind === 'not_found' ? 404 : 400, 'Cannot continue', e.message);
    }
    const status = (e as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500)
      return page(status, 'Cannot continue', 'The request could not be read.');
    req.log.error({ err: e }, 'checkout failed');
    return page(500, 'Something went wrong', 'Please try again in a moment.');
  });

  const load = async (code: string, redirect: string | undefined) => {
    const order = await getOrder(deps, { by: 'payCode', payCode: code });
    const merchant = (await findMerchant(deps.db, order.merchantId))!;
    if (redirect !== undefined) assertAllowedRedirect(redirect, merchant, 'redirect');
    // An open order of a suspended merchant says so instead of offering to pay (issue 12); final ones still show.
    if (merchant.suspended_at && (order.status === 0 || order.status === 11))
      throw new TenderError('MERCHANT_SUSPENDED');
    return { order, merchant };
  };
  const pageUrl = (code: string, redirect: string | undefined) =>
    `/pay/${encodeURIComponent(code)}${redirect ? `?redirect=${encodeURIComponent(redirect)}` : ''}`;
  const redirectOf = (q: unknown): string | undefined => {
    const r = (q as { redirect?: unknown } | undefined)?.redirect;
    if (r === undefined || r === '') return undefined;
    if (typeof r !== 'string') throw new TenderError('INVALID_PARAM', 'redirect must be given once');
    return r;
  };

  app.get<{ Params: { code: string } }>('/pay/:code', async (req, reply: FastifyReply) => {
    const redirect = redirectOf(req.query);
    const loaded = await load(req.params.code, redirect);
    // A card order (createOrderByCreditCard) is paid on the hosted card page (src/web/card-plugin.ts).
    if (await cardPaymentOf(deps, loaded.order.id))
      return reply.redirect(`/pay/${encodeURIComponent(loaded.order.payCode)}/card`, 303);
    const { merchant } = loaded;
    const now = deps.clock.now();
    const { order, view } = await cryptoView(
      deps,
      loaded.order,
      loaded.order.status === 0 && loaded.order.expiresAt > now,
    );
    const exp = deps.assets.ledger(order.currency).exponent;
    const returnUrl =
      order.status === 14
        ? (order.successUrl ?? redirect)
        : order.status === 15
          ? (order.failUrl ?? redirect)
          : undefined;
    const nonce = newNonce();
    const sandbox = deps.config.mode === 'sandbox';
    // The sandbox buttons' post redirects to the merchant's return URL: the form-action policy must allow it.
    const formTargets = sandbox ? [order.successUrl, order.failUrl, redirect] : [];
    return pageHeaders(reply, { nonce, formTargets }).send(
      renderCheckout({
        nonce,
        code: order.payCode,
        brand: merchant.brand,
        amount: formatMinor(order.amount, exp),
        currency: order.currency,
        orderId: order.id,
        status: order.status,
        statusText: statusText(order.status, order.remark),
        expiresAt: order.expiresAt,
        now,
        sandbox,
        redirect: redirect ?? null,
        returnUrl: returnUrl ? withTxnRef(returnUrl, order.id) : null,
        crypto: view,
      }),
    );
  });

  // The customer's choice of network for a crypto order: the page again, now with the address and QR code.
  // Choosing the order's network again is harmless; a different one after the choice is refused (409).
  app.post<{ Params: { code: string } }>('/pay/:code/network', async (req, reply) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as {
      network?: unknown;
      redirect?: unknown;
    };
    if (typeof body.network !== 'string' || body.network === '')
      throw new TenderError('INVALID_PARAM', 'network must be given once');
    const redirect = redirectOf({ redirect: body.redirect });
    const { order } = await load(req.params.code, redirect);
    try {
      await chooseOrderNetwork(deps, { payCode: order.payCode }, body.network);
    } catch (e) {
      if (!isTenderError(e) || (e.code !== 'ILLEGAL_TRANSITION' && e.code !== 'ORDER_EXPIRED')) throw e;
      const current = await getOrder(deps, { by: 'payCode', payCode: order.payCode });
      if (current.network !== null && current.network !== body.network) {
        // Another choice came first (another tab, a racing submit): say so and offer the page.
        return pageHeaders(reply)
          .status(409)
          .send(
            renderMessage(
              'Network already chosen',
              `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`,
              'Open the payment page again to see where to pay.',
              pageUrl(order.payCode, redirect),
            ),
          );
      }
      // A stale page (paid, closed or expired meanwhile) shows the page again with the real status.
    }
    return reply.redirect(pageUrl(order.payCode, redirect), 303);
  });

  app.get<{ Params: { code: string } }>('/pay/:code/status', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const order = await getOrder(deps, { by: 'payCode', payCode: req.params.code }).catch((e: unknown) => {
      if (isTenderError(e) && e.code === 'ORDER_NOT_FOUND') return undefined;
      throw e;
    });
    if (!order) return reply.status(404).send({ status: null, statusText: 'Payment not found' });
    return {
      status: order.status,
      statusText: statusText(order.status, order.remark),
      expiresAt: order.expiresAt.toISOString(),
    };
  });

  if (deps.config.mode !== 'sandbox') return;

  app.post<{ Params: { code: string }; Body: { outcome?: string; redirect?: string } }>(
    '/pay/:code/sandbox',
    async (req, reply) => {
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as {
        outcome?: string;
        redirect?: string;
      };
      const outcome = body.outcome;
      if (outcome !== 'pay' && outcome !== 'fail')
        throw new TenderError('INVALID_PARAM', 'outcome must be pay or fail');
      const redirect = redirectOf({ redirect: body.redirect });
      const { order } = await load(req.params.code, redirect);
      // A stale page (order already final, or its time ran out) shows the page again with the real status,
      // and so does the loser of a race between two clicks.
      if (order.status !== 0 || order.expiresAt <= deps.clock.now())
        return reply.redirect(pageUrl(order.payCode, redirect), 303);
      let settled: Awaited<ReturnType<typeof settleSandbox>>;
      try {
        settled = await settleSandbox(deps, order.id, outcome);
      } catch (e) {
        if (isTenderError(e) && e.code === 'ILLEGAL_TRANSITION')
          return reply.redirect(pageUrl(order.payCode, redirect), 303);
        throw e;
      }
      const target = settled.status === 14 ? (settled.successUrl ?? redirect) : (settled.failUrl ?? redirect);
      return reply.redirect(target ? withTxnRef(target, settled.id) : pageUrl(settled.payCode, redirect), 303);
    },
  );
}
