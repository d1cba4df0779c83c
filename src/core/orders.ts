// Creating and reading orders: one use-case, one transaction each; every dialect calls these.
import { createHash } from 'node:crypto';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import { assertAllowedRedirect, hostOf } from '../domain/redirects.js';
import { TenderError } from '../domain/errors.js';
import { assertCallbackTarget } from './callback-url.js';
import { findOrder, type OrderLookup } from '../store/orders-repo.js';
import { insertOrderBatched } from '../store/order-insert-batcher.js';

export interface CreateOrderInput {
  dialect: string;
  merchantTradeNo: string;
  userId: string | null;
  currency: string;
  amount: bigint;
  amountText: string;
  network?: string | null;
  callbackUrl?: string | null;
  successUrl?: string | null;
  failUrl?: string | null;
  createTimeMs?: string | null;
  /** The business fields that make two requests "the same request" for idempotency. */
  fingerprint: Record<string, string | null | undefined>;
}

function digest(fp: Record<string, string | null | undefined>): string {
  const canonical = JSON.stringify(
    Object.keys(fp)
      .sort()
      .map((k) => [k, fp[k] ?? '']),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Creates an order in PENDING, or returns the existing one for a retried request (same merchantTradeNo,
 * same fingerprint). The same merchantTradeNo with other fields is DUPLICATE_TRADE_NO.
 */
export async function createOrder(
  deps: Deps,
  merchant: MerchantRow,
  input: CreateOrderInput,
): Promise<{ order: Order; created: boolean }> {
  if (input.amount <= 0n) throw new TenderError('INVALID_PARAM', 'amount must be greater than zero');
  deps.assets.ledger(input.currency);
  if (input.network) deps.assets.exponent(input.currency, input.network);
  if (input.callbackUrl && !hostOf(input.callbackUrl))
    throw new TenderError('INVALID_PARAM', 'callbackURL must be an absolute http(s) URL');
  if (input.callbackUrl) assertCallbackTarget(deps, input.callbackUrl, 'callbackURL');
  if (input.successUrl) assertAllowedRedirect(input.successUrl, merchant.allowed_hosts, 'successURL');
  if (input.failUrl) assertAllowedRedirect(input.failUrl, merchant.allowed_hosts, 'failURL');

  const requestDigest = digest(input.fingerprint);
  const now = deps.clock.now();
  const inserted = await insertOrderBatched(deps.db, {
    id: deps.ids.orderId(now),
    merchantId: merchant.id,
    merchantTradeNo: input.merchantTradeNo,
    dialect: input.dialect,
    requestDigest,
    userId: input.userId,
    currency: input.currency,
    amount: input.amount,
    amountText: input.amountText,
    network: input.network ?? null,
    callbackUrl: input.callbackUrl ?? null,
    successUrl: input.successUrl ?? null,
    failUrl: input.failUrl ?? null,
    payCode: deps.ids.token(18),
    watchCode: deps.ids.token(18),
    createTimeMs: input.createTimeMs ?? null,
    expiresAt: new Date(now.getTime() + deps.config.orderTtlSeconds * 1000),
    at: now,
  });
  if (inserted) return { order: inserted, created: true };
  const existing = await findOrder(deps.db, { by: 'tradeNo', merchantTradeNo: input.merchantTradeNo }, merchant.id);
  if (!existing) throw new TenderError('INTERNAL', 'order vanished after a conflicting insert');
  if (existing.requestDigest !== requestDigest) throw new TenderError('DUPLICATE_TRADE_NO');
  return { order: existing, created: false };
}

/** Reads an order; with a merchant the lookup never reaches another merchant's orders. */
export async function getOrder(deps: Deps, lookup: OrderLookup, merchantId?: string): Promise<Order> {
  const o = await findOrder(deps.db, lookup, merchantId);
  if (!o) throw new TenderError('ORDER_NOT_FOUND');
  return o;
}
