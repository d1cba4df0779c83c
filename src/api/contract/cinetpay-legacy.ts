// CinetPay's legacy signature-form API (the official PHP SDK and cinetpay-nodejs) as a contract.
import { Type } from '@sinclair/typebox';
import { LegacyRefusal, SignatureAnswer, StatusAnswer } from '../cinetpay-legacy/responses.js';
import type { Answer, DialectContract, RouteContract } from './types.js';

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html';
const refusal = (description: string): Answer => ({ description, contentType: JSON_TYPE, schema: LegacyRefusal });
const s = (description: string) => Type.Optional(Type.String({ description }));

const SignatureBody = Type.Object({
  apikey: s('the site apikey (required)'),
  cpm_site_id: s('the site id (required)'),
  cpm_currency: s('XOF, XAF, CDF, GNF, USD; CFA means XOF (required)'),
  cpm_payment_config: s('SINGLE (default)'),
  cpm_page_action: s('PAYMENT (default)'),
  cpm_version: s('V1 (default) or V2'),
  cpm_language: s('fr (default) or en'),
  cpm_trans_date: s('the date of the transaction, any text, echoed back (required)'),
  cpm_trans_id: s('unique per site (required)'),
  cpm_designation: s('what is paid (required)'),
  cpm_amount: s('integer, a multiple of 5 (USD: 2 decimals), at least the currency minimum (required)'),
  cpm_custom: s('echoed back'),
});
const StatusBody = Type.Object({
  apikey: s('the site apikey (PHP SDK)'),
  cpm_site_id: s('the site id (PHP SDK)'),
  username: s('the site apikey (cinetpay-nodejs)'),
  password: s('the site id (cinetpay-nodejs)'),
  cpm_trans_id: s('the transaction (required)'),
});
const Method = Type.Object({
  method: Type.Union([Type.Literal('getSignatureByPost'), Type.Literal('checkPayStatus')], {
    description: 'getSignatureByPost answers the signature; checkPayStatus the transaction',
  }),
});
const bodies = { 'application/x-www-form-urlencoded': Type.Composite([SignatureBody, StatusBody]) };

const api = (version: 'v1' | 'v2'): RouteContract => ({
  method: 'POST',
  route: `/${version}/`,
  path: `/${version}/`,
  summary: `getSignatureByPost or checkPayStatus (${version})`,
  description:
    'Form bodies, url-encoded or not (the PHP SDK sends raw `key=value&...`). Refusals answer HTTP 200 with ' +
    '{"status":{code,message}}, as the legacy API did.',
  query: Method,
  body: bodies,
  answers: {
    '200': {
      description: 'getSignatureByPost: the signature as a JSON string; checkPayStatus: {transaction}; or a refusal',
      contentType: JSON_TYPE,
      schema: Type.Union([SignatureAnswer, StatusAnswer, LegacyRefusal]),
    },
  },
});

export const cinetpayLegacyContract: DialectContract = {
  name: 'cinetpay-legacy',
  title: "Tender: CinetPay's legacy signature-form API",
  description:
    "The API of CinetPay's official PHP SDK (up to 1.7.0) and cinetpay-nodejs 1.0.0: get a signature, post the " +
    'cash-desk form, then checkPayStatus (docs/cinetpay-legacy.md).',
  routes: [
    api('v1'),
    api('v2'),
    {
      method: 'POST',
      route: '/',
      path: '/',
      summary: "The cash desk: the customer's browser posts the signed form",
      description:
        'The signed fields, signature, notify_url, return_url, cancel_url. Redirects to the payment page; ' +
        'a bad signature or tampered field is a page, 403.',
      body: { 'application/x-www-form-urlencoded': Type.Composite([SignatureBody, Type.Object({ signature: s('') })]) },
      answers: {
        '303': { description: 'to the hosted payment page' },
        '400': { description: 'a field is missing or wrong (a page)', contentType: HTML_TYPE },
        '403': { description: 'the signature or a field does not match (a page)', contentType: HTML_TYPE },
        '413': { description: 'request body too large (a page)', contentType: HTML_TYPE },
        '500': { description: 'internal error (a page)', contentType: HTML_TYPE },
        '503': { description: 'the database is briefly unreachable (a page)', contentType: HTML_TYPE },
      },
    },
  ],
  common: {
    '400': refusal('the URL could not be read'),
    '404': refusal('no such route (TRANSACTION_NOT_FOUND)'),
    '413': refusal('request body too large'),
    '414': refusal('a path segment too long'),
    '429': refusal('too many requests'),
    '500': refusal('internal error'),
    '503': refusal('the database is briefly unreachable: retry'),
  },
};
