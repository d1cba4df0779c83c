// getExchangeRate (§7), getExchangeRateForCreditCard (§8) and exchange (§10) of the openapi dialect,
// registered by plugin.ts with its signature check. The §8 and §10 examples answer msg "ok" (§7 "success").
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import type { MerchantRow } from '../../store/merchants-repo.js';
import { assertFresh } from '../../core/signed-request.js';
import { quote } from '../../core/rates/quote.js';
import { exchange } from '../../core/rates/exchange.js';
import { TenderError } from '../../domain/errors.js';
import { checker } from '../schema-check.js';
import { required } from './params.js';
import { ExchangeParams, ExchangeRateParams } from './rates-schemas.js';

type Signed = (
  req: FastifyRequest,
  check: (p: unknown) => unknown,
  read?: boolean,
) => Promise<{ params: Record<string, string>; merchant: MerchantRow }>;

const checkRate = checker(ExchangeRateParams);
const checkExchange = checker(ExchangeParams);

function purchaseTypeOf(p: Record<string, string>): 0 | 1 {
  const v = required(p, 'purchaseType', 16);
  if (v !== '0' && v !== '1') throw new TenderError('INVALID_PURCHASE_TYPE');
  return v === '0' ? 0 : 1;
}

export async function ratesRoutes(app: FastifyInstance, opts: { deps: Deps; signed: Signed }): Promise<void> {
  const { deps, signed } = opts;
  const answer = (req: FastifyRequest, msg: string, data: unknown) => ({ code: 0, msg, data, traceid: req.id });

  const rateRoute = (card: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const { params: p, merchant } = await signed(req, checkRate);
    const q = await quote(deps, merchant.id, {
      sourceCurrency: required(p, 'sourceCurrency', 16).toUpperCase(),
      targetCurrency: required(p, 'targetCurrency', 16).toUpperCase(),
      purchaseType: purchaseTypeOf(p),
      amount: required(p, 'amount', 128),
      card,
    });
    return reply.send(
      card
        ? answer(req, 'ok', { exchangeRate: q.exchangeRate, amountExchanged: q.amountExchanged })
        : answer(req, 'success', { exchangeRate: q.exchangeRate }),
    );
  };
  for (const method of ['GET', 'POST'] as const) {
    app.route({ method, url: '/getExchangeRate', handler: rateRoute(false) });
    app.route({ method, url: '/getExchangeRateForCreditCard', handler: rateRoute(true) });
  }

  app.post('/exchange', async (req, reply) => {
    const { params: p, merchant } = await signed(req, checkExchange, false);
    const merchantTradeNo = required(p, 'merchantTradeNo', 64);
    assertFresh(deps, required(p, 'createTime', 15));
    const data = await exchange(deps, merchant.id, {
      merchantTradeNo,
      userId: required(p, 'userId', 64),
      sourceCurrency: required(p, 'sourceCurrency', 16).toUpperCase(),
      sourceAmount: required(p, 'sourceAmount', 128),
      targetCurrency: required(p, 'targetCurrency', 16).toUpperCase(),
    });
    // The stored text, so a retry's data is byte for byte the first answer's.
    return reply
      .type('application/json; charset=utf-8')
      .send(`{"code":0,"msg":"ok","data":${data},"traceid":${JSON.stringify(req.id)}}`);
  });
}
