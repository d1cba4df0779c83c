// Shared fixtures of the card tests (issue 13): a merchant whose user has KYC on file (through the real
// submitKYC route), pwpp requests (v1 form, v2 JSON) and createOrderByCreditCard requests, signed like a merchant.
import assert from 'node:assert/strict';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { signParams } from '../src/domain/signature.js';
import { type TestEnv, newMerchant, postForm, postJson, signed } from './harness.js';
import { kycForm, kycRecord } from './kyc-helpers.js';

/** The test cards' numbers and the CVV the tests send: none may ever appear in a log, a row or an answer. */
export const CARD = {
  approve: '4242424242424242',
  approveMaster: '5555555555554444',
  challenge: '4000000000003220',
  challengeMaster: '5200000000001096',
  insufficient: '4000000000009995',
  stolen: '4000000000009979',
  expired: '4000000000000069',
  declined: '4000000000000127',
  timeout: '4000000000000119',
} as const;
export const TEST_CVV = '739';

export async function cardMerchant(
  env: TestEnv,
  users: string[] = ['card-user-1'],
  over: Parameters<typeof newMerchant>[1] = {},
): Promise<MerchantCredentials> {
  const m = await newMerchant(env, over);
  const data = JSON.stringify(users.map((u, i) => kycRecord(i, { userId: u })));
  const res = await fetch(`${env.url}/openapi/v1/submitKYC`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: kycForm(m, data),
  });
  const body = (await res.json()) as { code: number };
  assert.equal(body.code, 0, `KYC: ${JSON.stringify(body)}`);
  return m;
}

let seq = 0;
export function pwppParams(m: MerchantCredentials, over: Record<string, string> = {}): Record<string, string> {
  const p: Record<string, string> = {
    merchantId: String(m.merchantId),
    merchantTradeNo: `pw-${Date.now()}-${++seq}`,
    userId: 'card-user-1',
    firstName: 'Joe',
    lastName: 'Doe',
    email: 'joe@shop.example',
    iddCode: '34',
    mobile: '644789836',
    addressLine: 'ocea atlantic 52',
    country: 'ES',
    city: 'Sant Cugat',
    zip: '08173',
    cardNumber: CARD.approve,
    cvv: TEST_CVV,
    expDate: '12/39',
    ip: '123.123.121.62',
    currency: 'USD',
    amount: '19.99',
    products: '[{"name":"pen","price":"0.5","num":"1","currency":"USD"}]',
    createTime: String(Date.now()),
    ...over,
  };
  for (const [k, v] of Object.entries(p)) if (v === '') delete p[k];
  return p;
}

export async function pwppV1(env: TestEnv, m: MerchantCredentials, over: Record<string, string> = {}) {
  return (await postForm(`${env.url}/openapi/v1/pwpp`, signed(pwppParams(m, over), m.securityKey))).body;
}

export async function pwppV2(env: TestEnv, m: MerchantCredentials, over: Record<string, string> = {}) {
  const p = pwppParams(m, over);
  return (await postJson(`${env.url}/openapi/v2/pwpp`, { ...p, sign: signParams(p, m.securityKey) })).body;
}

export function byCardParams(m: MerchantCredentials, over: Record<string, string> = {}): Record<string, string> {
  const p: Record<string, string> = {
    merchantId: String(m.merchantId),
    merchantTradeNo: `cc-${Date.now()}-${++seq}`,
    userId: 'card-user-1',
    currency: 'USD',
    amount: '25.00',
    products: '[{"name":"macBook","price":"25.00","num":"1","currency":"USD"}]',
    country: 'FR',
    email: 'joe@shop.example',
    ip: '2001:db8::7',
    createTime: String(Date.now()),
    ...over,
  };
  for (const [k, v] of Object.entries(p)) if (v === '') delete p[k];
  return p;
}

export async function createByCard(env: TestEnv, m: MerchantCredentials, over: Record<string, string> = {}) {
  return (await postForm(`${env.url}/openapi/v1/createOrderByCreditCard`, signed(byCardParams(m, over), m.securityKey)))
    .body;
}

export async function orderDetail(env: TestEnv, m: MerchantCredentials, merchantTradeNo: string) {
  const p = { merchantId: String(m.merchantId), merchantTradeNo, createTime: String(Date.now()) };
  const res = await fetch(`${env.url}/openapi/v1/getOrderDetail?${new URLSearchParams(signed(p, m.securityKey))}`);
  return ((await res.json()) as { data: Record<string, unknown> }).data;
}

export async function balances(env: TestEnv, m: MerchantCredentials) {
  const p = { merchantId: String(m.merchantId) };
  const res = await fetch(`${env.url}/openapi/v1/getMerchantBalance?${new URLSearchParams(signed(p, m.securityKey))}`);
  const rows = (
    (await res.json()) as { data: Array<{ currency: string; availableBalance: string; freezeBalance: string }> }
  ).data;
  return Object.fromEntries(rows.map((r) => [r.currency, { available: r.availableBalance, frozen: r.freezeBalance }]));
}

/** Ledger invariants in SQL: every entry balances per currency; every balance is the sum of its postings. */
export async function ledgerBroken(env: TestEnv): Promise<unknown[]> {
  const q = async (sql: string) => (await env.deps.db.query(sql)).rows;
  return [
    ...(await q(`SELECT entry_id, currency, sum(amount) FROM postings GROUP BY entry_id, currency
       HAVING sum(amount) <> 0`)),
    ...(await q(`SELECT a.code FROM ledger_accounts a LEFT JOIN postings p ON p.account_id = a.id
       GROUP BY a.id, a.code, a.balance HAVING a.balance <> COALESCE(sum(p.amount), 0)`)),
    // A card reserve equals the frozen posting of its order's payment entry.
    ...(await q(`SELECT r.order_id FROM card_reserves r WHERE r.amount <> (SELECT sum(p.amount) FROM postings p
       JOIN ledger_accounts a ON a.id = p.account_id WHERE p.entry_id = r.entry_id AND a.kind = 'merchant_frozen')`)),
    // A closed card order moved no money; a completed one has exactly one payment entry.
    ...(await q(`SELECT o.id FROM orders o JOIN card_payments c ON c.order_id = o.id WHERE
       (o.status = 15 AND EXISTS (SELECT 1 FROM journal_entries j WHERE j.order_id = o.id)) OR
       (o.status = 14 AND (SELECT count(*) FROM journal_entries j WHERE j.order_id = o.id) <> 1)`)),
  ];
}
