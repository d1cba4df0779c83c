// The operator payout API (issue 11), under /admin/payouts, authenticated per OPERATOR (Authorization: Bearer
// <operator token> from `tender operator create`): two different operators approve a large payout, so the
// admin token alone cannot. Registered beside the admin plugin, not inside it (its hook wants the admin token).
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { authenticateOperator } from '../../core/operators.js';
import { approvePayout, rejectPayout } from '../../core/payout-approval.js';
import { hotWalletBalances } from '../../core/hot-wallets.js';
import { openPayouts } from '../../store/payouts-repo.js';
import { asTenderError, HTTP_STATUS_BY_KIND } from '../envelope.js';
import { PayoutIdParams } from './payout-schemas.js';

export async function operatorPayoutPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
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
  const operatorOf = (h: string | undefined) =>
    authenticateOperator(deps, h?.startsWith('Bearer ') ? h.slice(7) : undefined);

  app.get('/', async (req) => {
    await operatorOf(req.headers.authorization);
    return (await openPayouts(deps.db)).map((p) => ({
      orderId: p.order_id,
      merchantId: String(p.merchant_id),
      merchantTradeNo: p.merchant_trade_no,
      status: Number(p.status),
      stage: p.stage as 'approval' | 'ready' | 'in_flight',
      reason: p.reason,
      currency: p.currency,
      network: p.network,
      total: String(p.total),
      toAddress: p.to_address,
      approvalsNeeded: Number(p.approvals_needed),
      approvedBy: p.approvals,
    }));
  });

  app.get('/hot-wallets', async (req) => {
    await operatorOf(req.headers.authorization);
    return hotWalletBalances(deps);
  });

  const route = { schema: { params: PayoutIdParams } };
  app.post<{ Params: { orderId: string } }>('/:orderId/approve', route, async (req) =>
    approvePayout(deps, await operatorOf(req.headers.authorization), req.params.orderId, req.ip),
  );
  app.post<{ Params: { orderId: string } }>('/:orderId/reject', route, async (req) =>
    rejectPayout(deps, await operatorOf(req.headers.authorization), req.params.orderId, req.ip),
  );
}
