// Operator API behind TENDER_ADMIN_TOKEN (Authorization: Bearer <token>): the CLI's actions over HTTP.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../core/deps.js';
import {
  createMerchant,
  merchantDetail,
  merchantView,
  rotateSecurityKey,
  updateSettings,
  type NewMerchant,
} from '../../core/merchants.js';
import { resendOrderWebhook } from '../../core/webhooks.js';
import { listDepositAddresses } from '../../core/address-listing.js';
import { rotateCinetpayCredentials } from '../../core/cinetpay-sites.js';
import { getOrder } from '../../core/orders.js';
import { TenderError } from '../../domain/errors.js';
import { orderEvents } from '../../store/orders-repo.js';
import { attemptsOf, latestDeliveries } from '../../store/webhooks-repo.js';
import { asTenderError, HTTP_STATUS_BY_KIND } from '../envelope.js';
import { orderData } from '../openapi/plugin.js';
import { adminTokenCheck } from './token.js';
import { adminRatesRoutes } from './rates-routes.js';
import { adminConsoleRoutes } from './console-routes.js';
import { adminActor } from './actor.js';
import { DepositAddressQuery, MerchantIdParams, OrderIdParams } from './schemas.js';

export async function adminPlugin(app: FastifyInstance, opts: { deps: Deps; token: string }): Promise<void> {
  const { deps } = opts;
  const isAdmin = adminTokenCheck(opts.token);

  app.setErrorHandler((e, req, reply) => {
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'admin request failed');
      return reply.status(500).send({ error: 'INTERNAL', message: 'internal error', traceid: req.id });
    }
    return reply
      .status(mapped.httpStatus ?? HTTP_STATUS_BY_KIND[mapped.err.kind])
      .send({ error: mapped.err.code, message: mapped.err.message, traceid: req.id });
  });

  app.addHook('onRequest', async (req) => {
    if (!isAdmin(req.headers.authorization)) throw new TenderError('BAD_ADMIN_TOKEN');
  });
  const merchantRoute = { schema: { params: MerchantIdParams } };
  const orderRoute = { schema: { params: OrderIdParams } };

  const body = (b: unknown): Record<string, unknown> => {
    if (typeof b !== 'string' || b.trim() === '') return {};
    try {
      const v: unknown = JSON.parse(b);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* fall through */
    }
    throw new TenderError('MALFORMED_BODY', 'send a JSON object');
  };

  /** Typed reads of a JSON body: a field of the wrong type is refused, never ignored or cast. */
  const reader = (b: Record<string, unknown>) => {
    const wrong = (k: string, what: string) => new TenderError('INVALID_PARAM', `${k} must be ${what}`);
    return {
      str(k: string): string | undefined {
        const v = b[k];
        if (v === undefined) return undefined;
        if (typeof v !== 'string') throw wrong(k, 'a string');
        return v;
      },
      strOrNull(k: string): string | null | undefined {
        return b[k] === null ? null : this.str(k);
      },
      int(k: string): number | undefined {
        const v = b[k];
        if (v === undefined) return undefined;
        if (typeof v !== 'number' || !Number.isInteger(v)) throw wrong(k, 'an integer');
        return v;
      },
      hosts(k: string): string[] | undefined {
        const v = b[k];
        if (v === undefined) return undefined;
        if (!Array.isArray(v) || v.some((h) => typeof h !== 'string')) throw wrong(k, 'an array of host names');
        return v as string[];
      },
    };
  };

  app.post('/merchants', async (req) => {
    const r = reader(body(req.body));
    return createMerchant(
      deps,
      {
        brand: r.str('brand') ?? '',
        company: r.str('company') ?? '',
        website: r.str('website') ?? '',
        email: r.str('email') ?? '',
        callbackUrl: r.str('callbackUrl'),
        webhookFormat: r.str('webhookFormat') as NewMerchant['webhookFormat'],
        feeBps: r.int('feeBps'),
        defaultCurrency: r.str('defaultCurrency'),
        extraHosts: r.hosts('allowedHosts'),
      },
      adminActor(req),
    );
  });
  app.get<{ Params: { id: string } }>('/merchants/:id', merchantRoute, async (req) =>
    merchantDetail(deps, req.params.id),
  );
  app.patch<{ Params: { id: string } }>('/merchants/:id', merchantRoute, async (req) => {
    const r = reader(body(req.body));
    return merchantView(
      await updateSettings(
        deps,
        req.params.id,
        {
          callbackUrl: r.strOrNull('callbackUrl'),
          webhookFormat: r.str('webhookFormat'),
          feeBps: r.int('feeBps'),
          defaultCurrency: r.str('defaultCurrency'),
          allowedHosts: r.hosts('allowedHosts'),
        },
        adminActor(req),
      ),
    );
  });
  app.post<{ Params: { id: string } }>('/merchants/:id/rotate-key', merchantRoute, async (req) =>
    rotateSecurityKey(deps, req.params.id, adminActor(req)),
  );
  app.post<{ Params: { id: string } }>('/merchants/:id/rotate-cinetpay', merchantRoute, async (req) => {
    const site = body(req.body).siteId;
    if (site !== undefined && typeof site !== 'string')
      throw new TenderError('INVALID_PARAM', 'siteId must be a string');
    return rotateCinetpayCredentials(deps, req.params.id, site, adminActor(req));
  });

  app.get<{ Params: { id: string } }>('/orders/:id', orderRoute, async (req) => {
    const order = await getOrder(deps, { by: 'id', id: req.params.id });
    const deliveries = await latestDeliveries(deps.db, order.id);
    return {
      order: orderData(deps, order),
      events: await orderEvents(deps.db, order.id),
      webhooks: await Promise.all(
        deliveries.map(async (d) => ({
          id: d.id,
          orderStatus: d.order_status,
          format: d.format,
          url: d.url,
          state: d.state,
          attempts: await attemptsOf(deps.db, d.id),
        })),
      ),
    };
  });
  app.get<{ Querystring: { merchantId?: string; balances?: string } }>(
    '/deposit-addresses',
    { schema: { querystring: DepositAddressQuery } },
    async (req) => {
      const { merchantId, balances } = req.query;
      return listDepositAddresses(deps, { merchantId, balances: balances === '1' || balances === 'true' });
    },
  );
  app.post<{ Params: { id: string } }>('/orders/:id/webhooks/resend', orderRoute, async (req) => ({
    deliveryId: await resendOrderWebhook(deps, req.params.id, adminActor(req)),
  }));
  await adminRatesRoutes(app, deps);
  await adminConsoleRoutes(app, deps);
}
