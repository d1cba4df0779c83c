// Schemas of the minimal dialect's answers (seed 003).
import { Type } from '@sinclair/typebox';
import { ERRORS } from '../../domain/errors.js';

export const StartPaymentAnswer = Type.Object(
  {
    code: Type.String({ description: 'payment code: the customer pays at /pay/<code>' }),
    message: Type.Literal('Payment started'),
    watch_code: Type.String({ description: 'code to watch the payment at /watch/<watch_code>' }),
  },
  { additionalProperties: false },
);

const WallTime = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$',
  description: 'UTC, YYYY-MM-DD HH:mm:ss',
});

export const WatchAnswer = Type.Object(
  {
    status: Type.Union([
      Type.Literal('created'),
      Type.Literal('completed'),
      Type.Literal('failed'),
      Type.Literal('expired'),
    ]),
    amount: Type.Union([Type.Number(), Type.String()], { description: 'the amount exactly as it was given' }),
    merchant: Type.String({ description: "the merchant's brand" }),
    created_at: WallTime,
    completed_at: Type.Union([WallTime, Type.Null()]),
  },
  { additionalProperties: false },
);

/** Refusal: `code` is the catalog code in lower case, or not_found for an unknown path. */
export const MinimalRefusal = Type.Object(
  {
    code: Type.Union(
      [...Object.keys(ERRORS).map((c) => c.toLowerCase()), 'not_found'].map((c) => Type.Literal(c)),
      { description: 'error code, lower case (docs/errors.md)' },
    ),
    message: Type.String(),
  },
  { additionalProperties: false, title: 'MinimalRefusal' },
);
