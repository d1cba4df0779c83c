// Issue 13 part 3: the operator card money routes (/admin/cards, operator token), in the admin contract.
import {
  CardMoneyAnswer,
  CardOrderParams,
  ChargebackAnswer,
  ChargebackBody,
  RefundAnswer,
  RefundBody,
} from '../admin/card-money-schemas.js';
import { AdminRefusal } from '../admin/responses.js';
import type { Answer, RouteContract } from './types.js';

const JSON_TYPE = 'application/json';
const ok = (description: string, schema: Answer['schema']): Answer => ({ description, contentType: JSON_TYPE, schema });
const refusal = (description: string): Answer => ({ description, contentType: JSON_TYPE, schema: AdminRefusal });

const op = (r: Omit<RouteContract, 'security' | 'path'>): RouteContract => ({
  ...r,
  path: r.route.replace(/:([A-Za-z]+)/g, '{$1}'),
  security: ['operatorToken'],
});

export function cardMoneyRoutes(): RouteContract[] {
  return [
    op({
      method: 'GET',
      route: '/admin/cards/:orderId',
      summary: "A card order's refunds, chargebacks and reserve (operator token)",
      params: CardOrderParams,
      answers: { '200': ok('the card money of the order', CardMoneyAnswer), '404': refusal('not a card order') },
    }),
    op({
      method: 'POST',
      route: '/admin/cards/:orderId/refunds',
      summary: 'Refund a completed card order, fully or partly; idempotent per refundKey (operator token)',
      description:
        'The amount is held from the available balance, then the acquirer is asked. `succeeded`: refunded; ' +
        '`pending`: no answer yet, asked again by the worker; a refusal answers CARD_REFUND_REFUSED and releases ' +
        'the hold. Support operators are refused (FORBIDDEN). docs/refunds.md.',
      params: CardOrderParams,
      body: { [JSON_TYPE]: RefundBody },
      answers: {
        '200': ok('the refund', RefundAnswer),
        '403': refusal('a support operator'),
        '404': refusal('not a card order'),
        '409': refusal(
          'refundKey reused with other fields; not refundable, above what is left, balance too low, or refused by ' +
            'the acquirer',
        ),
      },
    }),
    op({
      method: 'POST',
      route: '/admin/cards/:orderId/chargebacks',
      summary: "Record a chargeback: taken from the order's reserve first, then available (operator token)",
      description:
        'Idempotent per (order, caseId). Refused (CARD_CHARGEBACK_INSUFFICIENT_FUNDS) when the reserve and the ' +
        'available balance cannot cover it: Tender keeps no debt account. docs/refunds.md.',
      params: CardOrderParams,
      body: { [JSON_TYPE]: ChargebackBody },
      answers: {
        '200': ok('the chargeback', ChargebackAnswer),
        '403': refusal('a support operator'),
        '404': refusal('not a card order'),
        '409': refusal('caseId reused with other fields; not a completed card order, above what is left, not covered'),
      },
    }),
  ];
}
