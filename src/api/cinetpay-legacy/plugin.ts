// CinetPay's legacy signature-form API (docs/cinetpay-legacy.md), the one the official PHP SDK (up to 1.7.0)
// and cinetpay-nodejs 1.0.0 call: POST /v1/ and /v2/ with ?method=getSignatureByPost | checkPayStatus, and
// the cash desk, POST / (secure.cinetpay.com's form target). A thin adapter over core/cinetpay-legacy.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { authenticateSite } from '../../core/cinetpay-sites.js';
import { legacyPayStatus, legacySignature, openCashDesk } from '../../core/cinetpay-legacy.js';
import { CINETPAY_BY_CATALOG, CP, CinetpayRefusal, type CinetpayCode } from '../../domain/cinetpay.js';
import { legacyRefusal, parseLegacyForm } from '../../domain/cinetpay-legacy.js';
import type { CinetpaySiteRow } from '../../store/cinetpay-repo.js';
import { asTenderError } from '../envelope.js';
import { PAGE_HEADERS } from '../refusal.js';
import { renderMessage } from '../../web/checkout-page.js';
import { legacyCredentials, legacySignedFields, legacyTransId, optionalUrl } from './validate.js';

const rawBodies = (app: FastifyInstance) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
};
const formOf = (req: FastifyRequest) => parseLegacyForm(typeof req.body === 'string' ? req.body : '');

async function site(deps: Deps, form: Map<string, string>): Promise<CinetpaySiteRow> {
  const c = legacyCredentials(form);
  const auth = await authenticateSite(deps, c.apikey, c.siteId);
  if (auth.ok) return auth.site;
  throw auth.reason === 'apikey'
    ? new CinetpayRefusal(CP.AUTH_NOT_FOUND, 'apikey is not valid')
    : new CinetpayRefusal(CP.ERROR_SITE_ID_NOTVALID, 'cpm_site_id is not valid for this apikey');
}

/**
 * Refusals of a request that was read answer HTTP 200, as CinetPay's legacy API does: the PHP SDK's
 * file_get_contents fallback gets no body at all from a 4xx, so it could not show the code. Refusals about
 * HTTP itself (413) and outages (503) keep their status.
 */
function refuse(reply: FastifyReply, cp: CinetpayCode, description: string, httpStatus?: number) {
  const status = httpStatus ?? (cp.http >= 500 || cp.http === 429 ? cp.http : 200);
  return reply.status(status).send(legacyRefusal(cp, description));
}

async function legacyApi(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  rawBodies(app);
  app.setErrorHandler((e, req, reply) => {
    if (e instanceof CinetpayRefusal) return refuse(reply, e.cp, e.description);
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'cinetpay legacy request failed');
      return refuse(reply, CP.INTERNAL_ERROR, 'internal error');
    }
    const cp = CINETPAY_BY_CATALOG[mapped.err.code] ?? CP.INVALID_PARAMETER;
    return refuse(reply, cp, mapped.err.message, mapped.httpStatus);
  });

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const method = (req.query as { method?: unknown }).method;
    const form = formOf(req);
    if (method === 'getSignatureByPost') {
      const s = await site(deps, form);
      const fields = legacySignedFields(form, deps.assets);
      try {
        // A JSON string: the SDK json_decodes the body and takes a non-array as the signature.
        return reply
          .type('application/json; charset=utf-8')
          .send(JSON.stringify(await legacySignature(deps, s, fields)));
      } catch (e) {
        if (asTenderError(e)?.err.code === 'DUPLICATE_TRADE_NO')
          throw new CinetpayRefusal(CP.TRANSACTION_EXIST, 'cpm_trans_id was already used with different fields');
        throw e;
      }
    }
    if (method === 'checkPayStatus') {
      const s = await site(deps, form);
      return reply.send({ transaction: await legacyPayStatus(deps, s, legacyTransId(form)) });
    }
    const named = typeof method === 'string' ? `method ${method} is not served` : 'the query must name a method';
    throw new CinetpayRefusal(CP.INVALID_PARAMETER, `${named}: getSignatureByPost or checkPayStatus`);
  };
  for (const url of ['/v1/', '/v2/']) app.post(url, handle);
}

/** The customer's browser meets these: a page, never JSON. */
function deskRefusal(reply: FastifyReply, status: number, message: string) {
  return reply
    .status(status)
    .headers(PAGE_HEADERS)
    .type('text/html; charset=utf-8')
    .send(renderMessage('Payment refused', message));
}

async function cashDesk(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  rawBodies(app);
  app.setErrorHandler((e, req, reply) => {
    if (e instanceof CinetpayRefusal) return deskRefusal(reply, 400, `${e.cp.message}: ${e.description}.`);
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'cinetpay cash desk failed');
      return deskRefusal(reply, 500, 'The payment could not be opened. Please try again.');
    }
    const kind = mapped.err.code;
    const status =
      mapped.httpStatus ??
      (kind === 'FORBIDDEN' || kind === 'REDIRECT_NOT_ALLOWED' || kind === 'MERCHANT_SUSPENDED'
        ? 403
        : kind === 'SERVICE_UNAVAILABLE'
          ? 503
          : 400);
    return deskRefusal(reply, status, `${mapped.err.message}.`);
  });

  app.post('/', async (req, reply) => {
    const form = formOf(req);
    const s = await site(deps, form);
    const fields = legacySignedFields(form, deps.assets);
    const signature = (form.get('signature') ?? '').trim();
    if (!signature) throw new CinetpayRefusal(CP.MINIMUM_REQUIRED_FIELDS, 'the form has no signature');
    const { payCode } = await openCashDesk(deps, s, {
      fields,
      signature,
      notifyUrl: optionalUrl(form, 'notify_url'),
      returnUrl: optionalUrl(form, 'return_url'),
      cancelUrl: optionalUrl(form, 'cancel_url'),
    });
    return reply.redirect(`/payment/${encodeURIComponent(payCode)}?lang=${fields.language}`, 303);
  });
}

export async function cinetpayLegacyPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  await app.register(legacyApi, opts);
  await app.register(cashDesk, opts);
}
