// One HTTP exchange with a per-attempt timeout (AbortSignal.timeout) and, for idempotent requests only,
// retries with exponential backoff. Node's own fetch; nothing else.
import { TenderNetworkError } from './errors.js';

export interface TransportOptions {
  /** Per attempt, in milliseconds (default 15000). */
  timeoutMs?: number;
  /** Extra attempts for idempotent requests after a network error, a timeout, HTTP 429 or 5xx (default 2). */
  retries?: number;
  /** First backoff delay; doubled on each retry, capped at 10 s, with up to 20 % jitter (default 300). */
  retryDelayMs?: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Only idempotent requests are retried; see each client method for why it is or is not. */
  idempotent: boolean;
}

export interface HttpAnswer {
  status: number;
  text: string;
  headers: Headers;
  attempts: number;
}

const DEFAULTS = { timeoutMs: 15_000, retries: 2, retryDelayMs: 300 };

export function resolveTransport(o: TransportOptions): Required<TransportOptions> {
  const t = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as Required<TransportOptions>;
  if (!(t.timeoutMs > 0)) throw new TypeError('timeoutMs must be a positive number');
  if (!Number.isInteger(t.retries) || t.retries < 0) throw new TypeError('retries must be a whole number >= 0');
  if (!(t.retryDelayMs >= 0)) throw new TypeError('retryDelayMs must be >= 0');
  return t;
}

const retryableStatus = (s: number) => s === 429 || s >= 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function backoffMs(base: number, retryNo: number): number {
  const d = Math.min(base * 2 ** (retryNo - 1), 10_000);
  return d + Math.random() * d * 0.2;
}

export async function send(t: Required<TransportOptions>, req: HttpRequest): Promise<HttpAnswer> {
  const maxAttempts = req.idempotent ? t.retries + 1 : 1;
  let lastError: unknown;
  let timedOut = false;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await sleep(backoffMs(t.retryDelayMs, attempt - 1));
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(t.timeoutMs),
        redirect: 'error',
      });
      const text = await res.text();
      if (retryableStatus(res.status) && attempt < maxAttempts) {
        lastError = new Error(`HTTP ${res.status}`);
        continue;
      }
      return { status: res.status, text, headers: res.headers, attempts: attempt };
    } catch (e) {
      lastError = e;
      timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    }
  }
  const cause =
    lastError instanceof Error
      ? lastError.cause instanceof Error
        ? lastError.cause.message
        : lastError.message
      : String(lastError);
  const what = timedOut ? `timed out after ${t.timeoutMs} ms` : `failed: ${cause}`;
  throw new TenderNetworkError(
    `${req.method} ${new URL(req.url).pathname} ${what} (${maxAttempts} attempt${maxAttempts > 1 ? 's' : ''})`,
    timedOut,
    maxAttempts,
    { cause: lastError },
  );
}

export function trimSlash(baseUrl: string): string {
  const u = new URL(baseUrl); // throws on a malformed base URL, early
  return u.toString().replace(/\/+$/, '');
}
