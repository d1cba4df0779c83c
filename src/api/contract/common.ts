// Schemas shared by every dialect's answers.
import { Type } from '@sinclair/typebox';
import { NETWORKS } from '../../rails/crypto/networks.js';

/** Amounts are decimal strings: "100", "100.00", "0.00", "21.77175" (never floats, never exponents). */
export const DecimalString = Type.String({
  pattern: '^(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$',
  description: 'a decimal amount as a string, e.g. "100.00"',
});

/** Tender's trace id, also sent as the x-trace-id header. */
export const TraceId = Type.String({ minLength: 1, description: 'trace id of the request (x-trace-id)' });

/** Order statuses of shared/spec: 0 pending, 11 processing, 14 completed, 15 closed/expired. */
export const OrderStatusCode = Type.Union([Type.Literal(0), Type.Literal(11), Type.Literal(14), Type.Literal(15)], {
  description: '0 pending, 11 processing, 14 completed, 15 closed or expired',
});

/** Networks as answers name them: always the §3 wire names (inputs also accept aliases such as TRON). */
export const WireNetwork = Type.Union(
  NETWORKS.map((n) => Type.Literal(n.name)),
  { description: 'network, §3 wire name' },
);

export const HtmlPage = (description: string) => ({ description, contentType: 'text/html' });
