// The minimal dialect: start a payment with the merchant secret, send the customer to the page, watch it.
import { readFileSync } from 'node:fs';
import { MinimalClient } from '@tender/sdk';

const baseUrl = process.env.TENDER_URL ?? 'http://127.0.0.1:8080';
const merchant = JSON.parse(readFileSync(process.env.TENDER_MERCHANT_JSON ?? 'merchant.json', 'utf8'));

const shop = new MinimalClient({ baseUrl, merchantSecret: merchant.merchantSecret });
const started = await shop.startPayment('1000', { idempotencyKey: `cart-${Date.now()}` });
console.log(`send the customer to ${shop.payUrl(started.code, 'https://shop.example/back')}`);
const w = await shop.watch(started.watchCode);
console.log(`status ${w.status}, amount ${w.amount}, created ${w.createdAt}`);
console.log(JSON.stringify({ status: w.status, amount: w.amount }));
