// What the payments-portal tests share: the pages served over real HTTP by their own Fastify instance on the
// test environment's database, with a test-only session (a cookie naming a merchant) until the portal's login
// lands; every answer is held to the pages' contract (src/web/portal/payments-contract.ts); and orders of
// every dialect and kind made through the real APIs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { portalPaymentsPages } from '../src/web/portal/payments-plugin.js';
import { PORTAL_PAYMENTS_ROUTES } from '../src/web/portal/payments-contract.js';
import type { MerchantSession } from '../src/web/portal/payments-session.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { postForm, postJson, signed, type TestEnv } from './harness.js';

export interface Portal {
  url: string;
  /** A session for the merchant: the cookie header value to send (or to set in a browser context). */
  login(m: MerchantCredentials): { cookie: string; token: string; csrf: string };
  /** Every answer that left the pages, as "METHOD route status content-type". */
  answers: string[];
  /** Answers whose status or content type the contract does not document. */
  violations(): string[];
  close(): Promise<void>;
}

export async function startPortal(env: TestEnv): Promise<Portal> {
  const sessions = new Map<string, MerchantSession>();
  const answers: string[] = [];
  const bad: string[] = [];
  // As buildApp: long path segments reach the handlers (and their 404 pages).
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 512 } });
  await app.register(formbody);
  app.addHook('onSend', async (req, reply, payload) => {
    const route = req.routeOptions.url;
    // Paths no route matched (a browser's /favicon.ico) belong to the app's not-found handler, not to these pages.
    if (route === undefined) return payload;
    const status = String(reply.statusCode);
    const type = String(reply.getHeader('content-type') ?? '').split(';')[0]!;
    answers.push(`${req.method} ${route} ${status} ${type}`);
    const c = PORTAL_PAYMENTS_ROUTES.find((r) => r.route === route && r.method === req.method);
    const a = c?.answers[status];
    if (!c) bad.push(`${req.method} ${req.url}: no route in the contract`);
    else if (!a) bad.push(`${req.method} ${route}: status ${status} not documented`);
    else if ((a.contentType ?? '') !== type) bad.push(`${req.method} ${route} ${status}: ${type} ≠ ${a.contentType}`);
    return payload;
  });
  await app.register(portalPaymentsPages, {
    deps: env.deps,
    // Test-only session: the cookie `tsess` names a session made by login(); H3's auth replaces this.
    sessionOf: (req) => {
      const m = /(?:^|;\s*)tsess=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '');
      return m ? sessions.get(m[1]!) : undefined;
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    login(m) {
      const token = randomBytes(16).toString('base64url');
      const csrf = randomBytes(16).toString('base64url');
      sessions.set(token, { merchantId: String(m.merchantId), csrf });
      return { cookie: `tsess=${token}`, token, csrf };
    },
    answers,
    violations: () => bad,
    close: () => app.close(),
  };
}

let seq = 0;
export const tradeNo = (p = 'o') => `${p}-${process.pid}-${Date.now()}-${seq++}`;

export async function openapiOrder(
  env: TestEnv,
  m: MerchantCredentials,
  fields: Record<string, string> = {},
): Promise<string> {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: tradeNo(),
    createTime: String(env.clock.now().getTime()),
    userId: 'u-1',
    amount: '12.5',
    cryptoCurrency: 'USDT',
    ...fields,
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.data.orderId;
}

export async function minimalOrder(env: TestEnv, m: MerchantCredentials, amount = 7.25): Promise<string> {
  const r = await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { rows } = await env.deps.db.query('SELECT id FROM orders WHERE watch_code = $1', [r.body.watch_code]);
  return rows[0].id;
}

export async function cinetpayOrder(env: TestEnv, m: MerchantCredentials, transactionId = tradeNo('cp')) {
  const r = await postJson(`${env.url}/v2/payment`, {
    apikey: m.apikey,
    site_id: m.siteId,
    transaction_id: transactionId,
    amount: 500,
    currency: 'XOF',
    description: 'Deux billets',
    notify_url: 'https://shop.example/notify',
    return_url: 'https://shop.example/return',
    channels: 'ALL',
  });
  assert.equal(r.body.code, '201', JSON.stringify(r.body));
  const { rows } = await env.deps.db.query(
    'SELECT c.order_id FROM cinetpay_orders c WHERE c.site_id = $1 AND c.transaction_id = $2',
    [m.siteId, transactionId],
  );
  return rows[0].order_id as string;
}

export async function get(
  url: string,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; type: string; headers: Headers }> {
  const res = await fetch(url, { redirect: 'manual', headers: { ...(cookie ? { cookie } : {}), ...headers } });
  return {
    status: res.status,
    text: await res.text(),
    type: res.headers.get('content-type') ?? '',
    headers: res.headers,
  };
}

export async function postPage(
  url: string,
  form: Record<string, string>,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; location: string | null }> {
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, text: await res.text(), location: res.headers.get('location') };
}

/** Order ids in a list page, in page order. */
export const idsOnPage = (html: string): string[] =>
  [...html.matchAll(/<a href="\/payments\/([^"?]+)">/g)].map((m) => decodeURIComponent(m[1]!));

/** A cursor link of the list page ("after" or "before"), unescaped, or undefined. */
export function linkOf(html: string, rel: 'next' | 'prev'): string | undefined {
  const m = new RegExp(`<a rel="${rel}" href="([^"]+)"`).exec(html);
  return m ? m[1]!.replace(/&amp;/g, '&') : undefined;
}
