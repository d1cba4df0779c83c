// Merchant load for crash tests: a few concurrent loops of signed createOrder (openapi dialect) followed by a
// sandbox completion of the order, recording every answer and every order the server acknowledged.
import { signed } from './harness.js';
import type { Acknowledged } from './invariants.js';

export interface Answer {
  path: 'createOrder' | 'complete';
  status: number;
  code: unknown;
  at: number;
}

export interface Load {
  acknowledged: Acknowledged[];
  answers: Answer[];
  /** Requests that got no HTTP answer at all (connection refused or reset, timeout), with the reason. */
  failures: string[];
  /** Stops the loops and waits for the requests in flight. */
  stop(): Promise<void>;
}

export interface Merchant {
  merchantId: number;
  securityKey: string;
}

async function post(url: string, params: Record<string, string>, headers: Record<string, string>) {
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

export function startOrderLoad(base: string, m: Merchant, opts: { loops: number; adminToken: string; tag: string }) {
  let stopped = false;
  let n = 0;
  const load: Omit<Load, 'stop'> = { acknowledged: [], answers: [], failures: [] };
  const one = async () => {
    const tradeNo = `${opts.tag}-${n++}`;
    let orderId: string | undefined;
    try {
      const r = await post(
        `${base}/openapi/v1/createOrder`,
        signed(
          {
            merchantId: String(m.merchantId),
            merchantTradeNo: tradeNo,
            createTime: String(Date.now()),
            userId: 'load',
            amount: '10',
            cryptoCurrency: 'USDT',
          },
          m.securityKey,
        ),
        {},
      );
      load.answers.push({ path: 'createOrder', status: r.status, code: r.body?.code, at: Date.now() });
      if (r.body?.code === 0) {
        orderId = String(r.body.data?.orderId);
        load.acknowledged.push({ merchantId: m.merchantId, merchantTradeNo: tradeNo, orderId });
      }
    } catch (e) {
      load.failures.push(`createOrder ${tradeNo}: ${(e as Error).cause ?? (e as Error).message}`);
    }
    if (!orderId) return;
    try {
      const r = await post(
        `${base}/sandbox/orders/${orderId}/complete`,
        {},
        {
          authorization: `Bearer ${opts.adminToken}`,
        },
      );
      load.answers.push({ path: 'complete', status: r.status, code: r.body?.code, at: Date.now() });
    } catch (e) {
      load.failures.push(`complete ${orderId}: ${(e as Error).cause ?? (e as Error).message}`);
    }
  };
  const loop = async () => {
    while (!stopped) {
      await one();
      // Without a server nothing answers at once: do not spin.
      if (load.failures.length > 0) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const loops = Array.from({ length: opts.loops }, loop);
  return Object.assign(load, {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  }) as Load;
}
