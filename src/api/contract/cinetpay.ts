// The CinetPay dialect (seed 002, /v2) as a contract.
import { CheckBody, InitBody } from '../cinetpay/schemas.js';
import { CheckAnswer, CinetpayRefusal, InitAnswer } from '../cinetpay/responses.js';
import type { Answer, DialectContract } from './types.js';

const JSON_TYPE = 'application/json';
const refusal = (description: string): Answer => ({ description, contentType: JSON_TYPE, schema: CinetpayRefusal });
const bodies = <T>(schema: T) => ({
  'application/json': schema,
  'application/x-www-form-urlencoded': schema,
  'multipart/form-data': schema,
});
const refusals = {
  '400': refusal('608 MINIMUM_REQUIRED_FIELDS or 624 and its variants (see description)'),
  '401': refusal('609 AUTH_NOT_FOUND (apikey) or 613 ERROR_SITE_ID_NOTVALID'),
  '403': refusal("403 MERCHANT_SUSPENDED: the site's merchant is suspended by the operator"),
};

export const cinetpayContract: DialectContract = {
  name: 'cinetpay',
  title: 'Tender: CinetPay v2 dialect',
  description:
    "CinetPay's payment API (seed 002): initialise a payment, send the customer to payment_url, then check it. " +
    'Answers {code, message, description, data, api_response_id} with CinetPay string codes (docs/cinetpay.md).',
  routes: [
    {
      method: 'POST',
      route: '/v2/payment',
      path: '/v2/payment',
      summary: 'Initialise a payment',
      body: bodies(InitBody),
      answers: {
        '200': { description: '201 CREATED', contentType: JSON_TYPE, schema: InitAnswer },
        ...refusals,
      },
    },
    {
      method: 'POST',
      route: '/v2/payment/check',
      path: '/v2/payment/check',
      summary: 'Check a payment',
      body: bodies(CheckBody),
      answers: {
        '200': {
          description: '00 paid, 662/623 waiting, 600/602/604/627 refused',
          contentType: JSON_TYPE,
          schema: CheckAnswer,
        },
        ...refusals,
        '404': refusal('404 TRANSACTION_NOT_FOUND'),
      },
    },
  ],
  common: {
    '400': refusal('the URL could not be read'),
    '404': refusal('no such route (TRANSACTION_NOT_FOUND)'),
    '413': refusal('request body too large'),
    '414': refusal('a path segment too long'),
    '415': refusal('unsupported content type'),
    '429': refusal('too many requests'),
    '500': refusal('internal error'),
    '503': refusal('the database is briefly unreachable: retry'),
  },
};
