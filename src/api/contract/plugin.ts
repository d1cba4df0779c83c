// Serves the contract: /openapi.json (every dialect) and /openapi/<dialect>.json. Built once at start.
import type { FastifyInstance } from 'fastify';
import { CONTRACTS } from './index.js';
import { dialectDocument, openapiDocument } from './document.js';

export const fullDocument = () =>
  openapiDocument(
    CONTRACTS,
    'Tender',
    'Every dialect Tender serves: C-Pay openapi v1, minimal, CinetPay v2, the operator API and the hosted pages.',
  );

export async function contractPlugin(app: FastifyInstance): Promise<void> {
  const full = JSON.stringify(fullDocument());
  app.get('/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(full));
  for (const c of CONTRACTS) {
    const text = JSON.stringify(dialectDocument(c));
    app.get(`/openapi/${c.name}.json`, async (_req, reply) => reply.type('application/json; charset=utf-8').send(text));
  }
}
