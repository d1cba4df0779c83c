// Collects the webhooks a real Tender sends for every case the seed demos must verify: both cpay formats
// (`cpay` = one `param=<JSON>` field, the newer generation; `cpay-legacy` = seed 001 §15's form fields), at
// fee 0 and at a fee, for a completed, a closed (failed) and an expired order of each merchant.
import assert from 'node:assert/strict';
import { expireDueOrders } from '../../src/core/payments.js';
import type { MerchantCredentials } from '../../src/core/merchants.js';
import { newMerchant, sleep, webhookReceiver, type ReceivedHook, type TestEnv } from '../harness.js';
import { sandboxSettle } from '../sandbox-settle.js';
import { openOrder } from '../webhook-test-kit.js';

export type Format = 'cpay' | 'cpay-legacy';

export interface Hook {
  /** e.g. "cpay-legacy fee 250 bps, expired order, status 15" */
  label: string;
  format: Format;
  key: string;
  /** Every field as received (for `cpay`, the decoded `param` JSON with its JSON types). */
  fields: Record<string, unknown>;
  /** For `cpay`: the `param` JSON text exactly as received. */
  json?: string;
}

export const FEES_BPS = [0, 250];
const OUTCOMES = ['completed', 'closed', 'expired'] as const;

function toHooks(
  format: Format,
  feeBps: number,
  m: MerchantCredentials,
  calls: ReceivedHook[],
  orders: Map<string, string>,
) {
  return calls.map((c): Hook => {
    const json = format === 'cpay' ? (c.form.get('param') ?? undefined) : undefined;
    if (format === 'cpay') assert.deepEqual([...c.form.keys()], ['param'], 'a cpay webhook is one `param` field');
    const fields: Record<string, unknown> = json ? JSON.parse(json) : Object.fromEntries(c.form.entries());
    const outcome = orders.get(String(fields.orderId)) ?? 'unknown order';
    return {
      label: `${format} fee ${feeBps} bps, ${outcome} order, status ${fields.orderStatus}`,
      format,
      key: m.securityKey,
      fields,
      json,
    };
  });
}

/** Runs the whole matrix against `env` (whose webhook dispatcher must be running) and returns every webhook. */
export async function collectWebhooks(env: TestEnv): Promise<Hook[]> {
  const setups = [];
  for (const format of ['cpay', 'cpay-legacy'] as const)
    for (const feeBps of FEES_BPS) {
      // Each format's own documented answer; both are acknowledged (shared/spec "Acknowledgement").
      const rx = await webhookReceiver([{ status: 200, body: format === 'cpay' ? 'success' : 'OK' }]);
      const m = await newMerchant(env, { callbackUrl: rx.url, webhookFormat: format, feeBps });
      const orders = new Map<string, string>();
      for (const outcome of OUTCOMES) {
        // 22.33 at 250 bps makes a fee with more decimals than the amount (0.558250).
        const id = await openOrder(env, m, `SD-${format}-${feeBps}-${outcome}`, { amount: '22.33' });
        orders.set(id, outcome);
      }
      setups.push({ format, feeBps, m, rx, orders });
    }
  try {
    for (const s of setups)
      for (const [id, outcome] of s.orders) {
        if (outcome === 'completed') assert.equal((await sandboxSettle(env, id, 'complete')).status, 200);
        if (outcome === 'closed') assert.equal((await sandboxSettle(env, id, 'fail')).status, 200);
      }
    // Expiry: past the order's lifetime, the expiry pass closes the orders still pending.
    env.clock.advance(env.deps.config.orderTtlSeconds + 120);
    assert.equal(await expireDueOrders(env.deps), setups.length, 'one expired order per merchant');
    // Every order's final webhook (14 or 15), plus cpay-legacy's PROCESSING ones, delivered and acknowledged.
    const end = Date.now() + 60_000;
    for (;;) {
      const { rows } = await env.deps.db.query<{ n: number; done: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'delivered')::int AS done
           FROM webhook_deliveries WHERE merchant_id = ANY($1::bigint[])`,
        [setups.map((s) => s.m.merchantId)],
      );
      if (rows[0]!.n >= setups.length * OUTCOMES.length && rows[0]!.done === rows[0]!.n) break;
      if (Date.now() > end) throw new Error(`webhooks not all delivered: ${JSON.stringify(rows[0])}`);
      await sleep(50);
    }
    const hooks = setups.flatMap((s) => toHooks(s.format, s.feeBps, s.m, s.rx.calls, s.orders));
    for (const s of setups)
      for (const [id, outcome] of s.orders)
        assert.ok(
          hooks.some((h) => h.fields.orderId === id && [14, 15].includes(Number(h.fields.orderStatus))),
          `${s.format} fee ${s.feeBps}: the ${outcome} order got its final webhook`,
        );
    return hooks;
  } finally {
    for (const s of setups) await s.rx.close();
  }
}

/** The same webhook with one signed field changed: every demo must refuse it. */
export function tampered(h: Hook): Hook {
  const fields = { ...h.fields, orderId: `${String(h.fields.orderId)}0` };
  return { ...h, label: `${h.label}, orderId altered`, fields, json: h.json ? JSON.stringify(fields) : undefined };
}

/** The webhook's fields as text, without `sign`: what a merchant hands a demo that only computes a sign. */
export function unsignedText(h: Hook): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h.fields))
    if (k !== 'sign') out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}
