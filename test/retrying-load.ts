// Merchant load for failover and process-churn tests (issue 14): loops of signed createOrder then a sandbox
// completion, spread over several API processes, retrying like a careful client (the same merchantTradeNo until
// acknowledged; the completion until acknowledged), and a webhook receiver counting deliveries per order.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signed, sleep } from './harness.js';
import type { Acknowledged } from './invariants.js';

export interface Answer {
  path: 'createOrder' | 'complete';
  base: string;
  status: number;
  code: unknown;
  at: number;
}

async function post(url: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: { code?: unknown; data?: { orderId?: unknown } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

/**
 * Merchant loops that retry like a client should: the same merchantTradeNo until createOrder is acknowledged,
 * then the completion until it is (20004 after an unanswered try means an earlier try went through).
 */
export function startLoad(
  bases: string[],
  m: { merchantId: number; securityKey: string },
  adminToken: string,
  loops: number,
) {
  let stopped = false;
  let n = 0;
  const answers: Answer[] = [];
  const failures: string[] = [];
  const acknowledged: Acknowledged[] = [];
  const completed: string[] = [];
  const call = async (path: Answer['path'], url: string, params: Record<string, string>, h = {}) => {
    const base = url.slice(0, url.indexOf('/', 8));
    try {
      const r = await post(url, params, h);
      answers.push({ path, base, status: r.status, code: r.body?.code, at: Date.now() });
      return r;
    } catch (e) {
      failures.push(`${path} via ${base}: ${(e as Error).cause ?? (e as Error).message}`);
      return undefined;
    }
  };
  const one = async (loop: number) => {
    const tradeNo = `fo-${n++}`;
    let orderId: string | undefined;
    for (let i = 0; !orderId; i++) {
      if (stopped && i > 0) return;
      const base = bases[(loop + i) % bases.length]!;
      const p = {
        merchantId: String(m.merchantId),
        merchantTradeNo: tradeNo,
        createTime: String(Date.now()),
        userId: 'load',
        amount: '10',
        cryptoCurrency: 'USDT',
      };
      const r = await call('createOrder', `${base}/openapi/v1/createOrder`, signed(p, m.securityKey));
      if (r?.body?.code === 0) orderId = String(r.body.data?.orderId);
      else await sleep(100);
    }
    acknowledged.push({ merchantId: m.merchantId, merchantTradeNo: tradeNo, orderId });
    let uncertain = false;
    for (let i = 0; ; i++) {
      const base = bases[(loop + i) % bases.length]!;
      const r = await call(
        'complete',
        `${base}/sandbox/orders/${orderId}/complete`,
        {},
        {
          authorization: `Bearer ${adminToken}`,
        },
      );
      if (r?.body?.code === 0 || (uncertain && r?.body?.code === 20004)) {
        completed.push(orderId);
        return;
      }
      uncertain = true;
      await sleep(100);
    }
  };
  const runs = Array.from({ length: loops }, async (_, loop) => {
    while (!stopped) await one(loop);
  });
  return {
    answers,
    failures,
    acknowledged,
    completed,
    async stop() {
      stopped = true;
      await Promise.all(runs);
    },
  };
}

/** A webhook receiver that answers `success` and records the order ids. */
export async function receiver(
  cleanup: Array<() => Promise<unknown>>,
): Promise<{ url: string; orders: Map<string, number> }> {
  const orders = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      try {
        const id = String(JSON.parse(new URLSearchParams(body).get('param') ?? '{}').orderId ?? '');
        orders.set(id, (orders.get(id) ?? 0) + 1);
      } catch {
        /* not a cpay webhook */
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, orders };
}
