// Every dialect's contract, and the route → answer lookup the test suite's response check uses.
import { dialectOf } from '../refusal.js';
import { adminContract } from './admin.js';
import { cinetpayContract } from './cinetpay.js';
import { cinetpayLegacyContract } from './cinetpay-legacy.js';
import { minimalContract } from './minimal.js';
import { openapiContract } from './openapi.js';
import { serviceContract } from './service.js';
import { portalContract } from './portal.js';
import { consoleContract } from './console.js';
import type { Answer, DialectContract, RouteContract } from './types.js';

export const CONTRACTS: readonly DialectContract[] = [
  openapiContract,
  minimalContract,
  cinetpayContract,
  cinetpayLegacyContract,
  adminContract,
  serviceContract,
  portalContract,
  consoleContract,
];

const byName = new Map(CONTRACTS.map((c) => [c.name, c]));
export const contractNamed = (name: string): DialectContract | undefined => byName.get(name);

/** Seed 001 §5's doubled prefix is the same route as the single one. */
const normalise = (route: string) => route.replace(/^\/openapi\/v1\/openapi\/v1\//, '/openapi/v1/');

const routes = new Map<string, { contract: DialectContract; route: RouteContract }>();
for (const contract of CONTRACTS)
  for (const route of contract.routes) routes.set(`${route.method} ${route.route}`, { contract, route });

/** Which contract answers for paths no route matched (the not-found handler, router refusals). */
const CONTRACT_OF_DIALECT: Record<ReturnType<typeof dialectOf>, DialectContract> = {
  openapi: openapiContract,
  other: openapiContract,
  minimal: minimalContract,
  cinetpay: cinetpayContract,
  'cinetpay-legacy': cinetpayLegacyContract,
  admin: adminContract,
  'checkout-page': serviceContract,
  'payment-page': serviceContract,
};

export type Lookup = { ok: true; answer: Answer; where: string } | { ok: false; problem: string };

/**
 * The documented answer for a response: `route` is Fastify's route pattern (undefined when no route matched),
 * `url` the request's path and query. HEAD is answered like GET.
 */
export function documentedAnswer(method: string, route: string | undefined, url: string, status: number): Lookup {
  const m = method === 'HEAD' ? 'GET' : method;
  const key = String(status);
  if (route === undefined) {
    const c = CONTRACT_OF_DIALECT[dialectOf(url)];
    const answer = c.common[key];
    return answer
      ? { ok: true, answer, where: `${c.name}: unrouted ${m} ${url.split('?')[0]}` }
      : { ok: false, problem: `status ${status} of an unrouted path is not in the ${c.name} contract` };
  }
  const found = routes.get(`${m} ${normalise(route)}`);
  if (!found) return { ok: false, problem: `route ${m} ${route} is not in any contract` };
  const answer = found.route.answers[key] ?? found.contract.common[key];
  const where = `${found.contract.name}: ${m} ${found.route.path}`;
  return answer ? { ok: true, answer, where } : { ok: false, problem: `${where} documents no status ${status}` };
}
