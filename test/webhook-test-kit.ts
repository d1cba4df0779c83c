// Shared by the webhook delivery tests: open an order through the openapi dialect, read deliveries back.
import assert from 'node:assert/strict';
import { postForm, signed, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

export async function openOrder(
  env: TestEnv,
  m: MerchantCredentials,
  tradeNo: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: tradeNo,
    createTime: String(Date.now()),
    userId: 'u-1',
    amount: '10',
    cryptoCurrency: 'USDT',
    ...extra,
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.data.orderId as string;
}

export interface DeliveryView {
  id: string;
  order_id: string;
  state: string;
  attempts: number;
  lease_until: Date | null;
}

export async function deliveriesTo(env: TestEnv, merchantId: number): Promise<DeliveryView[]> {
  const { rows } = await env.deps.db.query<DeliveryView>(
    'SELECT id, order_id, state, attempts, lease_until FROM webhook_deliveries WHERE merchant_id = $1 ORDER BY id',
    [merchantId],
  );
  return rows;
}

export async function attemptsOf(env: TestEnv, orderId: string) {
  const { rows } = await env.deps.db.query(
    `SELECT a.attempt_no, a.http_status, a.ok, a.error, a.response_body FROM webhook_attempts a
     JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.order_id = $1 ORDER BY a.attempt_no`,
    [orderId],
  );
  return rows as Array<{
    attempt_no: number;
    http_status: number | null;
    ok: boolean;
    error: string | null;
    response_body: string | null;
  }>;
}
