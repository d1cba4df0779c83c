// Schemas of the CinetPay dialect's answers: {code, message, [description], data, api_response_id}, with
// CinetPay's string codes (docs/cinetpay.md).
import { Type } from '@sinclair/typebox';
import { CP } from '../../domain/cinetpay.js';
import { DecimalString, TraceId } from '../contract/common.js';

const codes = (pick: (c: (typeof CP)[keyof typeof CP]) => boolean) =>
  [
    ...new Set(
      Object.values(CP)
        .filter(pick)
        .map((c) => c.code),
    ),
  ].map((c) => Type.Literal(c));
const messages = (pick: (c: (typeof CP)[keyof typeof CP]) => boolean) =>
  [
    ...new Set(
      Object.values(CP)
        .filter(pick)
        .map((c) => c.message),
    ),
  ].map((m) => Type.Literal(m));

const isCheckResult = (c: { code: string }) => ['00', '662', '623', '600', '602', '604', '627'].includes(c.code);

export const InitAnswer = Type.Object(
  {
    code: Type.Literal(CP.CREATED.code),
    message: Type.Literal(CP.CREATED.message),
    description: Type.String(),
    data: Type.Object({
      payment_token: Type.String({ description: 'token of the payment (also for check)' }),
      payment_url: Type.String({ description: 'the hosted payment page to send the customer to' }),
      transaction_id: Type.Optional(Type.String({ description: 'the generated id, when none was sent' })),
    }),
    api_response_id: TraceId,
  },
  { additionalProperties: false },
);

export const CheckAnswer = Type.Object(
  {
    code: Type.Union(codes(isCheckResult), { description: '00 paid, 662/623 waiting, others refused' }),
    message: Type.Union(messages(isCheckResult)),
    data: Type.Object({
      amount: DecimalString,
      currency: Type.String(),
      status: Type.Union([Type.Literal('ACCEPTED'), Type.Literal('REFUSED'), Type.Literal('WAITING_FOR_CUSTOMER')]),
      payment_method: Type.Union([Type.String(), Type.Null()]),
      description: Type.String(),
      metadata: Type.Union([Type.String(), Type.Object({}), Type.Null()]),
      operator_id: Type.Union([Type.String(), Type.Null()]),
      payment_date: Type.String({ description: 'YYYY-MM-DD HH:mm:ss once final, else empty' }),
      fund_availability_date: Type.String(),
    }),
    api_response_id: TraceId,
  },
  { additionalProperties: false },
);

/** Refusal: a CinetPay code, its name, what was wrong. */
export const CinetpayRefusal = Type.Object(
  {
    code: Type.Union(codes((c) => c.http !== 200)),
    message: Type.Union(messages((c) => c.http !== 200)),
    description: Type.String(),
    api_response_id: TraceId,
  },
  { additionalProperties: false, title: 'CinetpayRefusal' },
);
