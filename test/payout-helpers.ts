// What the payout tests share: funding a merchant through a real pay-in, a signed withdraw, and addresses.
import assert from 'node:assert/strict';
import { postForm, signed, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { completeOrder } from '../src/core/payments.js';

export const ADDR = {
  evm: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
  evmBadChecksum: '0xdAC17F958D2ee523a2206206994597C13D831eC7',
  tron: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
  tronBadChecksum: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u',
  btcWpkh: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  btcBadChecksum: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx',
  btcTaproot: 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297',
  btcLegacy: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
  btcP2sh: '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
  btcTestnet: 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx',
};

let n = 0;

/** Credits the merchant's available balance by paying a pay-in order of `amount` (the merchant's fee is 0). */
export async function fundMerchant(env: TestEnv, m: MerchantCredentials, currency: string, amount: string) {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: `fund-${Date.now()}-${n++}`,
    createTime: String(Date.now()),
    userId: 'funder',
    amount,
    cryptoCurrency: currency,
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  await completeOrder(env.deps, r.body.data.orderId, { rail: 'sandbox' });
}

export function withdrawParams(m: MerchantCredentials, fields: Record<string, string>): Record<string, string> {
  return {
    merchantId: String(m.merchantId),
    merchantTradeNo: `w-${Date.now()}-${n++}`,
    createTime: String(Date.now()),
    userId: 'user-1',
    cryptoCurrency: 'USDT',
    network: 'TRON(TRC-20)',
    totalAmount: '10',
    receivedAmount: '10',
    toAddress: ADDR.tron,
    ...fields,
  };
}

export async function withdraw(env: TestEnv, m: MerchantCredentials, fields: Record<string, string> = {}) {
  return postForm(`${env.url}/openapi/v1/withdraw`, signed(withdrawParams(m, fields), m.securityKey));
}

export async function balanceOf(env: TestEnv, m: MerchantCredentials, currency: string) {
  const { rows } = await env.deps.db.query<{ kind: string; balance: string }>(
    `SELECT kind, balance FROM ledger_accounts WHERE merchant_id = $1 AND currency = $2`,
    [m.merchantId, currency],
  );
  const of = (k: string) => BigInt(rows.find((r) => r.kind === k)?.balance ?? 0);
  return { available: of('merchant_available'), frozen: of('merchant_frozen') };
}
