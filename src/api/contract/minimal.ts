// The minimal dialect (seed 003) as a contract.
import { Type } from '@sinclair/typebox';
import { StartPaymentFields } from '../minimal/schemas.js';
import { MinimalRefusal, StartPaymentAnswer, WatchAnswer } from '../minimal/responses.js';
import type { Answer, DialectContract } from './types.js';

const JSON_TYPE = 'application/json';
const refusal = (description: string): Answer => ({ description, contentType: JSON_TYPE, schema: MinimalRefusal });

/** The body as merchants send it: amount a number or a decimal string (StartPaymentFields holds the rest). */
const StartPaymentBody = Type.Composite([
  Type.Object({
    amount: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: '^[0-9]+(?:\\.[0-9]+)?$' })], {
      description: 'amount in major units, echoed as given by watch',
    }),
  }),
  StartPaymentFields,
]);

export const minimalContract: DialectContract = {
  name: 'minimal',
  title: 'Tender: minimal dialect',
  description: 'The minimal gateway of seed 003: start a payment with the merchant secret, then watch it.',
  routes: [
    {
      method: 'POST',
      route: '/api/start_payment',
      path: '/api/start_payment',
      summary: 'Start a payment',
      description: 'The body is read as JSON whatever its Content-Type. An Idempotency-Key header makes retries safe.',
      body: { 'application/json': StartPaymentBody },
      answers: {
        '200': { description: 'the payment started', contentType: JSON_TYPE, schema: StartPaymentAnswer },
        '400': refusal('invalid input'),
        '401': refusal('bad merchant_secret, or merchant_suspended'),
        '409': refusal('Idempotency-Key reused with other values'),
      },
    },
    {
      method: 'GET',
      route: '/watch/*',
      path: '/watch/{watchCode}',
      summary: 'Watch a payment',
      params: Type.Object({ watchCode: Type.String({ description: 'watch_code of start_payment' }) }),
      answers: {
        '200': { description: 'the payment now', contentType: JSON_TYPE, schema: WatchAnswer },
        '404': refusal('unknown watch code'),
      },
    },
  ],
  common: {
    '400': refusal('the URL could not be read'),
    '404': refusal('no such route (not_found)'),
    '413': refusal('request body too large'),
    '414': refusal('a path segment too long'),
    '500': refusal('internal error'),
    '503': refusal('the database is briefly unreachable: retry'),
  },
};
