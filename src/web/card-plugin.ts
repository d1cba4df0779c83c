// Routes of the hosted card page (issue 13): GET/POST /pay/:code/card (the card form, then the result) and
// GET /pay/:code/3ds (where the bank's ACS sends the customer back with its answer). Every state change goes
// through src/core/card-payments.ts. Strict CSP: no script, the stylesheet from /assets/; form posts may redirect
// only to Tender and to the merchant's return URLs. Nothing a customer typed is logged or written back.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../core/deps.js';
import { getOrder } from '../core/orders.js';
import { cardPaymentOf, finishCardChallenge, payHostedCard } from '../core/card-payments.js';
import { findMerchant } from '../store/merchants-repo.js';
import type { CardPaymentRow } from '../store/card-repo.js';
import type { Order } from '../domain/order.js';
import { cpayAmount } from '../domain/cpay-fields.js';
import { withTxnRef } from '../domain/redirects.js';
import { isTenderError, TenderError } from '../domain/errors.js';
import { Secret } from '../domain/secret.js';
import { checkCvv, parseCardNumber, parseExpDate } from '../domain/card-fields.js';
import { countryAllowed, type PayChannel } from '../rails/card/channels.js';
import { renderCardMessage, renderCardPage, type CardPageView } from './card-page.js';
import { pageHeaders } from './page-headers.js';
import { assertSameOrigin } from './same-origin.js';

const strict = (reply: FastifyReply, targets: Array<string | null | undefined> = []) =>
  pageHeaders(reply, { strict: true, formTargets: targets });

/** Where the customer goes when the payment is over: retURL (pwpp), else successURL/failURL; with txnRef. */
export function returnTarget(order: Order, card: CardPaymentRow): string | undefined {
  const url = card.ret_url ?? (order.status === 14 ? order.successUrl : order.status === 15 ? order.failUrl : null);
  return url ? withTxnRef(url, order.id) : undefined;
}

export async function cardPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  app.addHook('onRequest', async (req) => {
    if (req.method === 'POST') assertSameOrigin(req, deps.config.publicUrl);
  });
  app.setErrorHandler((e, req, reply) => {
    if (isTenderError(e) && e.code === 'ORDER_NOT_FOUND')
      return strict(reply).status(404).send(renderCardMessage('Payment not found', 'This payment link is not valid.'));
    if (isTenderError(e) && e.code === 'FORBIDDEN')
      return strict(reply)
        .status(403)
        .send(renderCardMessage('Request refused', 'This payment can only be changed from its own payment page.'));
    if (isTenderError(e) && e.code === 'MERCHANT_SUSPENDED')
      return strict(reply)
        .status(403)
        .send(renderCardMessage('Payments suspended', 'This merchant cannot accept payments at the moment.'));
    const status = (e as { statusCode?: number }).statusCode;
    if (isTenderError(e) || (typeof status === 'number' && status < 500))
      return strict(reply)
        .status(400)
        .send(renderCardMessage('Cannot continue', isTenderError(e) ? e.message : 'Bad request'));
    req.log.error({ err: e }, 'card page failed');
    return strict(reply).status(500).send(renderCardMessage('Something went wrong', 'Please try again in a moment.'));
  });

  const load = async (code: string) => {
    const order = await getOrder(deps, { by: 'payCode', payCode: code });
    const card = await cardPaymentOf(deps, order.id);
    if (!card) throw new TenderError('ORDER_NOT_FOUND');
    const merchant = (await findMerchant(deps.db, order.merchantId))!;
    return { order, card, merchant };
  };

  const page = async (reply: FastifyReply, code: string, lang: string | undefined, error?: string, status = 200) => {
    const { order, card, merchant } = await load(code);
    if (merchant.suspended_at && (order.status === 0 || order.status === 11))
      throw new TenderError('MERCHANT_SUSPENDED');
    const now = deps.clock.now();
    const step: CardPageView['step'] =
      order.status === 14
        ? 'paid'
        : order.status === 15
          ? order.remark === 'expired'
            ? 'expired'
            : 'failed'
          : card.state === 'challenge'
            ? 'challenge'
            : card.state === 'awaiting_card'
              ? order.expiresAt <= now
                ? 'expired'
                : 'form'
              : 'processing';
    const view: CardPageView = {
      code: order.payCode,
      brand: merchant.brand,
      amount: cpayAmount(order.amount, deps.assets.ledger(order.currency).exponent),
      currency: order.currency,
      orderId: order.id,
      lang: lang === 'ru-RU' || lang === 'ru' ? 'ru' : 'en',
      sandbox: deps.config.mode === 'sandbox',
      step,
      error,
      failure: card.decline_reason ?? order.remark,
      acsUrl: card.acs_url ?? undefined,
      backUrl: returnTarget(order, card),
    };
    return strict(reply, [order.successUrl, order.failUrl]).status(status).send(renderCardPage(view));
  };
  const langOf = (q: unknown) => {
    const l = (q as { lang?: unknown } | undefined)?.lang;
    return typeof l === 'string' ? l : undefined;
  };

  app.get<{ Params: { code: string } }>('/pay/:code/card', (req, reply) =>
    page(reply, req.params.code, langOf(req.query)),
  );

  app.post<{ Params: { code: string } }>('/pay/:code/card', async (req, reply) => {
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const text = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
    const { order, card, merchant } = await load(req.params.code);
    if (merchant.suspended_at) throw new TenderError('MERCHANT_SUSPENDED');
    let parsed: { number: ReturnType<typeof parseCardNumber>; exp: ReturnType<typeof parseExpDate>; cvv: string };
    try {
      const number = parseCardNumber(text('cardNumber').replace(/[ -]/g, ''));
      const exp = parseExpDate(text('expDate'), deps.clock.now());
      checkCvv(text('cvv'));
      if (text('holder') === '') throw new TenderError('CARD_FIELD_INVALID', 'the name on the card is required');
      if (!countryAllowed(card.channel as PayChannel, number.brand, card.country))
        throw new TenderError('CARD_COUNTRY_NOT_SUPPORTED', `${number.brand} cards are not accepted for this payment`);
      parsed = { number, exp, cvv: text('cvv') };
    } catch (e) {
      if (!isTenderError(e)) throw e;
      // The form again with what was wrong; nothing typed is written back.
      return page(reply, req.params.code, langOf(req.query), e.message, 400);
    }
    const v = await payHostedCard(
      deps,
      order.id,
      {
        number: parsed.number.number,
        ...parsed.exp,
        cvv: new Secret(parsed.cvv),
        holder: text('holder').slice(0, 50),
      },
      parsed.number.brand,
      { ip: req.ip, accept: String(req.headers.accept ?? ''), userAgent: String(req.headers['user-agent'] ?? '') },
    );
    if (v.card.state === 'challenge' && v.card.acs_url) return reply.redirect(v.card.acs_url, 303);
    const target = returnTarget(v.order, v.card);
    return reply.redirect(target ?? `/pay/${encodeURIComponent(order.payCode)}/card`, 303);
  });

  app.get<{ Params: { code: string } }>('/pay/:code/3ds', async (req, reply) => {
    const cres = (req.query as { cres?: unknown } | undefined)?.cres;
    if (typeof cres !== 'string' || cres === '') throw new TenderError('CARD_3DS_INVALID');
    const { order } = await load(req.params.code);
    const v = await finishCardChallenge(deps, order.id, cres);
    const target = returnTarget(v.order, v.card);
    return reply.redirect(target ?? `/pay/${encodeURIComponent(order.payCode)}/card`, 303);
  });
}
