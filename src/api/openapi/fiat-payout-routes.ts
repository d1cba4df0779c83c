// POST /openapi/v1/createFiatPayoutOrder (issue 11, spec M2): a fiat payout to a Pix key (payoutChannel 1) or a
// bank card (2). Registered by one line in plugin.ts, so it is served under the doubled prefix
// /openapi/v1/openapi/v1 too (seed 001 §5 writes that path); the openapi plugin's error handler and body parsers
// apply. Refusals have their own codes (docs/pix-payouts.md, docs/errors.md); none repeats the account.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { assertFresh, authenticateSigned } from '../../core/signed-request.js';
import { acceptFiatPayout } from '../../core/fiat-payout.js';
import { parseFiatPayoutRequest } from '../../domain/fiat-payout-request.js';
import type { Order } from '../../domain/order.js';
import { cpayAmount } from '../../domain/cpay-fields.js';
import { checker } from '../schema-check.js';
import { collectParams, required } from './params.js';
import { FiatPayoutParams } from './fiat-payout-schemas.js';

const checkFiatPayout = checker(FiatPayoutParams);

/** §5's answer: every field a string; amounts written like every other openapi amount ("5.50"). */
export function fiatPayoutData(deps: Deps, o: Order) {
  const exp = deps.assets.ledger(o.currency).exponent;
  return {
    merchantId: String(o.merchantId),
    merchantUserId: o.userId ?? '',
    merchantTradeNo: o.merchantTradeNo,
    currency: o.currency,
    orderAmount: cpayAmount(o.amount, exp),
    receivedAmount: cpayAmount(o.receivedAmount ?? 0n, exp),
    status: String(o.status),
    orderId: o.id,
    fee: cpayAmount(o.fee ?? 0n, exp),
    remark: o.remark,
    createTime: String(o.createdAt.getTime()),
  };
}

export async function fiatPayoutRoutes(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  app.post('/createFiatPayoutOrder', async (req, reply) => {
    const p = collectParams(req);
    const merchant = await authenticateSigned(deps, p);
    checkFiatPayout(p);
    const createTimeMs = assertFresh(deps, required(p, 'createTime', 15));
    const request = parseFiatPayoutRequest(p, deps.assets);
    const { order } = await acceptFiatPayout(deps, merchant, request, String(createTimeMs));
    return reply.send({ code: 0, msg: 'success', data: fiatPayoutData(deps, order), traceid: req.id });
  });
}
