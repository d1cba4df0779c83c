// What the fiat payout tests share: funding a merchant's fiat balance through a real pay-in, a signed
// createFiatPayoutOrder, and valid accounts of every kind.
import { postForm, signed, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { createOrder } from '../src/core/orders.js';
import { completeOrder } from '../src/core/payments.js';
import { findMerchant } from '../src/store/merchants-repo.js';
import { parseDecimal } from '../src/domain/money.js';

/** Valid accounts that are not sandbox test keys: each succeeds on the sandbox rails. */
export const ACCOUNTS = {
  cpf: { accountType: '1', toAccount: '52998224725' },
  cnpj: { accountType: '1', toAccount: '11.222.333/0001-81' },
  email: { accountType: '2', toAccount: 'Maria.Silva@Example.com.br' },
  phone: { accountType: '3', toAccount: '+55 (11) 98765-4321' },
  random: { accountType: '4', toAccount: '123e4567-e89b-42d3-a456-426614174000' },
};
export const CARD = '4111111111111111';

let n = 0;

/** Credits the merchant's available `currency` balance by a completed pay-in (the merchant's fee is 0). */
export async function fundFiat(env: Pick<TestEnv, 'deps'>, m: MerchantCredentials, currency: string, amount: string) {
  const merchant = (await findMerchant(env.deps.db, String(m.merchantId)))!;
  const { order } = await createOrder(env.deps, merchant, {
    dialect: 'openapi',
    merchantTradeNo: `fund-fiat-${Date.now()}-${n++}`,
    userId: 'funder',
    currency,
    amount: parseDecimal(amount, env.deps.assets.ledger(currency).exponent),
    amountText: amount,
    fingerprint: {},
  });
  await completeOrder(env.deps, order.id, { rail: 'sandbox' });
}

export function fiatParams(m: MerchantCredentials, fields: Record<string, string> = {}): Record<string, string> {
  return {
    merchantId: String(m.merchantId),
    merchantTradeNo: `f-${Date.now()}-${n++}`,
    createTime: String(Date.now()),
    userId: 'user-1',
    payoutChannel: '1',
    amount: '10',
    currency: 'BRL',
    country: 'BRA',
    ...ACCOUNTS.cpf,
    ...fields,
  };
}

export async function fiatPayout(
  env: Pick<TestEnv, 'url'>,
  m: MerchantCredentials,
  fields: Record<string, string> = {},
  path = '/openapi/v1/createFiatPayoutOrder',
) {
  return postForm(`${env.url}${path}`, signed(fiatParams(m, fields), m.securityKey));
}
