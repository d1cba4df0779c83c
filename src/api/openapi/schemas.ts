// Schemas of the openapi parameters as collected by params.ts (query, form and JSON alike, every value
// the exact string the merchant sent and signed). They only judge; they never coerce, because the
// signature covers the raw values. Empty values pass here: an empty optional parameter means "not given"
// and a missing mandatory one is reported by `required` as MISSING_PARAM, as the seed's clients expect.
// Identifiers have a strict charset: the signature's canonical string joins `k=v` pairs with `&`, so an
// identifier holding `&` or `=` could make two different parameter sets sign the same text.
import { Type } from '@sinclair/typebox';

const opt = (pattern: string, description: string) =>
  Type.Optional(Type.String({ pattern: `^(?:${pattern})?$`, description }));

const ID = '[A-Za-z0-9_.:-]';
export const TRADE_NO_RULE = 'merchantTradeNo must be 1-64 letters, digits or _ - . : (no spaces)';

export const MerchantTradeNo = opt(`${ID}{1,64}`, TRADE_NO_RULE);
/** Milliseconds (the text), seconds or yyyyMMddHHmmss (shared/spec "createTime units"): digits only. */
export const CreateTime = opt(
  '[0-9]{1,15}',
  'createTime must be milliseconds or seconds since the epoch, or yyyyMMddHHmmss (UTC)',
);
/** User ids are the merchant's own (any script), never with separators of the signed text or spaces. */
export const UserId = opt('[^\\s&=]{1,64}', 'userId must be 1-64 characters without spaces, & or =');
/** At most 30 integer digits: far beyond any payment, far below PostgreSQL's numeric(78,0). */
export const Amount = opt(
  '(?:0|[1-9][0-9]{0,29})(?:\\.[0-9]{1,30})?',
  'amount must be a plain decimal number with at most 30 integer digits',
);
const Code = (name: string, max: number) =>
  opt(`[A-Za-z0-9_.-]{1,${max}}`, `${name} must be 1-${max} letters, digits or _ - .`);
const Url = (name: string) => opt('\\S{1,2048}', `${name} must be a URL without spaces`);

export const CreateOrderParams = Type.Object({
  merchantTradeNo: MerchantTradeNo,
  createTime: CreateTime,
  userId: UserId,
  amount: Amount,
  cryptoCurrency: Code('cryptoCurrency', 16),
  // §3 wire names such as "TRON(TRC-20)" carry parentheses.
  network: opt('[A-Za-z0-9_.()-]{1,32}', 'network must be a network name such as TRON(TRC-20)'),
  callbackURL: Url('callbackURL'),
  callBackURL: Url('callBackURL'),
  successURL: Url('successURL'),
  failURL: Url('failURL'),
});

export const GetOrderDetailParams = Type.Object({
  merchantTradeNo: MerchantTradeNo,
  cpayOrderId: opt(`${ID}{1,64}`, 'cpayOrderId must be 1-64 letters, digits or _ - . :'),
  hash: opt(`${ID}{1,128}`, 'hash must be 1-128 letters, digits or _ - . :'),
  createTime: CreateTime,
});

export const GetWalletAddressParams = Type.Object({ userId: UserId, createTime: CreateTime });

export const GetMerchantBalanceParams = Type.Object({ createTime: CreateTime });
