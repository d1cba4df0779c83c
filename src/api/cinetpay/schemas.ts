// Schemas of the CinetPay dialect's request bodies, for the contract. The dialect still checks bodies in
// validate.ts, field by field and with CinetPay's own codes; these say the same in JSON Schema so
// merchants read it in the OpenAPI document (shared/spec/cinetpay.md and its "Compatibility" lines).
import { Type } from '@sinclair/typebox';
import { CHANNELS, CURRENCIES, CUSTOMER_FIELDS } from './validate.js';

const Str = (description: string, maxLength = 255) => Type.String({ description, maxLength });
const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) =>
  Type.Optional(Type.Union([s, Type.Null()], { description: s.description }));

const Credentials = {
  apikey: Str('the apikey of the site'),
  site_id: Type.Union([Type.String({ maxLength: 32 }), Type.Integer()], { description: 'the site id' }),
};

/** POST /v2/payment, as JSON, form (application/x-www-form-urlencoded) or multipart form data. */
export const InitBody = Type.Object({
  ...Credentials,
  transaction_id: Type.Optional(
    Str('your unique payment id; when missing Tender generates one and returns it in data', 100),
  ),
  amount: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]{1,15}(?:\\.[0-9]+)?$' })], {
    description: 'amount in major units, a number or a decimal string (multiple of 5 for XOF/XAF)',
  }),
  currency: Type.Union(
    CURRENCIES.map((c) => Type.Literal(c)),
    { description: 'currency' },
  ),
  description: Str('what is paid; no # / $ _ &'),
  notify_url: Str('URL Tender notifies (POST form) when the payment is final', 2048),
  return_url: Str('URL the customer returns to', 2048),
  'notify_url:': Type.Optional(Str('alias of notify_url (the seed 002 SDK spells it so)', 2048)),
  'return_url:': Type.Optional(Str('alias of return_url (the seed 002 SDK spells it so)', 2048)),
  'customer_name:': Type.Optional(Str('alias of customer_name (the seed 002 SDK spells it so)')),
  'customer_surname:': Type.Optional(Str('alias of customer_surname (the seed 002 SDK spells it so)')),
  channels: Type.Optional(Str(`comma-separated, of ${CHANNELS.join(', ')}; default ALL`)),
  lang: Nullable(Type.String({ description: 'fr (default) or en' })),
  metadata: Type.Optional(
    Type.Union([Type.String(), Type.Object({}), Type.Null()], { description: 'anything, given back by check' }),
  ),
  invoice_data: Type.Optional(
    Type.Union([Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])), Type.Null()], {
      description: 'up to 3 label/value pairs shown on the payment page',
    }),
  ),
  lock_phone_number: Type.Optional(
    Type.Union([Type.Boolean(), Type.String(), Type.Null()], { description: 'true: the customer cannot edit it' }),
  ),
  ...Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, Nullable(Type.String({ description: f }))])),
});

/** POST /v2/payment/check: one of transaction_id or token. */
export const CheckBody = Type.Object({
  ...Credentials,
  transaction_id: Type.Optional(Str('your payment id', 100)),
  token: Type.Optional(Str('the payment_token of the init answer')),
});
