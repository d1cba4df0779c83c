// Sandbox helper routes for test automation (seed-free; registered only in sandbox mode). Settling an order
// sends the merchant a signed webhook, so the caller must prove who it is: the operator's admin token
// (Authorization: Bearer, any order), or the merchant's openapi signature over merchantId, orderId (the
// path's) and createTime (its own orders only). An order id alone is printed on the public page.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { getOrder } from '../../core/orders.js';
import { assertFresh, authenticateSigned } from '../../core/signed-request.js';
import { TenderError } from '../../domain/errors.js';
import { settleSandbox } from '../../rails/sandbox/index.js';
import { isPayout, settleSandboxPayout } from '../../rails/payout/sandbox-helper.js';
import { asTenderError } from '../envelope.js';
import { OPENAPI_CODES } from '../openapi/error-codes.js';
import { collectParams, required } from '../openapi/params.js';
import { orderData } from '../openapi/plugin.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export async function sandboxPlugin(app: FastifyInstance, opts: { deps: Deps; adminToken: string }): Promise<void> {
  const { deps } = opts;
  const expected = digest(opts.adminToken);
  app.setErrorHandler((e, req, reply) => {
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'sandbox request failed');
      return reply.status(500).send({ code: 1, msg: 'internal error', data: null, traceid: req.id });
    }
    return reply
      .status(mapped.httpStatus ?? 200)
      .send({ code: OPENAPI_CODES[mapped.err.code], msg: mapped.err.message, data: null, traceid: req.id });
  });

  /** Throws unless the caller may settle `orderId`: the operator, or the merchant that owns the order. */
  const authorize = async (req: FastifyRequest, orderId: string): Promise<void> => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      // Presenting a header means "I am the operator": a wrong one is refused, never tried as a signature.
      const token = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!timingSafeEqual(digest(token), expected)) throw new TenderError('BAD_ADMIN_TOKEN');
      return;
    }
    const params = collectParams(req);
    const merchant = await authenticateSigned(deps, params);
    // The signature must name the order and a time, or one captured request would settle every order.
    if (required(params, 'orderId', 64) !== orderId)
      throw new TenderError('INVALID_PARAM', 'orderId must be the order of the path');
    const createTime = required(params, 'createTime', 15);
    assertFresh(deps, createTime);
    await getOrder(deps, { by: 'id', id: orderId }, merchant.id);
  };

  for (const outcome of ['complete', 'fail'] as const) {
    app.post<{ Params: { orderId: string } }>(`/orders/:orderId/${outcome}`, async (req) => {
      await authorize(req, req.params.orderId);
      const id = req.params.orderId;
      // A payout settles on the sandbox payout rail's pretend chain, never as a pay-in (issue 11).
      const order = (await isPayout(deps, id))
        ? await settleSandboxPayout(deps, id, outcome)
        : await settleSandbox(deps, id, outcome === 'complete' ? 'pay' : 'fail');
      return { code: 0, msg: 'success', data: orderData(deps, order), traceid: req.id };
    });
  }
}
