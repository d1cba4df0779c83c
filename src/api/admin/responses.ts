// Schemas of the operator API's answers (docs/errors.md for the refusal codes).
import { Type } from '@sinclair/typebox';
import { ERRORS } from '../../domain/errors.js';
import { TraceId } from '../contract/common.js';
import { OrderDetailData } from '../openapi/responses.js';

const Str = (description: string) => Type.String({ description });
const Format = Type.Union([Type.Literal('cpay'), Type.Literal('cpay-legacy')], { description: 'webhook format' });
const Iso = Type.String({ format: 'date-time', description: 'ISO 8601 time' });

export const MerchantCredentialsAnswer = Type.Object({
  merchantId: Type.Integer(),
  username: Str('back-office user name'),
  password: Str('back-office password, shown once'),
  securityKey: Str('openapi signing key, shown once'),
  merchantSecret: Str('minimal dialect secret, shown once'),
  apikey: Str('CinetPay apikey of the first site, shown once'),
  siteId: Str('CinetPay site id'),
  notifySecret: Str('CinetPay notification secret, shown once'),
});

export const MerchantAnswer = Type.Object({
  merchantId: Type.Integer(),
  brand: Str('brand shown to customers'),
  company: Str('legal name'),
  website: Str('website'),
  email: Str('contact e-mail'),
  username: Str('back-office user name'),
  callbackUrl: Type.Union([Type.String(), Type.Null()], { description: 'default webhook URL' }),
  webhookFormat: Format,
  feeBps: Type.Integer({ description: 'fee in basis points' }),
  defaultCurrency: Str('currency of the minimal dialect when none is given'),
  allowedHosts: Type.Array(Type.String(), { description: 'redirect hosts allowed besides the website' }),
  keyVersion: Type.Integer(),
  suspended: Type.Boolean({ description: 'suspended by an operator: every API request is refused' }),
  suspendedAt: Type.Union([Iso, Type.Null()]),
  suspendedReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Iso,
});

export const RotatedKeyAnswer = Type.Object({ merchantId: Type.Integer(), securityKey: Str('the new key') });

export const RotatedCinetpayAnswer = Type.Object({
  merchantId: Type.Integer(),
  siteId: Str('site id'),
  apikey: Str('the new apikey'),
  notifySecret: Str('the new notification secret'),
});

export const AdminOrderAnswer = Type.Object({
  order: OrderDetailData,
  events: Type.Array(
    Type.Object({
      from_status: Type.Union([Type.Integer(), Type.Null()]),
      to_status: Type.Integer(),
      reason: Type.String(),
      at: Iso,
    }),
  ),
  webhooks: Type.Array(
    Type.Object({
      id: Str('delivery id'),
      orderStatus: Type.Integer(),
      format: Type.Union([Format, Type.Literal('cinetpay')]),
      url: Type.Union([Type.String(), Type.Null()]),
      state: Type.Union(['pending', 'delivered', 'failed', 'no_url'].map((s) => Type.Literal(s))),
      attempts: Type.Array(
        Type.Object({
          attempt_no: Type.Integer(),
          http_status: Type.Union([Type.Integer(), Type.Null()]),
          ok: Type.Boolean(),
          error: Type.Union([Type.String(), Type.Null()]),
          response_body: Type.Union([Type.String(), Type.Null()]),
          duration_ms: Type.Integer(),
          started_at: Iso,
        }),
      ),
    }),
  ),
});

export const DepositAddressesAnswer = Type.Array(
  Type.Object({
    family: Type.Union([Type.Literal('evm'), Type.Literal('tron'), Type.Literal('bitcoin')]),
    derivationPath: Str('BIP-32 path'),
    index: Type.Integer(),
    address: Str('address'),
    merchantId: Type.Integer(),
    purpose: Type.Union([Type.Literal('user'), Type.Literal('order')]),
    userId: Type.Union([Type.String(), Type.Null()]),
    orderId: Type.Union([Type.String(), Type.Null()]),
    balances: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Object({ network: Type.String(), currency: Type.String(), balance: Type.String() }),
          Type.Object({ network: Type.String(), error: Type.String() }),
        ]),
      ),
    ),
  }),
);

export const ResendAnswer = Type.Object({ deliveryId: Str('id of the new delivery') }, { additionalProperties: false });

/** Refusal: `error` is the catalog code (or NOT_FOUND for an unknown path). */
export const AdminRefusal = Type.Object(
  {
    error: Type.Union(
      [...Object.keys(ERRORS), 'NOT_FOUND'].map((c) => Type.Literal(c)),
      { description: 'error code (docs/errors.md)' },
    ),
    message: Type.String(),
    traceid: TraceId,
  },
  { additionalProperties: false, title: 'AdminRefusal' },
);
