// POST /openapi/v1/withdraw (issue 11, spec M1): a crypto payout. Registered by one line in plugin.ts; the
// openapi plugin's error handler and body parsers apply. Refusals have their own codes (docs/errors.md).
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { assertFresh, authenticateSigned } from '../../core/signed-request.js';
import { acceptWithdraw } from '../../core/withdraw.js';
import type { Order } from '../../domain/order.js';
import { cpayAmount } from '../../domain/cpay-fields.js';
import { checker } from '../schema-check.js';
import { callbackUrlOf, collectParams, required } from './params.js';
import { WithdrawParams } from './payout-schemas.js';

const checkWithdraw = checker(WithdrawParams);

/** M1's answer: every field a string. */
export function withdrawData(deps: Deps, o: Order) {
  const exp = deps.assets.ledger(o.currency).exponent;
  return {
    merchantId: String(o.merchantId),
    cryptoCurrency: o.currency,
    orderAmount: cpayAmount(o.amount, exp),
    receivedAmount: cpayAmount(o.receivedAmount ?? 0n, exp),
    fee: cpayAmount(o.fee ?? 0n, exp),
    merchantTradeNo: o.merchantTradeNo,
    remark: o.remark,
    extInfo: o.extInfo,
    status: String(o.status),
    orderId: o.id,
    network: o.network ?? '',
    merchantUserId: o.userId ?? '',
    createTime: String(o.createdAt.getTime()),
  };
}

export async function payoutRoutes(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  app.post('/withdraw', async (req, reply) => {
    const p = collectParams(req);
    const merchant = await authenticateSigned(deps, p);
    checkWithdraw(p);
    const merchantTradeNo = required(p, 'merchantTradeNo', 64);
    const createTimeMs = assertFresh(deps, required(p, 'createTime', 15));
    const { order } = await acceptWithdraw(deps, merchant, {
      merchantTradeNo,
      userId: required(p, 'userId', 64),
      cryptoCurrency: required(p, 'cryptoCurrency', 16),
      network: required(p, 'network', 32),
      totalAmount: required(p, 'totalAmount', 128),
      receivedAmount: required(p, 'receivedAmount', 128),
      toAddress: required(p, 'toAddress', 128),
      callbackUrl: callbackUrlOf(p) ?? null,
      createTimeMs: String(createTimeMs),
    });
    return reply.send({ code: 0, msg: 'success', data: withdrawData(deps, order), traceid: req.id });
  });
}
