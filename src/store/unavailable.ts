// Tells a database outage (connection refused or dropped, server shutting down or starting, pool exhausted)
// from every other failure: an outage is the caller's cue to retry later, never a fault of its input.
const PG_UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  // A write reached a server that is read-only now: a primary demoted by a failover (issue 14). The connection
  // is dropped (inTx releases it as broken) and the next one finds the new primary.
  '25006', // read_only_sql_transaction
]);
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const MESSAGES = [
  /connection terminated/i,
  /terminating connection/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /connection is closed/i,
  /client was closed and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object') return false;
  const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
  // A wrapper (e.g. db.ts CommitOutcomeUnknown) is an outage when what it wraps is one.
  if (cause && depth < 3 && isDatabaseUnavailable(cause, depth + 1)) return true;
  if (
    typeof code === 'string' &&
    (PG_UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || NET_CODES.has(code))
  ) {
    return true;
  }
  return typeof message === 'string' && MESSAGES.some((m) => m.test(message));
}
