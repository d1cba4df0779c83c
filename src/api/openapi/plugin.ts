// The C-Pay openapi v1 dialect (seed 001): parse, authenticate, call the core, map to {code,msg,data,traceid}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { authenticateSigned, assertFresh } from '../../core/signed-request.js';
import { getOrder } from '../../core/orders.js';
import { createCryptoOrder } from '../../core/crypto-orders.js';
import { walletAddresses } from '../../core/addresses.js';
import { getBalances } from '../../core/balances.js';
import { cardOrderTotals } from '../../core/card-money-view.js';
import { TenderError } from '../../domain/errors.js';
import { parseDecimal, formatMinor } from '../../domain/money.js';
import { cpayAmount, cpayOrderFields } from '../../domain/cpay-fields.js';
import type { Order } from '../../domain/order.js';
import type { OrderLookup } from '../../store/orders-repo.js';
import { asTenderError } from '../envelope.js';
import { OPENAPI_CODES } from './error-codes.js';
import { callbackUrlOf, collectParams, optional, required } from './params.js';
import { checker } from '../schema-check.js';
import { textRule } from '../edge.js';
import { MULTIPART, multipartFields, readBounded } from './multipart.js';
import { wireNetworkName } from '../../rails/crypto/networks.js';
import { ratesRoutes } from './rates-routes.js';
import { payoutRoutes } from './payout-routes.js';
import { fiatPayoutRoutes } from './fiat-payout-routes.js';
import { cardRoutes } from './card-routes.js';
import { kycRoutes } from './kyc-routes.js';
import {
  CreateOrderParams,
  GetMerchantBalanceParams,
  GetOrderDetailParams,
  GetWalletAddressParams,
} from './schemas.js';

const checkCreateOrder = checker(CreateOrderParams);
const checkGetOrderDetail = checker(GetOrderDetailParams);
const checkGetWalletAddress = checker(GetWalletAddressParams);
const checkGetMerchantBalance = checker(GetMerchantBalanceParams);

export function orderData(deps: Deps, o: Order) {
  return {
    ...cpayOrderFields(o, deps.assets),
    // A payout has no hosted page (src/store/orders-repo.ts finds pay-ins only by their codes).
    cashierURL: o.kind === 'payout' || o.kind === 'fiat_payout' ? '' : `${deps.config.publicUrl}/pay/${o.payCode}`,
    returnURL: '',
    successURL: o.successUrl ?? '',
    failURL: o.failUrl ?? '',
    orderCurrency: o.currency,
  };
}

