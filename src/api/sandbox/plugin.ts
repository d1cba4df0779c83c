// Sandbox helper routes for test automation (seed-free; registered only in sandbox mode).
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { settleSandbox } from '../../rails/sandbox/index.js';
import { asTenderError } from '../envelope.js';
import { OPENAPI_CODES } from '../openapi/error-codes.js';
import { orderData } from '../openapi/plugin.js';

export async function sandboxPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
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
  for (const outcome of ['complete', 'fail'] as const) {
    app.post<{ Params: { orderId: string } }>(`/orders/:orderId/${outcome}`, async (req) => {
      const order = await settleSandbox(deps, req.params.orderId, outcome === 'complete' ? 'pay' : 'fail');
      return { code: 0, msg: 'success', data: orderData(deps, order), traceid: req.id };
    });
  }
}
