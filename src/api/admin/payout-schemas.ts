// Schemas of the operator payout API (issue 11): pending payouts, decisions, hot wallet balances.
import { Type } from '@sinclair/typebox';

const Str = (description: string) => Type.String({ description });

export const PayoutIdParams = Type.Object({
  orderId: Type.String({
    pattern: '^[A-Za-z0-9_.:-]{1,64}$',
    description: 'order id must be 1-64 letters, digits or _ . : -',
  }),
});

export const PendingPayoutsAnswer = Type.Array(
  Type.Object({
    orderId: Str('the payout order id'),
    merchantId: Str('merchant id'),
    merchantTradeNo: Str("the merchant's payout number"),
    status: Type.Integer({ description: 'order status 0/11' }),
    stage: Type.Union([Type.Literal('approval'), Type.Literal('ready'), Type.Literal('in_flight')]),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'why it waits (awaiting_approval, ...)' }),
    currency: Str('currency'),
    network: Str('network key'),
    total: Str('totalAmount, ledger minor units'),
    toAddress: Str('destination'),
    approvalsNeeded: Type.Integer(),
    approvedBy: Type.Array(Type.String(), { description: 'operators who approved' }),
  }),
);

export const DecisionAnswer = Type.Object({
  orderId: Str('the payout order id'),
  stage: Type.Union([
    Type.Literal('approval'),
    Type.Literal('ready'),
    Type.Literal('in_flight'),
    Type.Literal('closed'),
  ]),
  approvedBy: Type.Array(Type.String()),
  changed: Type.Boolean({ description: 'false for a repeated or late approval' }),
});

export const HotWalletsAnswer = Type.Array(
  Type.Object({
    network: Str('wire name'),
    rail: Str('payout rail id'),
    address: Str('hot wallet address to fund'),
    asset: Str('asset'),
    balance: Str('spendable balance (major units)'),
    inFlight: Str('committed to unconfirmed payouts (major units)'),
    error: Type.Optional(Str('why the balance could not be read')),
  }),
);
