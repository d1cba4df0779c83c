// The minimal dialect (seed 003): start_payment, watch. Errors are {code: string, message} with 400/401/404.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { merchantBySecret } from '../../core/merchants.js';
import { createOrder, getOrder } from '../../core/orders.js';
import { findMerchant } from '../../store/merchants-repo.js';
import { TenderError, isTenderError, type ErrorKind } from '../../domain/errors.js';
import { topLevelRawFields } from '../../domain/raw-json.js';
import { parseDecimal } from '../../domain/money.js';
import type { Order } from '../../domain/order.js';
import { asTenderError } from '../envelope.js';
import { checker } from '../schema-check.js';
import { isBadText } from '../../domain/text.js';
import { StartPaymentFields } from './schemas.js';

const checkStartPayment = checker(StartPaymentFields);

const HTTP_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  auth: 401,
  forbidden: 400,
  not_found: 404,
  conflict: 409,
  state: 409,
  unavailable: 503,
  internal: 500,
};

const NUMBER = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
/** Integer digits an amount may have: far beyond any real payment, far below the database's numeric(78,0). */
const MAX_INTEGER_DIGITS = 20;
const MAX_IDEMPOTENCY_KEY = 64;

/** "YYYY-MM-DD HH:mm:ss" in UTC, as the seed shows. */
export function wallTime(d: Date | null): string | null {
  return d ? d.toISOString().slice(0, 19).replace('T', ' ') : null;
}

export function watchStatus(o: Order): 'created' | 'completed' | 'failed' | 'expired' {
  if (o.status === 14) return 'completed';
  if (o.status === 15) return o.remark === 'expired' ? 'expired' : 'failed';
  return 'created';
}

export async function minimalPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;

  app.setErrorHandler((e, req, reply) => {
    const mapped = asTenderError(e);
    if (!mapped) {
      req.log.error({ err: e }, 'minimal request failed');
      return reply.status(500).send({ code: 'internal', message: 'internal error' });
    }
    return reply
      .status(mapped.httpStatus ?? HTTP_BY_KIND[mapped.err.kind])
      .send({ code: mapped.err.code.toLowerCase(), message: mapped.err.message });
  });

  // The body is JSON whatever the Content-Type says: `curl -d '{...}'` sends form-urlencoded, some HTTP
  // clients send text/plain. Parsers are encapsulated, so this only affects the minimal dialect's routes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post('/api/start_payment', async (req, reply) => {
    if (typeof req.body !== 'string' || req.body.trim() === '')
      throw new TenderError('MALFORMED_BODY', 'send a JSON object body: {"merchant_secret": "...", "amount": 1000}');
    const body = topLevelRawFields(req.body);
    const merchant = await merchantBySecret(deps, body.merchant_secret);
    checkStartPayment(body);
    const plain = body.amount;
    if (plain === undefined || plain === '') throw new TenderError('MISSING_PARAM', 'amount is required');
    if (!NUMBER.test(plain)) throw new TenderError('INVALID_PARAM', 'amount must be a positive number');
    if (plain.split('.')[0]!.length > MAX_INTEGER_DIGITS) throw new TenderError('INVALID_PARAM', 'amount is too large');
    const currency = (body.currency || merchant.default_currency).trim().toUpperCase();
    const asset = deps.assets.ledger(currency);
    const amount = parseDecimal(plain, asset.exponent, 'amount');
    if (amount === 0n) throw new TenderError('INVALID_PARAM', 'amount must be a positive number');
    // Seed 003 has no idempotency key; an Idempotency-Key header makes retries safe when a merchant sends one.
    const idem = req.headers['idempotency-key'];
    if (Array.isArray(idem)) throw new TenderError('INVALID_PARAM', 'send one Idempotency-Key header');
    const key = idem !== undefined && idem !== '' ? idem : undefined;
    if (key !== undefined && key.length > MAX_IDEMPOTENCY_KEY)
      throw new TenderError('INVALID_PARAM', `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY} characters`);
    // Header values may carry obs-text (Latin-1), C1 controls included: the text rule applies to them too.
    if (key !== undefined && isBadText(key, true))
      throw new TenderError('INVALID_PARAM', 'Idempotency-Key has control characters');
    let order: Order;
    try {
      ({ order } = await createOrder(deps, merchant, {
        dialect: 'minimal',
        merchantTradeNo: key ? `idem:${key}` : `min:${deps.ids.token(12)}`,
        userId: null,
        currency,
        amount,
        amountText: isJsonNumber(req.body, 'amount') ? plain : JSON.stringify(plain),
        fingerprint: { amount: amount.toString(), currency },
      }));
    } catch (e) {
      if (isTenderError(e) && e.code === 'DUPLICATE_TRADE_NO')
        throw new TenderError(
          'DUPLICATE_TRADE_NO',
          'Idempotency-Key was already used with a different amount or currency',
        );
      throw e;
    }
    return reply.send({ code: order.payCode, message: 'Payment started', watch_code: order.watchCode });
  });

  // A wildcard rather than `:watchCode`: the router answers over-long parameters with its own 414, and
  // an unknown code of any length is simply not found.
  app.get<{ Params: { '*': string } }>('/watch/*', async (req, reply) => {
    const watchCode = req.params['*'];
    if (watchCode === '' || watchCode.includes('/') || watchCode.length > 200)
      throw new TenderError('ORDER_NOT_FOUND', 'unknown watch code');
    const order = await getOrder(deps, { by: 'watchCode', watchCode });
    const merchant = await findMerchant(deps.db, order.merchantId);
    // amount is echoed exactly as it was given (raw JSON text), so the body is assembled by hand.
    const completedAt = order.status === 14 ? wallTime(order.completedAt) : null;
    const body =
      `{"status":${JSON.stringify(watchStatus(order))},"amount":${jsonAmount(order.amountText)},` +
      `"merchant":${JSON.stringify(merchant!.brand)},"created_at":${JSON.stringify(wallTime(order.createdAt))},` +
      `"completed_at":${JSON.stringify(completedAt)}}`;
    return reply.type('application/json; charset=utf-8').send(body);
  });
}

/** The stored raw JSON text of the amount; orders of other dialects may hold plain text, sent as a string. */
function jsonAmount(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}

function isJsonNumber(text: string, field: string): boolean {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return typeof parsed[field] === 'number';
}
