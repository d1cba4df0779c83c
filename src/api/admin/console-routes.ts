// Operator API routes of the console core (issue 12), under /admin with the admin token: suspend and
// reactivate a merchant, rotate its merchant secret, search the audit log, webhook health across merchants.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { reactivateMerchant, suspendMerchant } from '../../core/console-suspension.js';
import { rotateMerchantSecret } from '../../core/merchants.js';
import { searchAuditLog } from '../../core/audit-log.js';
import { webhookHealth } from '../../core/console-webhook-health.js';
import { TenderError } from '../../domain/errors.js';
import { MerchantIdParams } from './schemas.js';
import { AuditQuery, HealthQuery } from './console-schemas.js';
import { adminActor } from './actor.js';

function reasonOf(req: FastifyRequest): string {
  let v: unknown;
  try {
    v = typeof req.body === 'string' && req.body.trim() ? JSON.parse(req.body) : {};
  } catch {
    throw new TenderError('MALFORMED_BODY', 'send a JSON object');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TenderError('MALFORMED_BODY', 'send a JSON object');
  const reason = (v as { reason?: unknown }).reason;
  if (reason === undefined) throw new TenderError('MISSING_PARAM', 'reason is required');
  if (typeof reason !== 'string') throw new TenderError('INVALID_PARAM', 'reason must be a string');
  return reason;
}

export async function adminConsoleRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const merchantRoute = { schema: { params: MerchantIdParams } };
  app.post<{ Params: { id: string } }>('/merchants/:id/suspend', merchantRoute, async (req) =>
    suspendMerchant(deps, req.params.id, reasonOf(req), adminActor(req)),
  );
  app.post<{ Params: { id: string } }>('/merchants/:id/reactivate', merchantRoute, async (req) =>
    reactivateMerchant(deps, req.params.id, adminActor(req)),
  );
  app.post<{ Params: { id: string } }>('/merchants/:id/rotate-secret', merchantRoute, async (req) =>
    rotateMerchantSecret(deps, req.params.id, adminActor(req)),
  );
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/audit',
    { schema: { querystring: AuditQuery } },
    async (req) => {
      const q = req.query;
      return searchAuditLog(deps, { ...q, limit: q.limit === undefined ? undefined : Number(q.limit) });
    },
  );
  app.get<{ Querystring: { hours?: string } }>('/webhook-health', { schema: { querystring: HealthQuery } }, (req) =>
    webhookHealth(deps, { windowHours: req.query.hours === undefined ? undefined : Number(req.query.hours) }),
  );
}
