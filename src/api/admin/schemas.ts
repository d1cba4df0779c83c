// Schemas of the operator API's path and query parameters (Fastify validates them before the handler).
import { Type } from '@sinclair/typebox';

/** Merchant ids are bigint serials. */
export const MerchantIdParams = Type.Object({
  id: Type.String({ pattern: '^[0-9]{1,18}$', description: 'merchant id must be a number' }),
});

/** Order ids are Tender's own text ids; anything outside this charset cannot be one. */
export const OrderIdParams = Type.Object({
  id: Type.String({
    pattern: '^[A-Za-z0-9_.:-]{1,64}$',
    description: 'order id must be 1-64 letters, digits or _ . : -',
  }),
});

export const DepositAddressQuery = Type.Object({
  merchantId: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'merchantId must be a number' })),
  balances: Type.Optional(Type.String({ maxLength: 8, description: 'balances must be 1, true, 0 or false' })),
});
