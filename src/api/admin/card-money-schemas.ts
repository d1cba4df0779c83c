// Schemas of the operator card money API (issue 13 part 3): refunds, chargebacks and the reserve of a card order.
import { Type } from '@sinclair/typebox';

const Str = (description: string) => Type.String({ description });
const Key = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', description });

export const CardOrderParams = Type.Object({
  orderId: Type.String({
    pattern: '^[A-Za-z0-9_.:-]{1,64}$',
    description: 'order id must be 1-64 letters, digits or _ . : -',
  }),
});

export const RefundBody = Type.Object(
  {
    amount: Str('decimal amount in the order currency, e.g. "5.00"; at most what is left of the capture'),
    refundKey: Key('idempotency key, unique per merchant: the same key answers the same refund'),
    reason: Type.Optional(Type.String({ maxLength: 200, description: 'free text, at most 200 characters' })),
  },
  { additionalProperties: false },
);

export const ChargebackBody = Type.Object(
  {
    amount: Str('decimal amount in the order currency'),
    caseId: Key("the acquirer's case reference: one chargeback per case per order"),
    reason: Type.Optional(Type.String({ maxLength: 200, description: 'reason code or text from the notice' })),
  },
  { additionalProperties: false },
);

const Stamp = Str('ISO 8601 UTC');

export const RefundAnswer = Type.Object(
  {
    refundId: Str('Tender refund id (rf_…), also the idempotency key sent to the acquirer'),
    orderId: Str('the card order'),
    refundKey: Str('the caller key'),
    state: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')], {
      description: 'pending: held, the acquirer has not answered yet (retried by the worker)',
    }),
    currency: Str('order currency'),
    amount: Str('decimal amount'),
    reason: Str('free text'),
    failure: Type.Union([Type.String(), Type.Null()], { description: "the acquirer's refusal, when failed" }),
    requestedBy: Str('merchant, operator:<id>, admin-token or cli'),
    createdAt: Stamp,
    updatedAt: Stamp,
  },
  { additionalProperties: false, title: 'CardRefund' },
);

export const ChargebackAnswer = Type.Object(
  {
    chargebackId: Str('Tender chargeback id (cb_…)'),
    orderId: Str('the card order'),
    caseId: Str("the acquirer's case reference"),
    state: Type.Literal('recorded'),
    currency: Str('order currency'),
    amount: Str('decimal amount'),
    fromReserve: Str("taken from the order's unreleased reserve (frozen)"),
    fromAvailable: Str("taken from the merchant's available balance"),
    reason: Str('reason'),
    recordedBy: Str('operator:<id>, admin-token or cli'),
    createdAt: Stamp,
  },
  { additionalProperties: false, title: 'CardChargeback' },
);

export const CardMoneyAnswer = Type.Object(
  {
    orderId: Str('the card order'),
    currency: Str('order currency'),
    captured: Str('the captured order amount'),
    refunded: Str('succeeded refunds'),
    refundPending: Str('refunds accepted, the acquirer not yet answered'),
    chargedBack: Str('recorded chargebacks'),
    refundable: Str('what a refund or chargeback may still take'),
    reserve: Type.Union(
      [
        Type.Object({
          amount: Str('the reserve (pledgeAmount)'),
          chargedBack: Str('taken by chargebacks before release'),
          releaseAt: Stamp,
          releasedAt: Type.Union([Type.String(), Type.Null()]),
        }),
        Type.Null(),
      ],
      { description: 'null when the order has no reserve' },
    ),
    refunds: Type.Array(RefundAnswer),
    chargebacks: Type.Array(ChargebackAnswer),
  },
  { additionalProperties: false, title: 'CardMoney' },
);
