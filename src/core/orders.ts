// Creating and reading orders: one use-case, one transaction each; every dialect calls these.
import { createHash } from 'node:crypto';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import { assertAllowedRedirect, hostOf } from '../domain/redirects.js';
import { TenderError } from '../domain/errors.js';
import type pg from 'pg';
import { findOrder, insertOrderIfNew, type NewOrder, type OrderLookup } from '../store/orders-repo.js';
import { inTx, type Tx } from '../store/db.js';
import { assertCallbackTarget } from './callback-url.js';
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
  /**
   * Money that already arrived (a no-order chain deposit) is recorded whatever its size; only amounts a
   * merchant asks a customer to pay are held to the currency's maximum.
   */
  received?: boolean;
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

/** Checks the input and builds the row of a new order (not yet written). */
function newOrderRow(deps: Deps, merchant: MerchantRow, input: CreateOrderInput): NewOrder {
  if (input.amount <= 0n) throw new TenderError('INVALID_PARAM', 'amount must be greater than zero');
  if (!input.received) deps.assets.assertWithinMax(input.currency, input.amount);
  if (input.network) deps.assets.exponent(input.currency, input.network);
  if (input.callbackUrl && !hostOf(input.callbackUrl))
    throw new TenderError('INVALID_PARAM', 'callbackURL must be an absolute http(s) URL');
  if (input.callbackUrl) assertCallbackTarget(deps, input.callbackUrl, 'callbackURL');
  if (input.successUrl) assertAllowedRedirect(input.successUrl, merchant, 'successURL');
  if (input.failUrl) assertAllowedRedirect(input.failUrl, merchant, 'failURL');

  const now = deps.clock.now();
  return {
    id: deps.ids.orderId(now),
    merchantId: merchant.id,
    merchantTradeNo: input.merchantTradeNo,
    dialect: input.dialect,
    requestDigest: digest(input.fingerprint),
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
  };
}

/** The order a retried request refers to: same merchantTradeNo and same fingerprint, else DUPLICATE_TRADE_NO. */
async function replayed(tx: Tx, row: NewOrder, forUpdate: boolean): Promise<Order> {
  const existing = await findOrder(
    tx,
    { by: 'tradeNo', merchantTradeNo: row.merchantTradeNo, kind: 'payin' },
    row.merchantId,
    forUpdate,
  );
  if (!existing) throw new TenderError('INTERNAL', 'order vanished after a conflicting insert');
  if (existing.requestDigest !== row.requestDigest) throw new TenderError('DUPLICATE_TRADE_NO');
  return existing;
}

/**
 * Creates an order in PENDING, or returns the existing one for a retried request (same merchantTradeNo,
 * same fingerprint). The same merchantTradeNo with other fields is DUPLICATE_TRADE_NO. The order and its
 * creation event are one statement, grouped with concurrent orders (store/order-insert-batcher.ts).
 */
export async function createOrder(
  deps: Deps,
  merchant: MerchantRow,
  input: CreateOrderInput,
): Promise<{ order: Order; created: boolean }> {
  const row = newOrderRow(deps, merchant, input);
  const inserted = await insertOrderBatched(deps.db, row);
  if (inserted) return { order: inserted, created: true };
  return { order: await replayed(deps.db, row, false), created: false };
}

/**
 * Rows a use-case writes beside its order (dialect data, a deposit address), called in the order's own
 * transaction, for a new order (`created`) and for the order of a retried request alike.
 */
export type OrderCompanion<T> = (tx: pg.PoolClient, order: Order, created: boolean) => Promise<T>;

/** createOrder inside the caller's transaction (a use-case that writes more rows beside the order). */
export async function createOrderInTx(
  tx: pg.PoolClient,
  deps: Deps,
  merchant: MerchantRow,
  input: CreateOrderInput,
): Promise<{ order: Order; created: boolean }> {
  const row = newOrderRow(deps, merchant, input);
  const inserted = await insertOrderIfNew(tx, row);
  return { order: inserted ?? (await replayed(tx, row, true)), created: inserted !== undefined };
}

/** createOrder plus the companion rows, all in one transaction: never an order without its rows. */
export async function createOrderWith<T>(
  deps: Deps,
  merchant: MerchantRow,
  input: CreateOrderInput,
  companion: OrderCompanion<T>,
): Promise<{ order: Order; created: boolean; companion: T }> {
  return inTx(deps.db, async (tx) => {
    const { order, created } = await createOrderInTx(tx, deps, merchant, input);
    return { order, created, companion: await companion(tx, order, created) };
  });
}

/** Reads an order; with a merchant the lookup never reaches another merchant's orders. */
export async function getOrder(deps: Deps, lookup: OrderLookup, merchantId?: string): Promise<Order> {
  const o = await findOrder(deps.db, lookup, merchantId);
  if (!o) throw new TenderError('ORDER_NOT_FOUND');
  return o;
}
