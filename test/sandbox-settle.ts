// The sandbox helper API as tests call it: settled by the operator (admin token) unless a test says otherwise.
import type { TestEnv } from './harness.js';

export async function sandboxSettle(
  env: Pick<TestEnv, 'url' | 'adminToken'>,
  orderId: string,
  outcome: 'complete' | 'fail',
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${env.url}/sandbox/orders/${encodeURIComponent(orderId)}/${outcome}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.adminToken}` },
  });
  return { status: res.status, body: await res.json() };
}