export async function openapiPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  const ok = (req: FastifyRequest, data: unknown) => ({ code: 0, msg: 'success', data, traceid: req.id });

  app.setErrorHandler((e, req, reply) => {
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'openapi request failed');
      return reply
        .status(500)
        .send({ code: OPENAPI_CODES.INTERNAL, msg: 'internal error', data: null, traceid: req.id });
    }
    req.log.info({ errorCode: mapped.err.code, msg: mapped.err.message }, 'openapi request refused');
    return reply
      .status(mapped.httpStatus ?? 200)
      .send({ code: OPENAPI_CODES[mapped.err.code], msg: mapped.err.message, data: null, traceid: req.id });
  });

  // multipart/form-data is a form body too (shared/spec "Content types"). Fastify parses no GET body, so a
  // GET that carries one (Postman sends it when asked) is read here, and the text rule applied to it.
  app.addContentTypeParser(MULTIPART, { parseAs: 'buffer' }, async (req: FastifyRequest, body: Buffer) =>
    multipartFields(body, String(req.headers['content-type'])),
  );
  app.addHook('preValidation', async (req) => {
    const type = String(req.headers['content-type'] ?? '');
    if (req.method !== 'GET' || !MULTIPART.test(type)) return;
    req.body = await multipartFields(await readBounded(req.raw, app.initialConfig.bodyLimit ?? 1048576), type);
    await textRule(req);
  });

  /**
   * Authenticates, then holds the parameters to the route's schema. A signed read that carries a
   * createTime is held to the replay window like createOrder, so a captured request cannot be replayed
   * forever; reads without one stay accepted (the seed's clients do not all send it).
   */
  const signed = async (req: FastifyRequest, check: (p: unknown) => unknown, read = true) => {
    const params = collectParams(req);
    const merchant = await authenticateSigned(deps, params);
    check(params);
    if (read && params.createTime) assertFresh(deps, params.createTime);
    return { params, merchant };
  };

  const createOrderRoute = async (req: FastifyRequest, reply: FastifyReply) => {
    const { params: p, merchant } = await signed(req, checkCreateOrder, false);
    const merchantTradeNo = required(p, 'merchantTradeNo', 64);
    const createTimeMs = assertFresh(deps, required(p, 'createTime', 15));
    const userId = required(p, 'userId', 64);
    const amountText = required(p, 'amount', 128);
    const currency = required(p, 'cryptoCurrency', 16).toUpperCase();
    const asset = deps.assets.find(currency);
    if (asset?.kind !== 'crypto')
      throw new TenderError('UNSUPPORTED_CURRENCY', `cryptoCurrency ${currency} is not supported`);
    const amount = parseDecimal(amountText, asset.exponent, 'amount', 8);
    if (amount === 0n) throw new TenderError('INVALID_PARAM', 'amount must be greater than zero');
    // Aliases ("TRON", "ETH", ...) become the §3 wire name; an unknown name is refused by the core as before.
    const networkText = optional(p, 'network', 32);
    const network = networkText === undefined ? undefined : (wireNetworkName(networkText) ?? networkText);
    const callbackUrl = callbackUrlOf(p);
    const successUrl = optional(p, 'successURL');
    const failUrl = optional(p, 'failURL');
    const { order, address } = await createCryptoOrder(deps, merchant, {
      dialect: 'openapi',
      merchantTradeNo,
      userId,
      currency,
      amount,
      amountText,
      network: network ?? null,
      callbackUrl,
      successUrl,
      failUrl,
      createTimeMs: String(createTimeMs),
      fingerprint: {
        userId,
        currency,
        amount: formatMinor(amount, asset.exponent),
        network,
        callbackUrl,
        successUrl,
        failUrl,
      },
    });
    // §13 documents and shows createOrder's merchantId as a string (getOrderDetail's stays a number, §9).
    const data = { ...orderData(deps, order), merchantId: String(order.merchantId) };
    return reply.send(ok(req, { ...data, ...(address ? { address } : {}) }));
  };
  app.post('/createOrder', createOrderRoute);

  app.get('/getOrderDetail', async (req, reply) => {
    const { params: p, merchant } = await signed(req, checkGetOrderDetail);
    const cpayOrderId = optional(p, 'cpayOrderId', 64);
    const merchantTradeNo = optional(p, 'merchantTradeNo', 64);
    const hash = optional(p, 'hash', 128);
    const lookup: OrderLookup | undefined = cpayOrderId
      ? { by: 'id', id: cpayOrderId }
      : merchantTradeNo
        ? { by: 'tradeNo', merchantTradeNo }
        : hash
          ? { by: 'hash', hash }
          : undefined;
    if (!lookup) throw new TenderError('MISSING_PARAM', 'one of merchantTradeNo, cpayOrderId or hash is required');
    const order = await getOrder(deps, lookup, merchant.id);
    if ((merchantTradeNo && order.merchantTradeNo !== merchantTradeNo) || (hash && order.hash !== hash))
      throw new TenderError('ORDER_NOT_FOUND');
    // A card order also shows what was refunded and charged back (issue 13 part 3, docs/refunds.md).
    const card = await cardOrderTotals(deps, order);
    return reply.send(ok(req, { ...orderData(deps, order), ...card }));
  });

  app.get('/getWalletAddress', async (req, reply) => {
    const { params: p, merchant } = await signed(req, checkGetWalletAddress);
    const userId = required(p, 'userId', 64);
    return reply.send(ok(req, await walletAddresses(deps, merchant.id, userId)));
  });

  app.get('/getMerchantBalance', async (req, reply) => {
    const { merchant } = await signed(req, checkGetMerchantBalance);
    const rows = await getBalances(deps, merchant.id);
    return reply.send(
      ok(
        req,
        rows.map((r) => ({
          availableBalance: cpayAmount(r.available, r.exponent),
          freezeBalance: cpayAmount(r.frozen, r.exponent),
          cryptoCurrency: r.currency,
          currency: r.currency,
        })),
      ),
    );
  });

  await ratesRoutes(app, { deps, signed });
  await app.register(payoutRoutes, { deps }); // issue 11: POST /withdraw
  await app.register(fiatPayoutRoutes, { deps }); // issue 11: POST /createFiatPayoutOrder
  await app.register(cardRoutes, { deps, version: 1 }); // issue 13: createOrderByCreditCard, pwpp (form)
  await app.register(kycRoutes, { deps }); // issue 13: POST /submitKYC
}
