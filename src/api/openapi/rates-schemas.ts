// Parameters and answers of getExchangeRate (§7), getExchangeRateForCreditCard (§8) and exchange (§10).
// Like schemas.ts, parameters only judge strings as sent (they are signed verbatim); the routes' own checks
// give purchaseType, amounts and pairs their specific codes.
import { Type } from '@sinclair/typebox';
import { DecimalString } from '../contract/common.js';
import { Amount, CreateTime, MerchantTradeNo, UserId } from './schemas.js';

const opt = (pattern: string, description: string) =>
  Type.Optional(Type.String({ pattern: `^(?:${pattern})?$`, description }));
const Currency = (name: string) =>
  opt('[A-Za-z0-9_.-]{1,16}', `${name} must be a currency code of 1-16 letters, digits or _ - .`);

export const ExchangeRateParams = Type.Object({
  sourceCurrency: Currency('sourceCurrency'),
  targetCurrency: Currency('targetCurrency'),
  // Any short token reaches the route, which answers INVALID_PURCHASE_TYPE for values other than 0 and 1.
  purchaseType: opt('[^\\s&=]{1,16}', 'purchaseType must be 0 (by source amount) or 1 (by target amount)'),
  amount: Amount,
  createTime: CreateTime,
});

export const ExchangeParams = Type.Object({
  userId: UserId,
  merchantTradeNo: MerchantTradeNo,
  createTime: CreateTime,
  sourceCurrency: Currency('sourceCurrency'),
  sourceAmount: Amount,
  targetCurrency: Currency('targetCurrency'),
});

const Decimal = (description: string) => Type.String({ pattern: DecimalString.pattern, description });

const RateString = Type.String({
  pattern: '^(?:0|[1-9][0-9]*)\\.[0-9]{6,18}$',
  description: 'units of sourceCurrency per 1 targetCurrency, at least 6 decimals, e.g. "40000.000000"',
});

export const ExchangeRateData = Type.Object({ exchangeRate: RateString }, { additionalProperties: false });

export const CardExchangeRateData = Type.Object(
  {
    exchangeRate: RateString,
    amountExchanged: Decimal(
      'purchaseType 0: target currency bought (rounded down); 1: source currency needed (rounded up)',
    ),
  },
  { additionalProperties: false },
);

export const ExchangeData = Type.Object(
  {
    targetCurrency: Type.String({ description: 'the currency received' }),
    targetAmount: Decimal('credited to the target balance, after the fee'),
    exchangeRate: RateString,
    fee: Decimal('fee, in the target currency'),
  },
  { additionalProperties: false },
);
