// Operator rate routes: bodies and answers (docs/rates-and-exchange.md).
import { Type } from '@sinclair/typebox';

const Code = (name: string) =>
  Type.String({ pattern: '^[A-Z0-9]{2,16}$', description: `${name} must be a currency code such as BTC` });

export const SetRateBody = Type.Object(
  {
    base: Code('base'),
    quote: Code('quote'),
    price: Type.String({
      pattern: '^(?:0|[1-9][0-9]{0,29})(?:\\.[0-9]{1,30})?$',
      description: 'price must be a decimal string: how many quote units 1 base costs',
    }),
  },
  { additionalProperties: false },
);

const Bps = (name: string) =>
  Type.Optional(
    Type.Union([Type.Integer({ minimum: 0, maximum: 10000 }), Type.Null()], {
      description: `${name} must be 0-10000 basis points, or null for the install's default`,
    }),
  );

export const MerchantRatesBody = Type.Object(
  { spreadBps: Bps('spreadBps'), exchangeFeeBps: Bps('exchangeFeeBps') },
  { additionalProperties: false },
);

export const OperatorRateAnswer = Type.Object({
  base: Type.String(),
  quote: Type.String(),
  price: Type.String({ description: '1 base costs price quote' }),
  setAt: Type.String({ description: 'ISO 8601 time the rate was set' }),
  fresh: Type.Boolean({ description: 'within TENDER_RATE_MAX_AGE_SECONDS now' }),
});

export const OperatorRatesAnswer = Type.Array(OperatorRateAnswer);

export const MerchantRatesAnswer = Type.Object({
  merchantId: Type.String(),
  spreadBps: Type.Integer(),
  exchangeFeeBps: Type.Integer(),
  ownSpread: Type.Boolean({ description: "false: the install's default applies" }),
  ownExchangeFee: Type.Boolean({ description: "false: the install's default applies" }),
});
