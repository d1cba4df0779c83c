// Trace ids: every answer carries one (x-trace-id, and the envelope's traceid / api_response_id).
import { randomInt } from 'node:crypto';

/** traceid like the seed's "221117074719X9921729": UTC yyMMddHHmmss, 'X', 7 digits. */
export function newTraceId(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    p(now.getUTCFullYear() % 100) +
    p(now.getUTCMonth() + 1) +
    p(now.getUTCDate()) +
    p(now.getUTCHours()) +
    p(now.getUTCMinutes()) +
    p(now.getUTCSeconds()) +
    'X' +
    String(randomInt(0, 10_000_000)).padStart(7, '0')
  );
}
