// createFiatPayoutOrder (seed 001 §5, shared/spec M2) for the contract: its parameters and its answer's data.
// The parameter schema only describes and bounds; the fields whose failures have their own catalog codes
// (payoutChannel, accountType, toAccount, amount, currency, country, accountCode, extInfo) carry no pattern
// here, so that src/domain/fiat-payout-request.ts, run after this check, answers the specific code
// (docs/pix-payouts.md) instead of a generic INVALID_PARAM.
import { Type } from '@sinclair/typebox';
import { CreateTime, MerchantTradeNo, UserId } from './schemas.js';

const described = (description: string) => Type.Optional(Type.String({ description }));

export const FiatPayoutParams = Type.Object({
  merchantTradeNo: MerchantTradeNo,
  createTime: CreateTime,
  userId: UserId,
  payoutChannel: described('1 Pix, 2 bank card'),
  amount: described("what the user receives: a decimal string with at most the currency's decimals (BRL 2), > 0"),
  currency: described('ISO 4217; BRL for Pix'),
  country: described('ISO 3166-1 alpha-3; BRA for Pix'),
  accountType: described('Pix key kind: 1 CPF/CNPJ, 2 e-mail, 3 phone (+55), 4 random key; ignored for cards'),
  toAccount: described('the Pix key for accountType, or the card number (channel 2); up to 128 characters'),
  accountCode: described('bank code for channel 2 (COMPE, ISPB or BIC); ignored for Pix'),
  callbackURL: described('webhook URL for this payout (callBackURL is the same), up to 256 characters'),
  callBackURL: described('webhook URL for this payout, up to 256 characters'),
  successURL: described('up to 256 characters'),
  failURL: described('up to 256 characters'),
  remark: described('up to 256 characters'),
  extInfo: described('a JSON object as text, up to 256 characters'),
});

const Str = (description: string) => Type.String({ description });
const Amount = (description: string) =>
  Type.String({ pattern: '^(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$', description: `${description}, a decimal string` });

/** §5's answer: every field a string, status "11" at acceptance (the seed's example). */
export const FiatPayoutData = Type.Object({
  merchantId: Type.String({ pattern: '^[0-9]+$', description: 'merchant id, a string (§5)' }),
  merchantUserId: Str("the merchant's user id"),
  merchantTradeNo: Str("the merchant's own payout number"),
  currency: Str('ISO 4217 currency of the payout'),
  orderAmount: Amount('amount + fee, held from the balance'),
  receivedAmount: Amount('what the user receives'),
  status: Type.String({ pattern: '^(?:0|11|14|15)$', description: '"11" at acceptance, then "14" or "15"' }),
  orderId: Str('Tender order id'),
  fee: Amount('the payout fee'),
  remark: Str('as sent, or why the payout closed'),
  createTime: Type.String({ pattern: '^[0-9]+$', description: 'milliseconds since the epoch, as a string' }),
});
