// Card pay-ins of the openapi dialect (issue 13): POST /openapi/v1/createOrderByCreditCard (seed 001 §14, spec M8),
// POST /openapi/v1/pwpp (form, §12) and POST /openapi/v2/pwpp (JSON, the reference's v2 page). Parameters are read
// as signed (params.ts); every field failure has its own code (docs/cards.md); a payment that fails at the bank
// answers each version's own failure form (v1 90751015 with empty strings, v2 90751019 with data null) while the
// order itself stays, closed (15), for getOrderDetail and its webhook.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { assertFresh, authenticateSigned } from '../../core/signed-request.js';
import { type CardView, createHostedCardOrder, payHostToHost, storageEnabled } from '../../core/card-payments.js';
import { hasKyc } from '../../core/kyc.js';
import { TenderError } from '../../domain/errors.js';
import { formatMinor, parseDecimal } from '../../domain/money.js';
import { Secret } from '../../domain/secret.js';
import { signParams } from '../../domain/signature.js';
import { esc } from '../../web/html.js';
import {
  cardAmount,
  checkCvv,
  checkEmail,
  checkField,
  checkIp,
  checkProducts,
  parseCardNumber,
  parseCountry2,
  parseExpDate,
} from '../../domain/card-fields.js';
import {
  CHANNEL_RULES,
  countryAllowed,
  countryOpen,
  defaultChannel,
  isPayChannel,
  type PayChannel,
} from '../../rails/card/channels.js';
import { assertAllowedRedirect, withTxnRef } from '../../domain/redirects.js';
import { asTenderError } from '../envelope.js';
import { checker } from '../schema-check.js';
import { OPENAPI_CODES } from './error-codes.js';
import { callbackUrlOf, collectParams, optional, required } from './params.js';
import { orderData } from './plugin.js';
import { CreateOrderByCreditCardParams, PwppParams } from './card-schemas.js';
import { findMerchant } from '../../store/merchants-repo.js';

const checkCreateByCard = checker(CreateOrderByCreditCardParams);
const checkPwpp = checker(PwppParams);

/** The currencies the card channels take (the reference's list of currency). */
const CARD_CURRENCIES = ['USD', 'EUR', 'BRL'];

function channelOf(p: Record<string, string>, currency: string): PayChannel {
  const text = optional(p, 'payChannel', 16);
  if (text !== undefined && !isPayChannel(text)) throw new TenderError('CARD_CHANNEL_INVALID');
  const channel = text ?? defaultChannel(currency);
  if (!CHANNEL_RULES[channel].currencies.includes(currency))
    throw new TenderError(
      'CARD_CURRENCY_NOT_SUPPORTED',
      `${channel} takes ${CHANNEL_RULES[channel].currencies.join(' and ')}, not ${currency}`,
    );
  return channel;
}

/** §14's answer: the order's fields, orderStatus as a string (§14), signed like a webhook. */
async function createByCardData(deps: Deps, view: ReturnType<typeof orderData>, merchantId: string) {
  const data: Record<string, unknown> = { ...view, orderStatus: String(view.orderStatus) };
  const merchant = (await findMerchant(deps.db, merchantId))!;
  const key = deps.box.open(merchant.security_key_sealed).reveal();
  const text = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]));
  return { ...data, sign: signParams(text, key) };
}

/** The HTML of a challenge the merchant renders (pageData): a form posting the creq to the ACS, sent at once. */
function challengePage(acsUrl: string, creq: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>3-D Secure</title></head><body>' +
    `<form id="tender-3ds" method="post" action="${esc(acsUrl)}"><input type="hidden" name="creq"` +
    ` value="${esc(creq)}"><noscript><button type="submit">Continue to 3-D Secure</button></noscript></form>` +
    '<script>document.getElementById("tender-3ds").submit();</script></body></html>'
  );
}

/** The HTML of a finished payment (pageData of a frictionless approval): a link to successURL with txnRef. */
function resultPage(url: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>Payment successful</title>' +
    `<meta http-equiv="refresh" content="0;url=${esc(url)}"></head><body>` +
    `<a href="${esc(url)}">Payment successful: back to the shop</a></body></html>`
  );
}

function pwppData(v: CardView) {
  const { order, card } = v;
  const ccStorageID = card.stored_card_id ?? '';
  if (order.status === 11 && card.state === 'challenge' && card.acs_url) {
    const byRedirect =
      card.channel === 'payChannel3'
        ? card.tx_mode === '1'
        : CHANNEL_RULES[card.channel as PayChannel].challengeBy === 'redirectURL';
    return {
      orderId: order.id,
      orderStatus: order.status,
      pageData: byRedirect ? '' : challengePage(card.acs_url, card.acs_creq ?? ''),
      redirectURL: byRedirect ? card.acs_url : '',
      ccStorageID,
    };
  }
  const target = card.ret_url ?? (order.status === 14 ? order.successUrl : null);
  return {
    orderId: order.id,
    orderStatus: order.status,
    pageData: order.status === 14 && target ? resultPage(withTxnRef(target, order.id)) : '',
    redirectURL: '',
    ccStorageID,
  };
}

