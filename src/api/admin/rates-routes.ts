// Operator rate routes under /admin (the admin plugin's token check and error envelope apply).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { listOperatorRates, setOperatorRate } from '../../core/rates/operator-rates.js';
import { merchantRateView, setMerchantRateSettings } from '../../core/rates/merchant-rates.js';
import { TenderError } from '../../domain/errors.js';
import { checker } from '../schema-check.js';
import { MerchantIdParams } from './schemas.js';
import { adminActor } from './actor.js';
import { MerchantRatesBody, SetRateBody } from './rates-schemas.js';

const checkSetRate = checker(SetRateBody);
const checkMerchantRates = checker(MerchantRatesBody);

/** JSON bodies arrive as raw text (app.ts); an object is required. */
function jsonObject(req: FastifyRequest): unknown {
  const b = req.body;
  if (typeof b === 'string') {
    try {
      const v: unknown = JSON.parse(b);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      /* below */
    }
  }
  throw new TenderError('MALFORMED_BODY', 'send a JSON object');
}

export async function adminRatesRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/rates', async () => listOperatorRates(deps));
  app.post('/rates', async (req) => {
    const b = checkSetRate(jsonObject(req));
    return setOperatorRate(deps, b.base, b.quote, b.price, adminActor(req));
  });
  const merchantRoute = { schema: { params: MerchantIdParams } };
  app.get<{ Params: { id: string } }>('/merchants/:id/rates', merchantRoute, async (req) =>
    merchantRateView(deps, req.params.id),
  );
  app.patch<{ Params: { id: string } }>('/merchants/:id/rates', merchantRoute, async (req) =>
    setMerchantRateSettings(deps, req.params.id, checkMerchantRates(jsonObject(req)), adminActor(req)),
  );
}
