// Schema of the minimal dialect's start_payment body, as the raw top-level fields (each value's JSON text,
// strings unescaped). The amount keeps its own checks in the plugin (its messages are part of the dialect).
import { Type } from '@sinclair/typebox';

export const StartPaymentFields = Type.Object({
  merchant_secret: Type.Optional(
    Type.String({ pattern: '^\\S{0,256}$', description: 'merchant_secret must be at most 256 characters' }),
  ),
  currency: Type.Optional(
    Type.String({ pattern: '^\\s*[A-Za-z0-9]{0,16}\\s*$', description: 'currency must be a currency code' }),
  ),
});
