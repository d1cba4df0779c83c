// Schemas of the operator API's console routes (issue 12): suspension, merchant secret rotation, the audit log
// and webhook health.
import { Type } from '@sinclair/typebox';

const Str = (description: string) => Type.String({ description });
const Iso = Type.String({ format: 'date-time', description: 'ISO 8601 time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const SuspendBody = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 200, description: 'why (shown to operators, in the audit log)' }),
});

export const SuspensionAnswer = Type.Object(
  {
    merchantId: Type.Integer(),
    suspended: Type.Boolean(),
    suspendedAt: Type.Union([Iso, Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
    changed: Type.Boolean({ description: 'false when the merchant already was in that state (nothing written)' }),
  },
  { additionalProperties: false },
);

export const RotatedSecretAnswer = Type.Object(
  { merchantId: Type.Integer(), merchantSecret: Str('the new minimal-dialect merchant secret') },
  { additionalProperties: false },
);

export const AuditQuery = Type.Object({
  actor: Type.Optional(
    Type.String({
      pattern: '^(cli|admin-token|system|(operator:)?[0-9]{1,18})$',
      description: 'cli, admin-token, ' + 'system or an operator id',
    }),
  ),
  merchantId: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'merchantId must be a number' })),
  action: Type.Optional(
    Type.String({ pattern: '^[a-z_.-]{1,64}$', description: 'an action, or a prefix ending in .' }),
  ),
  from: Type.Optional(Type.String({ maxLength: 30, description: 'from this date (YYYY-MM-DD), inclusive' })),
  to: Type.Optional(Type.String({ maxLength: 30, description: 'to this date (YYYY-MM-DD), inclusive' })),
  after: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'the next cursor of the previous page' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'page size, 1-500 (default 50)' })),
});

const Summary = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]);

export const AuditAnswer = Type.Object(
  {
    entries: Type.Array(
      Type.Object(
        {
          id: Str('entry id (newest first)'),
          at: Iso,
          actor: Str('operator:<id>, cli, admin-token or system'),
          address: Nullable(Str('client address of the request')),
          action: Str('what was done, e.g. merchant.suspend'),
          merchantId: Nullable(Str('the merchant concerned')),
          target: Nullable(Str('the object acted on (order id, site, currency...)')),
          before: Summary,
          after: Summary,
        },
        { additionalProperties: false },
      ),
    ),
    next: Type.Union([Type.String(), Type.Null()], { description: 'cursor of the next page; null on the last' }),
  },
  { additionalProperties: false },
);

export const HealthQuery = Type.Object({
  hours: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'window in hours (default 24)' })),
});

export const WebhookHealthAnswer = Type.Object(
  {
    since: Iso,
    destinations: Type.Array(
      Type.Object(
        {
          destination: Str('scheme://host:port'),
          state: Type.Union(['failing', 'deferred', 'backlog', 'healthy'].map((s) => Type.Literal(s))),
          merchants: Type.Integer(),
          backlog: Type.Integer({ description: 'deliveries pending' }),
          oldestPendingSeconds: Type.Union([Type.Integer(), Type.Null()]),
          failedDeliveries: Type.Integer({ description: 'deliveries given up' }),
          deliveredDeliveries: Type.Integer(),
          failedAttempts: Type.Integer({ description: 'failed attempts in the window' }),
          consecutiveFailures: Type.Integer(),
          deferredUntil: Type.Union([Iso, Type.Null()]),
          lastError: Type.Union([Type.String(), Type.Null()]),
          lastDeliveredAt: Type.Union([Iso, Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
