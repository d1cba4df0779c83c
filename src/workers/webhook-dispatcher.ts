// Delivers webhook outbox rows: claim with a lease, POST, record the attempt, schedule the next one.
// Continuous (issue 9, defect 6): a pool of attempts in flight is topped up as soon as a slot frees, with
// no batch barrier, and claims cap attempts per destination (see claimDue), so one slow, hanging or
// failing host cannot delay another merchant's deliveries.
import { outageLog } from './outage-log.js';
import type { Deps } from '../core/deps.js';
import { inTx } from '../store/db.js';
import { claimDue, finishAttempt, type AttemptResult, type DeliveryRow } from '../store/webhooks-repo.js';
import { isAcknowledged, webhookRequest } from '../domain/webhook-payload.js';
import { destinationPolicy } from '../domain/destination-policy.js';
import { notificationFormat } from '../core/notification-formats/index.js';
import { webhookAttempts } from '../metrics.js';
import { postWebhook, RefusedDestination } from './webhook-transport.js';

const MAX_BODY_KEPT = 512;
/**
 * An attempt still running after SLOW_MS stops counting against the concurrency, so even many slow or
 * hanging hosts (each already capped per destination) cannot take every slot; sockets are cheap, and
 * HARD_CAP_FACTOR x concurrency bounds the total in flight.
 */
const SLOW_MS = 1000;
const HARD_CAP_FACTOR = 8;

/** No answer, a 5xx or a 429 says the host is in trouble; any other answer says it is up. */
const hostState = (status: number | null): AttemptResult['host'] =>
  status === null || status >= 500 || status === 429 ? 'down' : 'up';

async function post(deps: Deps, d: DeliveryRow): Promise<AttemptResult> {
  const startedAt = deps.clock.now();
  const t0 = performance.now();
  const took = () => Math.round(performance.now() - t0);
  try {
    const key = await notificationFormat(d.format).signingKey(deps, { merchantId: d.merchant_id, payload: d.payload });
    const req = webhookRequest(d.format, d.payload, key);
    const res = await postWebhook(
      d.url!,
      {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'Tender-Webhook/1',
        // Outside the signed fields, so merchants' signature checks are unchanged (issue 9, defect 10).
        ...(deps.config.mode === 'sandbox' ? { 'x-tender-mode': 'sandbox' } : {}),
        ...req.headers,
      },
      req.body.toString(),
      {
        timeoutMs: deps.config.webhookTimeoutMs,
        policy: destinationPolicy(deps.config.mode, deps.config.webhookAllowPrivate),
      },
    );
    const ok = isAcknowledged(d.format, res.status, res.body);
    return {
      startedAt,
      durationMs: took(),
      httpStatus: res.status,
      responseBody: res.body.slice(0, MAX_BODY_KEPT),
      error: ok ? null : 'not acknowledged',
      ok,
      host: hostState(res.status),
    };
  } catch (e) {
    const err = e as Error;
    return {
      startedAt,
      durationMs: took(),
      httpStatus: null,
      responseBody: null,
      error: `${err.name}: ${err.message}`.slice(0, MAX_BODY_KEPT),
      ok: false,
      // A refused destination was never contacted: it says nothing about the host's health.
      host: err instanceof RefusedDestination ? 'unknown' : 'down',
    };
  }
}

async function deliver(deps: Deps, d: DeliveryRow): Promise<void> {
  const r = await post(deps, d);
  const c = deps.config;
  const schedule = c.webhookBackoffSeconds;
  const next = r.ok || d.attempts >= schedule.length ? null : schedule[d.attempts]!;
  await finishAttempt(deps.db, d, r, next, deps.clock.now(), {
    failureThreshold: c.webhookHostFailures,
    baseSeconds: c.webhookHostBackoffSeconds,
    maxSeconds: c.webhookHostBackoffMaxSeconds,
  });
  webhookAttempts.inc({ outcome: r.ok ? 'delivered' : next === null ? 'gave_up' : 'retry' });
  deps.log[r.ok ? 'info' : 'warn'](
    {
      deliveryId: d.id,
      orderId: d.order_id,
      attempt: d.attempts,
      httpStatus: r.httpStatus,
      durationMs: r.durationMs,
      error: r.error,
    },
    'webhook attempt',
  );
}

export interface Dispatcher {
  /** Claims what is due now (up to the free slots) and waits for those attempts. */
  runOnce(): Promise<number>;
  /** Stops claiming and waits for the attempts in flight to be recorded. */
  stop(): Promise<void>;
}

/**
 * Keeps up to `concurrency` recent attempts in flight (TENDER_WEBHOOK_CONCURRENCY; `batch` is an older name
 * for it), claiming more whenever one finishes and otherwise polling every `pollMs`.
 */
export function startWebhookDispatcher(
  deps: Deps,
  opts: { concurrency?: number; batch?: number; pollMs?: number } = {},
): Dispatcher {
  const concurrency = opts.concurrency ?? opts.batch ?? deps.config.webhookConcurrency;
  const pollMs = opts.pollMs ?? deps.config.workerPollMs;
  const leaseSeconds = Math.ceil(deps.config.webhookTimeoutMs / 1000) + 30;
  const inFlight = new Map<Promise<void>, number>(); // attempt → when it started (performance.now())
  const hardCap = concurrency * HARD_CAP_FACTOR;
  const freeSlots = () => {
    const recent = performance.now() - SLOW_MS;
    let counted = 0;
    for (const startedAt of inFlight.values()) if (startedAt > recent) counted++;
    return Math.min(concurrency - counted, hardCap - inFlight.size);
  };
  let stopped = false;
  let nudged = false;
  let wake: (() => void) | undefined;

  const nudge = () => {
    nudged = true;
    wake?.();
  };
  const start = (d: DeliveryRow): Promise<void> => {
    const p: Promise<void> = deliver(deps, d)
      .catch((e) => deps.log.error({ err: e, deliveryId: d.id }, 'webhook attempt could not be recorded'))
      .finally(() => {
        inFlight.delete(p);
        nudge(); // a slot (and maybe a destination's slot, or an order's next delivery) is free
      });
    inFlight.set(p, performance.now());
    return p;
  };
  const claim = async (): Promise<Promise<void>[]> => {
    const free = freeSlots();
    if (free <= 0) return [];
    const c = deps.config;
    const rows = await inTx(deps.db, (tx) =>
      claimDue(tx, deps.clock.now(), leaseSeconds, {
        limit: free,
        perDestination: c.webhookPerDestination,
        failureThreshold: c.webhookHostFailures,
      }),
    );
    return rows.map(start);
  };
  const idle = () =>
    new Promise<void>((resolve) => {
      if (nudged || stopped) return resolve();
      const t = setTimeout(resolve, pollMs);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    }).then(() => {
      wake = undefined;
      nudged = false;
    });
  const failures = outageLog(deps.log, 'webhook dispatcher');
  const loop = async () => {
    while (!stopped) {
      const free = freeSlots();
      let started = 0;
      try {
        started = (await claim()).length;
        failures.succeeded();
      } catch (e) {
        failures.failed(e); // a database outage is logged once, then its end
      }
      // Claimed every free slot: more may be due at once. Otherwise wait for a slot or the next poll.
      if (stopped || (started > 0 && started === free && freeSlots() > 0)) continue;
      await idle();
    }
  };
  const running = loop();
  return {
    async runOnce() {
      const started = await claim();
      await Promise.all(started);
      return started.length;
    },
    async stop() {
      stopped = true;
      wake?.();
      await running;
      while (inFlight.size) await Promise.all([...inFlight.keys()]);
    },
  };
}
