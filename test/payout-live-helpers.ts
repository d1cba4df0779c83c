// What the live-mode payout proofs share (issue 11): the merchant's balances as getMerchantBalance answers
// them, the payout as getOrderDetail answers it, the webhooks one payout received, and its status in SQL.
import { getJson, signed, type TestEnv, type webhookReceiver } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

export type Hooks = Awaited<ReturnType<typeof webhookReceiver>>;

/** availableBalance / freezeBalance of one currency, as the merchant reads them through the API. */
export async function apiBalance(env: TestEnv, m: MerchantCredentials, currency: string) {
  const r = await getJson(
    `${env.url}/openapi/v1/getMerchantBalance`,
    signed({ merchantId: String(m.merchantId) }, m.securityKey),
  );
  const row = (r.body.data as Array<Record<string, string>>).find((b) => b.currency === currency);
  return { available: row?.availableBalance ?? '0', frozen: row?.freezeBalance ?? '0' };
}

/** getOrderDetail by the payout's order id. */
export async function orderDetail(env: TestEnv, m: MerchantCredentials, orderId: string) {
  const p = signed({ merchantId: String(m.merchantId), cpayOrderId: orderId }, m.securityKey);
  const r = await getJson(`${env.url}/openapi/v1/getOrderDetail`, p);
  return r.body.data as Record<string, unknown>;
}

export async function statusOf(env: TestEnv, orderId: string): Promise<number> {
  return (await env.deps.db.query('SELECT status FROM orders WHERE id = $1', [orderId])).rows[0].status as number;
}

/** The webhooks the receiver got for one order (either format), oldest first. */
export function hooksOf(hooks: Hooks, orderId: string): Array<Record<string, unknown>> {
  return hooks.calls
    .map((c) => (c.form.get('param') ? JSON.parse(c.form.get('param')!) : Object.fromEntries(c.form)))
    .filter((f) => f.orderId === orderId);
}

/** Why a payout waits, and where it is, from the payouts table. */
export async function stageOf(env: TestEnv, orderId: string): Promise<{ stage: string; reason: string | null }> {
  const { rows } = await env.deps.db.query('SELECT stage, reason FROM payouts WHERE order_id = $1', [orderId]);
  return rows[0];
}
