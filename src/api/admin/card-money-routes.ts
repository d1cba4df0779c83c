// The operator card money API (issue 13 part 3), under /admin/cards, authenticated per OPERATOR (Authorization:
// Bearer <operator token>, as /admin/payouts): refunds and chargebacks are operator actions, audited with the
// operator's id. A support operator can only read (FORBIDDEN on the writes), as in the console.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { authenticateOperator } from '../../core/operators.js';
import { requestRefund } from '../../core/card-refunds.js';
import { recordChargeback } from '../../core/card-chargebacks.js';
import { cardMoney } from '../../core/card-money-view.js';
import { TenderError } from '../../domain/errors.js';
import { accountById } from '../../store/accounts-repo.js';
import type { Actor } from '../../core/audit-log.js';
import { asTenderError, HTTP_STATUS_BY_KIND } from '../envelope.js';
import { CardOrderParams, ChargebackBody, RefundBody } from './card-money-schemas.js';

export async function operatorCardMoneyPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  app.setErrorHandler((e, req, reply) => {
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'operator request failed');
      return reply.status(500).send({ error: 'INTERNAL', message: 'internal error', traceid: req.id });
    }
    return reply
      .status(mapped.httpStatus ?? HTTP_STATUS_BY_KIND[mapped.err.kind])
      .send({ error: mapped.err.code, message: mapped.err.message, traceid: req.id });
  });
  const operatorOf = async (req: FastifyRequest, write: boolean): Promise<Actor> => {
    const h = req.headers.authorization;
    const op = await authenticateOperator(deps, h?.startsWith('Bearer ') ? h.slice(7) : undefined);
    if (write && (await accountById(deps.db, 'operator', op.id))?.role === 'support')
      throw new TenderError('FORBIDDEN', 'a support operator can only read');
    return { kind: 'operator', operatorId: op.id, address: req.ip };
  };
  // The app reads JSON bodies as text (src/app.ts); these routes take a JSON object.
  app.addHook('preValidation', async (req) => {
    if (typeof req.body !== 'string') return;
    try {
      req.body = req.body.trim() === '' ? {} : JSON.parse(req.body);
    } catch {
      throw new TenderError('MALFORMED_BODY', 'send a JSON object');
    }
  });
  const params = { params: CardOrderParams };

  app.get<{ Params: { orderId: string } }>('/:orderId', { schema: params }, async (req) => {
    await operatorOf(req, false);
    return cardMoney(deps, req.params.orderId);
  });
  app.post<{ Params: { orderId: string }; Body: { amount: string; refundKey: string; reason?: string } }>(
    '/:orderId/refunds',
    { schema: { ...params, body: RefundBody } },
    async (req) => requestRefund(deps, await operatorOf(req, true), { orderId: req.params.orderId, ...req.body }),
  );
  app.post<{ Params: { orderId: string }; Body: { amount: string; caseId: string; reason?: string } }>(
    '/:orderId/chargebacks',
    { schema: { ...params, body: ChargebackBody } },
    async (req) => recordChargeback(deps, await operatorOf(req, true), { orderId: req.params.orderId, ...req.body }),
  );
}
