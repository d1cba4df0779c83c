// Schemas of the legacy API's answers (docs/cinetpay-legacy.md): a JSON string (the signature), the
// `{"transaction":{...}}` of checkPayStatus, and the `{"status":{code,message}}` of every refusal.
import { Type } from '@sinclair/typebox';

export const SignatureAnswer = Type.String({
  description: 'the signature: put it in the cash-desk form field `signature`',
  minLength: 1,
});

const s = (description: string) => Type.String({ description });

export const StatusAnswer = Type.Object(
  {
    transaction: Type.Object(
      {
        cpm_site_id: s('the site'),
        signature: s('the signature getSignatureByPost answered'),
        cpm_amount: s('amount in major units, as CinetPay writes it ("150")'),
        cpm_trans_date: s('cpm_trans_date as the merchant sent it'),
        cpm_trans_id: s('the transaction id'),
        cpm_custom: s('cpm_custom as sent, or empty'),
        cpm_currency: s('currency'),
        cpm_payid: s("the payment's id once the customer started paying, else empty"),
        cpm_payment_date: s('YYYY-MM-DD once final, else empty'),
        cpm_payment_time: s('HH:mm:ss once final, else empty'),
        cpm_error_message: s('SUCCES, or the name of the waiting or refusal code'),
        payment_method: s('OM, MOMO, FLOOZ, VISAM..., empty before the customer chose'),
        cpm_phone_prefixe: s('country prefix of the paying number (mobile money)'),
        cel_phone_num: s('the paying number (mobile money)'),
        cpm_ipn_ack: s('Y once the notification page acknowledged a notification, else N'),
        created_at: s('YYYY-MM-DD HH:mm:ss UTC'),
        updated_at: s('YYYY-MM-DD HH:mm:ss UTC'),
        cpm_result: s("'00' paid; 662/623 waiting; 600/602/604/627 refused"),
        cpm_trans_status: Type.Union([
          Type.Literal('ACCEPTED'),
          Type.Literal('REFUSED'),
          Type.Literal('WAITING_FOR_CUSTOMER'),
        ]),
        cpm_designation: s('cpm_designation as sent'),
        buyer_name: s("the customer's name when known, else empty"),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const LegacyRefusal = Type.Object(
  {
    status: Type.Object(
      {
        code: s("CinetPay's code: 608, 609, 613, 624, 404, 429, 500, 503"),
        message: s('its name (AUTH_NOT_FOUND, ...)'),
        description: s('what was wrong'),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
