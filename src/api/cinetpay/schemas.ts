// Schemas of the CinetPay dialect's request bodies: the server checks bodies with these (schema-check.ts) and
// the contract publishes them, so the two cannot drift. Each field names in `x-cinetpay` the CinetPay refusal
// (docs/cinetpay.md) a value breaking its schema gets; rules across fields (amount per currency, card
// customer fields) stay in validate.ts. Schemas see values trimmed, with null and blank values absent.
import { type TSchema, Type } from '@sinclair/typebox';

export const CURRENCIES = ['XOF', 'XAF', 'CDF', 'GNF', 'USD'] as const;
export const CHANNELS = ['ALL', 'MOBILE_MONEY', 'CREDIT_CARD', 'WALLET'] as const;
export const CARD_CUSTOMER_FIELDS = [
  'customer_name',
  'customer_surname',
  'customer_email',
  'customer_phone_number',
  'customer_address',
  'customer_city',
  'customer_country',
  'customer_state',
  'customer_zip_code',
] as const;
export const CUSTOMER_FIELDS = ['customer_id', ...CARD_CUSTOMER_FIELDS] as const;

/** A CinetPay message (a key of CP in src/domain/cinetpay.ts) a field's violations are refused with. */
type Refusal = 'INVALID_PARAMETER' | `ERROR_${string}`;

/** `word` in any letter case, as a regular expression (CinetPay reads `xof`, `Fr`, `mobile_money`). */
const anyCase = (word: string) => word.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
const oneOf = (words: readonly string[]) => `(?:${words.map(anyCase).join('|')})`;
const CHANNEL = oneOf(CHANNELS);

/** A field: its schema, the doc line (also the refusal's description) and the refusal code. */
const field = <T extends TSchema>(schema: T, description: string, refusal: Refusal = 'INVALID_PARAMETER') =>
  ({ ...schema, description, 'x-cinetpay': refusal }) as T; // the spread keeps TypeBox's Kind symbol
/** An optional field: JSON null is accepted as "not sent" (the docs' PHP and JS examples send it so). */
const optional = <T extends TSchema>(schema: T, description: string, refusal?: Refusal) =>
  Type.Optional(field(Type.Union([schema, Type.Null()]), description, refusal));
/** Single-line text; integrations send ids and phone numbers as JSON numbers too. */
const Text = (maxLength = 255) => Type.Union([Type.String({ maxLength }), Type.Number()]);
const Url = Text(2048);

const Credentials = {
  apikey: field(Text(), 'the apikey of the site'),
  site_id: field(Type.Union([Type.String({ maxLength: 32 }), Type.Integer()]), 'the site id'),
};

/** apikey and site_id, checked before the site is authenticated. */
export const CredentialsBody = Type.Object(Credentials);

/** POST /v2/payment, as JSON, form (application/x-www-form-urlencoded) or multipart form data. */
export const InitBody = Type.Object(
  {
    ...Credentials,
    transaction_id: optional(Text(100), 'your unique payment id; when missing Tender generates one, returned in data'),
    amount: field(
      Type.Union([
        Type.Number({ minimum: 0, exclusiveMaximum: 1e15 }),
        Type.String({ pattern: '^[0-9]{1,15}(?:\\.[0-9]+)?$' }),
      ]),
      'amount in major units, a number or a decimal string: an integer (USD: up to 2 decimals), a multiple of 5 ' +
        'except in USD, at least 100 XOF/XAF, 400 CDF, 1000 GNF, 0.2 USD',
      'ERROR_AMOUNT_TYPE',
    ),
    currency: field(
      Type.String({ pattern: `^${oneOf(CURRENCIES)}$` }),
      `one of ${CURRENCIES.join(', ')}`,
      'ERROR_CURRENCY_NOTVALID',
    ),
    description: field(
      Type.Union([Type.String({ maxLength: 255, pattern: '^[^#/$_&]*$' }), Type.Number()]),
      'what is paid, at most 255 characters, none of # / $ _ &',
      'ERROR_DESCRIPTION_CHARACTERS',
    ),
    notify_url: field(
      Url,
      'absolute http(s) URL Tender notifies (POST form) when the payment is final',
      'ERROR_URL_NOTVALID',
    ),
    return_url: field(Url, 'absolute http(s) URL the customer returns to', 'ERROR_URL_NOTVALID'),
    'notify_url:': optional(Url, 'alias of notify_url (the seed 002 SDK spells it so)', 'ERROR_URL_NOTVALID'),
    'return_url:': optional(Url, 'alias of return_url (the seed 002 SDK spells it so)', 'ERROR_URL_NOTVALID'),
    'customer_name:': optional(Text(), 'alias of customer_name (the seed 002 SDK spells it so)'),
    'customer_surname:': optional(Text(), 'alias of customer_surname (the seed 002 SDK spells it so)'),
    channels: optional(
      Type.String({ pattern: `^[\\s,]*${CHANNEL}(?:\\s*,[\\s,]*${CHANNEL})*[\\s,]*$` }),
      `comma-separated, of ${CHANNELS.join(', ')}; default ALL`,
      'ERROR_CHANNELS_NOTVALID',
    ),
    lang: optional(Type.String({ pattern: `^${oneOf(['fr', 'en'])}$` }), 'fr (default) or en', 'ERROR_LANG_NOTVALID'),
    metadata: Type.Optional(
      field(Type.Unknown(), 'any value, at most 4096 characters as text; check gives it back as sent'),
    ),
    invoice_data: optional(
      Type.Record(Type.String({ pattern: '^.{0,50}$' }), Type.Union([Type.String({ maxLength: 255 }), Type.Number()]), {
        additionalProperties: false,
        maxProperties: 3,
      }),
      'up to 3 label (50 characters) / value (255) pairs shown on the payment page',
      'ERROR_INVOICE_DATA',
    ),
    lock_phone_number: optional(
      Type.Union([Type.Boolean(), Type.String({ pattern: `^${oneOf(['true', 'false'])}$` })]),
      'true: the customer cannot edit customer_phone_number (then required)',
    ),
    ...Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, optional(Text(), `${f} (required for CREDIT_CARD)`)])),
    customer_email: optional(Type.String({ maxLength: 255, pattern: '^[^\\s@]+@[^\\s@]+$' }), 'an email address'),
    customer_country: optional(Type.String({ pattern: '^[A-Za-z]{2}$' }), 'ISO 3166-1 alpha-2 code'),
  },
  { description: 'Values are read trimmed; null and blank values count as not sent; other keys are ignored.' },
);

/** POST /v2/payment/check: one of transaction_id or token (payment_token, as CinetPay's docs name it). */
export const CheckBody = Type.Object(
  {
    ...Credentials,
    transaction_id: optional(Text(100), 'your payment id'),
    token: optional(Text(), 'the payment_token of the init answer'),
    payment_token: optional(Text(), 'alias of token'),
  },
  { description: 'Values are read trimmed; null and blank values count as not sent; other keys are ignored.' },
);