export async function cardRoutes(app: FastifyInstance, opts: { deps: Deps; version: 1 | 2 }): Promise<void> {
  const { deps, version } = opts;

  if (version === 1)
    app.post('/createOrderByCreditCard', async (req, reply) => {
      const p = collectParams(req);
      const merchant = await authenticateSigned(deps, p);
      checkCreateByCard(p);
      const merchantTradeNo = required(p, 'merchantTradeNo', 64);
      const createTimeMs = assertFresh(deps, required(p, 'createTime', 15));
      const userId = required(p, 'userId', 64);
      const currency = required(p, 'currency', 16).toUpperCase();
      if (!CARD_CURRENCIES.includes(currency))
        throw new TenderError('UNSUPPORTED_CURRENCY', 'currency must be USD, EUR or BRL');
      const amountText = required(p, 'amount', 128);
      const amount = parseDecimal(amountText, 2, 'amount', 2);
      if (amount === 0n) throw new TenderError('AMOUNT_NOT_POSITIVE');
      const products = required(p, 'products', 4096);
      checkProducts(products);
      const country = parseCountry2(required(p, 'country', 8));
      const email = required(p, 'email', 64);
      checkEmail(email);
      checkIp(required(p, 'ip', 64), false);
      const lang = optional(p, 'lanuage', 8) ?? optional(p, 'language', 8);
      if (lang !== undefined && lang !== 'en-US' && lang !== 'ru-RU')
        throw new TenderError('INVALID_PARAM', 'lanuage must be en-US or ru-RU');
      const channel = defaultChannel(currency);
      if (!countryOpen(channel, country)) throw new TenderError('CARD_COUNTRY_NOT_SUPPORTED');
      const callbackUrl = callbackUrlOf(p);
      const successUrl = optional(p, 'successURL');
      const failUrl = optional(p, 'failURL');
      const order = await createHostedCardOrder(
        deps,
        merchant,
        {
          dialect: 'openapi',
          merchantTradeNo,
          userId,
          currency,
          amount,
          amountText,
          callbackUrl,
          successUrl,
          failUrl,
          createTimeMs: String(createTimeMs),
          fingerprint: {
            card: 'hosted',
            userId,
            currency,
            amount: formatMinor(amount, 2),
            products,
            country,
            email,
            callbackUrl,
            successUrl,
            failUrl,
          },
        },
        { flow: 'hosted', channel, txMode: null, country },
      );
      return reply.send({
        code: 0,
        msg: 'success',
        data: await createByCardData(deps, orderData(deps, order), merchant.id),
        traceid: req.id,
      });
    });

  app.post('/pwpp', async (req, reply) => {
    const p = collectParams(req);
    const merchant = await authenticateSigned(deps, p);
    checkPwpp(p);
    const merchantTradeNo = required(p, 'merchantTradeNo', 64);
    const createTimeMs = assertFresh(deps, required(p, 'createTime', 15));
    const userId = required(p, 'userId', 64);
    const firstName = required(p, 'firstName', 20);
    const lastName = required(p, 'lastName', 30);
    const email = required(p, 'email', 64);
    checkEmail(email);
    const iddCode = required(p, 'iddCode', 8);
    checkField('iddCode', iddCode, /^\+?[0-9]{1,6}$/, 'a country calling code such as 852');
    const mobile = required(p, 'mobile', 64);
    checkField('mobile', mobile, /^[0-9]{4,20}$/, '4-20 digits without the calling code');
    const addressLine = required(p, 'addressLine', 64);
    checkField(
      'addressLine',
      addressLine,
      /^[\p{L}\p{N} _.,'/#-]{1,64}$/u,
      "1-64 letters, digits, spaces or _ - . , ' / #",
    );
    const country = parseCountry2(required(p, 'country', 8));
    const city = required(p, 'city', 64);
    checkField('city', city, /^[\p{L} .'-]{1,64}$/u, "1-64 letters, spaces or . ' -");
    const zip = required(p, 'zip', 16);
    checkField('zip', zip, /^[A-Za-z0-9 -]{1,16}$/, '1-16 letters, digits, spaces or -');
    checkIp(required(p, 'ip', 64), true);
    const document = optional(p, 'document', 64);
    const currency = required(p, 'currency', 8).toUpperCase();
    if (!CARD_CURRENCIES.includes(currency))
      throw new TenderError('UNSUPPORTED_CURRENCY', 'currency must be USD, EUR or BRL');
    const amountText = required(p, 'amount', 32);
    const amount = cardAmount(amountText, version === 1 ? 'down' : 'half-up');
    const products = optional(p, 'products', 4096);
    if (products !== undefined) checkProducts(products);
    const channel = channelOf(p, currency);
    const accept = optional(p, 'clientHTTPAccept', 512);
    const userAgent = optional(p, 'clientHTTPUserAgent', 512);
    if (CHANNEL_RULES[channel].needsBrowserHeaders && (!accept || !userAgent))
      throw new TenderError('CARD_BROWSER_HEADERS_REQUIRED');
    const txMode = optional(p, 'txMode', 16) ?? null;
    if (txMode !== null && (channel !== 'payChannel3' || (txMode !== '1' && txMode !== '2')))
      throw new TenderError('CARD_TX_MODE_INVALID');
    const storeText = optional(p, 'storeCc', 2) ?? '0';
    if (storeText !== '0' && storeText !== '1') throw new TenderError('CARD_STORE_CC_INVALID');
    const ccStorageID = optional(p, 'ccStorageID', 64);
    const storeCard = storeText === '1' && ccStorageID === undefined;
    if ((storeCard || ccStorageID) && !(await storageEnabled(deps, merchant.id)))
      throw new TenderError('CARD_STORAGE_DISABLED');
    const holder = `${firstName} ${lastName}`;
    let card: Parameters<typeof payHostToHost>[2]['card'];
    let cardKey: string;
    if (ccStorageID) {
      if (optional(p, 'cardNumber', 64) !== undefined)
        throw new TenderError('INVALID_PARAM', 'give either cardNumber or ccStorageID, not both');
      card = { kind: 'stored', id: ccStorageID, holder };
      cardKey = `stored:${ccStorageID}`;
    } else {
      const { number, brand } = parseCardNumber(required(p, 'cardNumber', 64));
      const exp = parseExpDate(required(p, 'expDate', 16), deps.clock.now());
      const cvv = required(p, 'cvv', 8);
      checkCvv(cvv);
      if (!countryAllowed(channel, brand, country))
        throw new TenderError(
          'CARD_COUNTRY_NOT_SUPPORTED',
          `${brand} cards billed in ${country} are not accepted on ${channel}`,
        );
      card = { kind: 'data', details: { number, ...exp, cvv: new Secret(cvv), holder }, brand };
      // Only a keyed digest of the number enters the idempotency fingerprint (never the CVV).
      cardKey = `${deps.box.mac('card-pan', number.reveal())}:${exp.expMonth}/${exp.expYear}`;
    }
    // spec M6 decision: an H2H payment needs the user's KYC on file.
    if (!(await hasKyc(deps.db, merchant.id, userId))) throw new TenderError('KYC_REQUIRED');
    const callbackUrl = callbackUrlOf(p);
    const successUrl = optional(p, 'successURL');
    const failUrl = optional(p, 'failURL');
    const retUrl = optional(p, 'retURL');
    if (retUrl) assertAllowedRedirect(retUrl, merchant, 'retURL');
    const v = await payHostToHost(deps, merchant, {
      order: {
        dialect: 'openapi',
        merchantTradeNo,
        userId,
        currency,
        amount,
        amountText,
        callbackUrl,
        successUrl,
        failUrl,
        createTimeMs: String(createTimeMs),
        fingerprint: {
          card: `pwpp_v${version}`,
          userId,
          cardKey,
          currency,
          amount: formatMinor(amount, 2),
          channel,
          txMode: txMode ?? '',
          storeCc: storeText,
          country,
          email,
          firstName,
          lastName,
          iddCode,
          mobile,
          addressLine,
          city,
          zip,
          document,
          products,
          callbackUrl,
          successUrl,
          failUrl,
          retUrl,
        },
      },
      facts: { flow: version === 1 ? 'pwpp_v1' : 'pwpp_v2', channel, txMode, country, retUrl },
      card,
      storeCard,
      browser: { ip: p.ip!, accept, userAgent },
    });
    if (v.order.status === 15) {
      const why = v.order.remark || 'declined';
      return version === 1
        ? reply.send({
            code: 90751015,
            msg: `pay fail: ${why}`,
            data: { orderId: '', pageData: '', ccStorageID: '' },
            traceid: req.id,
          })
        : reply.send({ code: 90751019, msg: `create order fail: pay fail: ${why}`, data: null, traceid: req.id });
    }
    return reply.send({ code: 0, msg: 'success', data: pwppData(v), traceid: req.id });
  });
}

/** /openapi/v2: pwpp (JSON) with the openapi dialect's envelope and refusals. */
export async function openapiV2Plugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  app.setErrorHandler((e, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'openapi v2 request failed');
      return reply
        .status(500)
        .send({ code: OPENAPI_CODES.INTERNAL, msg: 'internal error', data: null, traceid: req.id });
    }
    req.log.info({ errorCode: mapped.err.code, msg: mapped.err.message }, 'openapi request refused');
    return reply
      .status(mapped.httpStatus ?? 200)
      .send({ code: OPENAPI_CODES[mapped.err.code], msg: mapped.err.message, data: null, traceid: req.id });
  });
  await app.register(cardRoutes, { deps: opts.deps, version: 2 });
}
