// Delivers webhook outbox rows: claim with a lease, POST, record the attempt, schedule the next one.
import type { Deps } from '../core/deps.js';
import { inTx } from '../store/db.js';
import { claimDue, finishAttempt, type AttemptResult, type DeliveryRow } from '../store/webhooks-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import { isAcknowledged, webhookRequest } from '../domain/webhook-payload.js';
import { notifySecretOf } from '../core/cinetpay-sites.js';
import { webhookAttempts } from '../metrics.js';

const MAX_BODY_KEPT = 512;

async function post(deps: Deps, d: DeliveryRow): Promise<AttemptResult> {
  const startedAt = deps.clock.now();
  const t0 = performance.now();
  try {
    // cpay formats: the merchant's current security key; cinetpay: the site's current notification secret.
    const key =
      d.format === 'cinetpay'
        ? await notifySecretOf(deps, String(d.payload.cpm_site_id))
        : deps.box.open((await findMerchant(deps.db, d.merchant_id))!.security_key_sealed).reveal();
    const req = webhookRequest(d.format, d.payload, key);
    const res = await fetch(d.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'Tender-Webhook/1',
        ...req.headers,
      },
      body: req.body.toString(),
      signal: AbortSignal.timeout(deps.config.webhookTimeoutMs),
      redirect: 'manual',
    });
    const body = (await res.text()).slice(0, 4096);
    const ok = isAcknowledged(d.format, res.status, body);
    return {
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      httpStatus: res.status,
      responseBody: body.slice(0, MAX_BODY_KEPT),
      error: ok ? null : 'not acknowledged',
      ok,
    };
  } catch (e) {
    const err = e as Error;
    return {
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      httpStatus: null,
      responseBody: null,
      error: `${err.name}: ${err.message}`.slice(0, MAX_BODY_KEPT),
      ok: false,
    };
  }
}

async function deliver(deps: Deps, d: DeliveryRow): Promise<void> {
  const r = await post(deps, d);
  const schedule = deps.config.webhookBackoffSeconds;
  const next = r.ok || d.attempts >= schedule.length ? null : schedule[d.attempts]!;
  await inTx(deps.db, (tx) => finishAttempt(tx, d, r, next, deps.clock.now()));
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
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Polls for due deliveries; `stop` waits for attempts in flight to finish. */
export function startWebhookDispatcher(deps: Deps, opts: { batch?: number; pollMs?: number } = {}): Dispatcher {
  const batch = opts.batch ?? 20;
  const pollMs = opts.pollMs ?? deps.config.workerPollMs;
  const leaseSeconds = Math.ceil(deps.config.webhookTimeoutMs / 1000) + 30;
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const runOnce = async (): Promise<number> => {
    const claimed = await inTx(deps.db, (tx) => claimDue(tx, deps.clock.now(), leaseSeconds, batch));
    await Promise.all(claimed.map((d) => deliver(deps, d)));
    return claimed.length;
  };
  const loop = async () => {
    if (stopped) return;
    const run = runOnce().catch((e) => {
      deps.log.error({ err: e }, 'webhook dispatcher pass failed');
      return 0;
    });
    inFlight = run;
    const n = await run;
    if (!stopped) timer = setTimeout(loop, n === batch ? 0 : pollMs);
  };
  timer = setTimeout(loop, 0);
  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
