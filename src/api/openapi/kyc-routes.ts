// POST /openapi/v1/submitKYC (issue 13, seed 001 §11, spec M6): up to 1000 KYC records per call, as a form field
// holding JSON text or as a JSON body, `data` signed as the raw JSON text sent. All or nothing. Registered by one
// line in plugin.ts (also under the doubled prefix); the openapi plugin's error handler and body parsers apply.
// Nothing of a record reaches a log line or an answer: refusals name the record index and the field only.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { assertFresh, authenticateSigned } from '../../core/signed-request.js';
import { submitKyc } from '../../core/kyc.js';
import { parseKycData } from '../../domain/kyc-record.js';
import { checker } from '../schema-check.js';
import { collectParams, required } from './params.js';
import { KycParams } from './kyc-schemas.js';

const checkKyc = checker(KycParams);

/**
 * 1000 records with their URLs take far more than the 1 MiB every other route accepts, more again form-encoded
 * (a JSON character can take 3 bytes as %XX). 8 MiB holds 1000 generous records.
 */
export const KYC_BODY_LIMIT = 8 * 1024 * 1024;

export async function kycRoutes(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  app.post('/submitKYC', { bodyLimit: KYC_BODY_LIMIT }, async (req, reply) => {
    const p = collectParams(req);
    const merchant = await authenticateSigned(deps, p);
    checkKyc(p);
    // The seed's submitKYC has no createTime; one that is sent is held to the replay window like any request's.
    if (p.createTime) assertFresh(deps, p.createTime);
    const records = parseKycData(required(p, 'data', KYC_BODY_LIMIT), deps.clock.now().toISOString().slice(0, 10));
    const count = await submitKyc(deps, merchant.id, records);
    return reply.send({ code: 0, msg: 'success', data: { count }, traceid: req.id });
  });
}
