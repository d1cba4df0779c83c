// The CinetPay dialect (seed 002, shared/spec/cinetpay.md): POST /v2/payment and /v2/payment/check, a
// thin adapter over the core. Answers and refusals use CinetPay's codes (docs/cinetpay.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { authenticateSite } from '../../core/cinetpay-sites.js';
import { checkCinetpayPayment, initCinetpayPayment } from '../../core/cinetpay.js';
import {
  CINETPAY_BY_CATALOG,
  CP,
  CinetpayRefusal,
  checkResult,
  cinetpayDate,
  type CinetpayCode,
} from '../../domain/cinetpay.js';
import { topLevelRawFields } from '../../domain/raw-json.js';
import { formatMinor } from '../../domain/money.js';
import { asTenderError } from '../envelope.js';
import { checkCheckBody, credentials, requireFields, parseInit, withAliases, type Body } from './validate.js';
import { destinationPolicy } from '../../domain/destination-policy.js';
import type { CinetpaySiteRow } from '../../store/cinetpay-repo.js';

/** The hosted page of a CinetPay payment (served by src/web/mobile-money-plugin.ts). */
export const paymentUrl = (deps: Deps, payCode: string, lang: string) =>
  `${deps.config.publicUrl}/payment/${encodeURIComponent(payCode)}?lang=${lang}`;

function typeOf(v: unknown): Body[string]['type'] {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as 'string' | 'number' | 'boolean' | 'object');
}

const FORM_PAIR = /^[^=&]+=[^&]*$/;

/**
 * JSON (whatever the content type says), a multipart form (Postman's "form-data"), or a urlencoded form,
 * as name → {type, text, value}. A urlencoded body is read as a form whatever its content type: CinetPay's
 * own docs show Guzzle `form_params` and python `data=` under a "Content-Type: application/json" header.
 */
async function parseBody(req: FastifyRequest): Promise<Body> {
  const raw = typeof req.body === 'string' ? req.body : '';
  if (raw.trim() === '') throw new CinetpayRefusal(CP.MINIMUM_REQUIRED_FIELDS, 'send a JSON object body');
  const out: Body = Object.create(null);
  const contentType = String(req.headers['content-type'] ?? '');
  if (raw.trimStart().startsWith('{')) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new CinetpayRefusal(CP.MINIMUM_REQUIRED_FIELDS, 'body is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new CinetpayRefusal(CP.MINIMUM_REQUIRED_FIELDS, 'body must be a JSON object');
    const texts = topLevelRawFields(raw);
    for (const [k, value] of Object.entries(parsed)) out[k] = { type: typeOf(value), text: texts[k] ?? '', value };
    return out;
  }
  if (/^multipart\/form-data/i.test(contentType)) {
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw new CinetpayRefusal(CP.MINIMUM_REQUIRED_FIELDS, 'multipart body could not be read');
    }
    for (const [k, v] of form) if (typeof v === 'string') out[k] = { type: 'string', text: v, value: v };
    return out;
  }
  const pairs = raw.trim().split('&');
  if (/application\/x-www-form-urlencoded/i.test(contentType) || pairs.every((p) => FORM_PAIR.test(p))) {
    for (const [k, v] of new URLSearchParams(raw.trim())) out[k] = { type: 'string', text: v, value: v };
    return out;
  }
  throw new CinetpayRefusal(CP.MINIMUM_REQUIRED_FIELDS, 'body must be a JSON object');
}

export async function cinetpayPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;

  const answer = (reply: FastifyReply, req: FastifyRequest, cp: CinetpayCode, description: string) =>
    reply.status(cp.http).send({ code: cp.code, message: cp.message, description, api_response_id: req.id });

  app.setErrorHandler((e, req, reply) => {
    if (e instanceof CinetpayRefusal) return answer(reply, req, e.cp, e.description);
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'cinetpay request failed');
      return answer(reply, req, CP.INTERNAL_ERROR, 'internal error');
    }
    const cp = CINETPAY_BY_CATALOG[mapped.err.code] ?? CP.INVALID_PARAMETER;
    return reply
      .status(mapped.httpStatus ?? cp.http)
      .send({ code: cp.code, message: cp.message, description: mapped.err.message, api_response_id: req.id });
  });
  app.setNotFoundHandler((req, reply) => {
    void answer(reply, req, CP.TRANSACTION_NOT_FOUND, `no route ${req.method} ${req.url.split('?')[0]}`);
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const site = async (b: Body): Promise<CinetpaySiteRow> => {
    const c = credentials(b);
    const auth = await authenticateSite(deps, c.apikey, c.siteId);
    if (!auth.ok)
      throw new CinetpayRefusal(
        auth.reason === 'apikey' ? CP.AUTH_NOT_FOUND : CP.ERROR_SITE_ID_NOTVALID,
        auth.reason === 'apikey' ? 'apikey is not valid' : 'site_id is not valid for this apikey',
      );
    return auth.site;
  };

  app.post('/payment', async (req, reply) => {
    const b = withAliases(await parseBody(req));
    const s = await site(b);
    const input = parseInit(b, deps.assets, destinationPolicy(deps.config.mode, deps.config.webhookAllowPrivate));
    let result: Awaited<ReturnType<typeof initCinetpayPayment>>;
    try {
      result = await initCinetpayPayment(deps, s, input);
    } catch (e) {
      const m = asTenderError(e);
      if (m?.err.code === 'DUPLICATE_TRADE_NO')
        throw new CinetpayRefusal(CP.TRANSACTION_EXIST, 'transaction_id was already used with different parameters');
      throw e;
    }
    return reply.send({
      code: CP.CREATED.code,
      message: CP.CREATED.message,
      description: 'TRANSACTION CREATED WITH SUCCESS',
      data: {
        payment_token: result.order.payCode,
        payment_url: paymentUrl(deps, result.order.payCode, result.extra.lang),
        // Only when Tender generated it: the merchant needs it to check the payment by transaction_id.
        ...(input.transactionId === null ? { transaction_id: result.transactionId } : {}),
      },
      api_response_id: req.id,
    });
  });

  app.post('/payment/check', async (req, reply) => {
    const b = withAliases(await parseBody(req));
    const s = await site(b);
    checkCheckBody(b);
    const str = (k: string) => (b[k] && b[k]!.type !== 'null' ? b[k]!.text.trim() : '');
    const transactionId = str('transaction_id');
    // CinetPay's docs name the check field payment_token; its SDKs send token. Both are read.
    const token = str('token') || str('payment_token');
    if (!transactionId && !token) requireFields(b, ['transaction_id']);
    const v = await checkCinetpayPayment(deps, s, transactionId ? { transactionId } : { token });
    const r = checkResult(v.order.status, v.order.remark);
    const final = v.order.status === 14 || v.order.status === 15;
    const paidAt = final ? cinetpayDate(v.order.completedAt) : '';
    return reply.send({
      code: r.cp.code,
      message: r.cp.message,
      data: {
        amount: formatMinor(v.order.amount, deps.assets.ledger(v.order.currency).exponent),
        currency: v.order.currency,
        status: r.status,
        payment_method: v.paymentMethod || null,
        description: v.extra.description,
        metadata: v.extra.metadata,
        operator_id: v.operatorId || null,
        payment_date: paidAt,
        fund_availability_date: v.order.status === 14 ? paidAt : '',
        // The docs' and the seed 002 SDK's check examples carry the paying number (mobile money only).
        phone_number: v.phone || null,
        phone_prefix: v.phonePrefix || null,
      },
      api_response_id: req.id,
    });
  });
}
