// The CinetPay dialect: initialise a payment, send the customer to its page, verify it.
import { readFileSync } from 'node:fs';
import { CinetPayClient } from '@tender/sdk';

const baseUrl = process.env.TENDER_URL ?? 'http://127.0.0.1:8080';
const merchant = JSON.parse(readFileSync(process.env.TENDER_MERCHANT_JSON ?? 'merchant.json', 'utf8'));

const cinetpay = new CinetPayClient({ baseUrl, apikey: merchant.apikey, siteId: merchant.siteId });
const init = await cinetpay.initPayment({
  transactionId: `T-${Date.now()}`,
  amount: '1500',
  currency: 'XOF',
  description: 'Order 1001',
  notifyUrl: 'https://shop.example/webhooks/cinetpay',
  returnUrl: 'https://shop.example/back',
  channels: 'MOBILE_MONEY',
  lang: 'fr',
});
console.log(`send the customer to ${init.paymentUrl}`);
// Later — when a notification arrives (see fastify-webhook.ts), or when the customer comes back:
const check = await cinetpay.checkPayment({ token: init.paymentToken });
// WAITING_FOR_CUSTOMER until paid: not a failure.
console.log(`status ${check.status} (${check.code} ${check.message})`);
console.log(JSON.stringify({ status: check.status, amount: check.amount, currency: check.currency }));
