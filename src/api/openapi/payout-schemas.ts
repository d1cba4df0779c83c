// POST /openapi/v1/withdraw (spec M1): its parameters (strings, as signed) and its answer (all strings).
import { Type } from '@sinclair/typebox';
import { Amount, CreateTime, MerchantTradeNo, UserId } from './schemas.js';
import { DecimalString } from '../contract/common.js';

const opt = (pattern: string, description: string) =>
  Type.Optional(Type.String({ pattern: `^(?:${pattern})?$`, description }));

export const WithdrawParams = Type.Object({
  merchantTradeNo: MerchantTradeNo,
  createTime: CreateTime,
  userId: UserId,
  cryptoCurrency: opt('[A-Za-z0-9_.-]{1,16}', 'cryptoCurrency must be 1-16 letters, digits or _ - .'),
  network: opt('[A-Za-z0-9_.()-]{1,32}', 'network must be a network name such as TRON(TRC-20)'),
  totalAmount: Amount,
  receivedAmount: Amount,
  // Any printable text: what is wrong with an address is the address check's to say, with its own code.
  toAddress: opt('[^\\s&=]{1,128}', 'toAddress must be 1-128 characters without spaces, & or ='),
  callbackURL: opt('\\S{1,2048}', 'callbackURL must be a URL without spaces'),
  callBackURL: opt('\\S{1,2048}', 'callBackURL must be a URL without spaces'),
});

const Str = (description: string) => Type.String({ description });

export const WithdrawData = Type.Object({
  merchantId: Type.String({ pattern: '^[0-9]+$', description: 'merchant id, a string' }),
  cryptoCurrency: Str('the paid-out currency'),
  orderAmount: DecimalString,
  receivedAmount: DecimalString,
  fee: DecimalString,
  merchantTradeNo: Str("the merchant's own payout number"),
  remark: Str('why the payout closed, empty otherwise'),
  extInfo: Str('extra information'),
  status: Type.String({ pattern: '^(?:0|11|14|15)$', description: 'payout status as a string' }),
  orderId: Str('Tender order id of the payout'),
  network: Str('§3 wire name of the network'),
  merchantUserId: Str("the merchant's user id"),
  createTime: Type.String({ pattern: '^[0-9]+$', description: 'creation time in ms, as a string' }),
});
