// Five minutes with the sandbox: create an order, pay it, receive the webhook, check the balance.
// Needs a running Tender (npm start) and merchant.json from `npx tender merchant create ... --json`.
import { readFileSync } from 'node:fs';
import { OpenApiClient, OrderStatus, TenderApiError, sign, type CpayWebhookEvent } from '@tender/sdk';
import { buildWebhookServer } from './fastify-webhook.js';

const baseUrl = process.env.TENDER_URL ?? 'http://127.0.0.1:8080';
const merchant = JSON.parse(readFileSync(process.env.TENDER_MERCHANT_JSON ?? 'merchant.json', 'utf8'));

const tender = new OpenApiClient({
  baseUrl,
  merchantId: merchant.merchantId,
  securityKey: merchant.securityKey,
  timeoutMs: 10_000,
  retries: 2,
});

// 1. A webhook endpoint (examples/fastify-webhook.ts); Tender POSTs the order's final status to it.
let paid!: (e: CpayWebhookEvent) => void;
const webhook = new Promise<CpayWebhookEvent>((resolve) => (paid = resolve));
const hooks = buildWebhookServer({
  securityKey: merchant.securityKey,
  onEvent: (e) => {
    if (e.orderStatus === OrderStatus.COMPLETED) paid(e);
  },
});
const hookUrl = await hooks.listen({ port: 0, host: '127.0.0.1' });

// 2. An order. Amounts are strings; createTime and sign are added by the SDK.
const order = await tender.createOrder({
  merchantTradeNo: `qs-${Date.now()}`,
  userId: 'customer-7',
  amount: '12.5',
  cryptoCurrency: 'USDT',
  callbackURL: `${hookUrl}/webhooks/tender`,
  successURL: 'https://shop.example/thanks',
});
console.log(`open ${order.cashierURL} and press Pay (status ${order.orderStatus})`);

// 3. The customer pays. In the sandbox, the page's Pay button does this; the helper API wants your signature
//    over merchantId, orderId and createTime (or the operator's `Authorization: Bearer <admin token>`).
const settle = { merchantId: String(merchant.merchantId), orderId: order.orderId, createTime: String(Date.now()) };
const settled = await fetch(`${baseUrl}/sandbox/orders/${order.orderId}/complete`, {
  method: 'POST',
  body: new URLSearchParams({ ...settle, sign: sign(settle, merchant.securityKey) }),
});
console.log(`sandbox: ${((await settled.json()) as { msg: string }).msg}`);

// 4. The signed webhook arrives, verified by the SDK.
const event = await webhook;
console.log(
  `webhook: order ${event.orderId} status ${event.orderStatus}, received ${event.receivedAmount} ${event.currency}`,
);
await hooks.close();

// 5. Ask for the order and the balance.
const detail = await tender.getOrderDetail({ merchantTradeNo: order.merchantTradeNo });
const balance = await tender.getMerchantBalance();
console.log(
  `order ${detail.orderId}: ${detail.orderStatus}; balance:`,
  balance.map((b) => `${b.availableBalance} ${b.currency}`).join(', '),
);

// Errors are typed: code, msg, traceid (the same traceid is in Tender's log line).
try {
  await new OpenApiClient({ baseUrl, merchantId: merchant.merchantId, securityKey: 'not-my-key' }).getMerchantBalance();
} catch (e) {
  if (!(e instanceof TenderApiError)) throw e;
  console.log(`refused: ${e.code} ${e.msg} (traceid ${e.traceid})`);
}
console.log(
  JSON.stringify({
    orderId: order.orderId,
    webhookStatus: event.orderStatus,
    detailStatus: detail.orderStatus,
    balance,
  }),
);
