// The merchant portal's Payments: a keyset page of the merchant's orders of every dialect and kind under
// filters, one order with its status history, ledger entries and webhook attempts, and a webhook resend.
// Everything is confined to the merchant of the session: a foreign order id answers ORDER_NOT_FOUND.
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { formatMinor } from '../domain/money.js';
import { webhookRequest, type WebhookFormat } from '../domain/webhook-payload.js';
import { notificationFormat } from './notification-formats/index.js';
import { resendOrderWebhook } from './webhooks.js';
import { inTx } from '../store/db.js';
import {
  findMerchantOrder,
  listMerchantOrders,
  merchantCinetpayFacts,
  merchantOrderDeliveries,
  merchantOrderEvents,
  merchantOrderPostings,
  merchantPayoutFacts,
  type OrderKind,
  type OrderListRow,
} from '../store/portal-orders-repo.js';
import {
  encodeCursor,
  KIND_NAMES,
  readCursor,
  readFilter,
  STATUS_NAMES,
  toOrderQuery,
  pageSize,
  type PaymentFilter,
} from './portal-payments-filter.js';

/** Amounts as decimal strings of their currency (never a float); null where the order has none yet. */
export interface OrderSummary {
  id: string;
  kind: OrderKind;
  kindText: string;
  dialect: string;
  merchantTradeNo: string;
  currency: string;
  amount: string;
  fee: string | null;
  receivedAmount: string | null;
  paidAmount: string | null;
  status: number;
  statusText: string;
  network: string | null;
  hash: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface OrderPage {
  filter: PaymentFilter;
  size: number;
  orders: OrderSummary[];
  /** Cursor of the next (older) page, when there is one. */
  next?: string;
  /** Cursor of the previous (newer) page, when the page is not the first. */
  prev?: string;
}

/** Formats minor units of `currency`; an unknown currency (should not happen) shows its raw minor units. */
export function money(deps: Deps, currency: string, minor: bigint | string): string {
  const exp = deps.assets.find(currency)?.exponent;
  return exp === undefined ? String(minor) : formatMinor(BigInt(minor), exp);
}

const orMoney = (deps: Deps, currency: string, v: string | null) => (v === null ? null : money(deps, currency, v));

export function summarise(deps: Deps, r: OrderListRow): OrderSummary {
  return {
    id: r.id,
    kind: r.kind,
    kindText: KIND_NAMES[r.kind] ?? r.kind,
    dialect: r.dialect,
    merchantTradeNo: r.merchant_trade_no,
    currency: r.currency,
    amount: money(deps, r.currency, r.amount),
    fee: orMoney(deps, r.currency, r.fee),
    receivedAmount: orMoney(deps, r.currency, r.received_amount),
    paidAmount: orMoney(deps, r.currency, r.paid_amount),
    status: Number(r.status),
    statusText: STATUS_NAMES[Number(r.status)] ?? String(r.status),
    network: r.network,
    hash: r.hash,
    createdAt: r.created_at,
    completedAt: r.completed_at,
  };
}

const keyOf = (r: OrderListRow) => encodeCursor({ at: r.at_key, id: r.id });

/** One page of the merchant's orders for a query string (filters, `size`, `after` or `before`). */
export async function listPayments(deps: Deps, merchantId: string, query: Record<string, unknown>): Promise<OrderPage> {
  const filter = readFilter(query);
  const size = pageSize(query);
  const base = toOrderQuery(filter, merchantId, deps.assets, size + 1);
  const { after, before } = readCursor(query);
  const rows = await listMerchantOrders(deps.db, {
    ...base,
    ...(after ? { after } : {}),
    ...(before ? { before } : {}),
  });
  let page: OrderListRow[];
  let next: string | undefined;
  let prev: string | undefined;
  if (before) {
    // Fetched upwards from the cursor: an extra row means there are newer pages still.
    const more = rows.length > size;
    page = more ? rows.slice(1) : rows;
    prev = more && page[0] ? keyOf(page[0]) : undefined;
    next = page.length ? keyOf(page[page.length - 1]!) : undefined;
  } else {
    const more = rows.length > size;
    page = more ? rows.slice(0, size) : rows;
    next = more ? keyOf(page[page.length - 1]!) : undefined;
    prev = after && page[0] ? keyOf(page[0]) : undefined;
  }
  return {
    filter,
    size,
    orders: page.map((r) => summarise(deps, r)),
    ...(next ? { next } : {}),
    ...(prev ? { prev } : {}),
  };
}

export interface WebhookTry {
  attemptNo: number;
  startedAt: string;
  durationMs: number;
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
  ok: boolean;
}

export interface WebhookDelivery {
  id: string;
  orderStatus: number;
  format: string;
  url: string | null;
  state: string;
  attempts: number;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date | null;
  /** The POST as the dispatcher sends it: signed form body and the headers beyond the transport's own. */
  request: { headers: Record<string, string>; body: string } | null;
  tries: WebhookTry[];
}

export interface LedgerEntryView {
  entryId: string;
  kind: string;
  memo: string;
  at: Date;
  postings: { account: string; accountKind: string; currency: string; amount: string }[];
}

export interface OrderDetail {
  order: OrderSummary & {
    userId: string | null;
    amountText: string;
    rail: string | null;
    remark: string;
    callbackUrl: string | null;
    expiresAt: Date;
    updatedAt: Date;
  };
  events: { from: number | null; to: number; toText: string; reason: string; at: Date }[];
  entries: LedgerEntryView[];
  deliveries: WebhookDelivery[];
  payout?: { toAddress: string; stage: string; reason: string | null; network: string; txHashes: string[] };
  cinetpay?: { siteId: string; transactionId: string };
}

const ORDER_ID = /^.{1,200}$/s;

async function rebuildRequest(
  deps: Deps,
  merchantId: string,
  d: { format: string; payload: Record<string, string | number> },
) {
  try {
    const format = d.format as WebhookFormat;
    const key = await notificationFormat(format).signingKey(deps, { merchantId, payload: d.payload });
    const req = webhookRequest(format, d.payload, key);
    return {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'Tender-Webhook/1',
        ...(deps.config.mode === 'sandbox' ? { 'x-tender-mode': 'sandbox' } : {}),
        ...req.headers,
      },
      body: req.body.toString(),
    };
  } catch (err) {
    // A payload that can no longer be signed (its CinetPay site is gone) still shows its attempts.
    deps.log.warn({ err }, 'webhook request could not be rebuilt for the portal');
    return null;
  }
}

/** Everything the order page shows, or ORDER_NOT_FOUND when the order is not this merchant's. */
export async function paymentDetail(deps: Deps, merchantId: string, orderId: string): Promise<OrderDetail> {
  if (!ORDER_ID.test(orderId)) throw new TenderError('ORDER_NOT_FOUND');
  // One snapshot: the status, its history, the ledger and the webhooks shown together agree with each other.
  const read = await inTx(deps.db, async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const row = await findMerchantOrder(tx, merchantId, orderId);
    if (!row) throw new TenderError('ORDER_NOT_FOUND');
    return {
      row,
      events: await merchantOrderEvents(tx, merchantId, orderId),
      postings: await merchantOrderPostings(tx, merchantId, orderId),
      deliveries: await merchantOrderDeliveries(tx, merchantId, orderId),
      payout: row.kind === 'payin' ? undefined : await merchantPayoutFacts(tx, merchantId, orderId),
      cinetpay: row.dialect === 'cinetpay' ? await merchantCinetpayFacts(tx, merchantId, orderId) : undefined,
    };
  });
  const { row, events, postings, deliveries, payout, cinetpay } = read;
  const entries: LedgerEntryView[] = [];
  for (const p of postings) {
    let e = entries[entries.length - 1];
    if (!e || e.entryId !== String(p.entry_id)) {
      e = { entryId: String(p.entry_id), kind: p.entry_kind, memo: p.memo, at: p.at, postings: [] };
      entries.push(e);
    }
    e.postings.push({
      account: p.account_code,
      accountKind: p.account_kind,
      currency: p.currency,
      amount: money(deps, p.currency, p.amount),
    });
  }
  return {
    order: {
      ...summarise(deps, row),
      userId: row.user_id,
      amountText: row.amount_text,
      rail: row.rail,
      remark: row.remark,
      callbackUrl: row.callback_url,
      expiresAt: row.expires_at,
      updatedAt: row.updated_at,
    },
    events: events.map((e) => ({
      from: e.from_status === null ? null : Number(e.from_status),
      to: Number(e.to_status),
      toText: STATUS_NAMES[Number(e.to_status)] ?? String(e.to_status),
      reason: e.reason,
      at: e.at,
    })),
    entries,
    deliveries: await Promise.all(
      deliveries.map(
        async (d): Promise<WebhookDelivery> => ({
          id: String(d.id),
          orderStatus: Number(d.order_status),
          format: d.format,
          url: d.url,
          state: d.state,
          attempts: d.attempts,
          createdAt: d.created_at,
          deliveredAt: d.delivered_at,
          nextAttemptAt: d.state === 'pending' ? d.next_attempt_at : null,
          request: d.url ? await rebuildRequest(deps, merchantId, d) : null,
          tries: d.tries.map((t) => ({
            attemptNo: t.attempt_no,
            startedAt: t.started_at,
            durationMs: t.duration_ms,
            httpStatus: t.http_status,
            responseBody: t.response_body,
            error: t.error,
            ok: t.ok,
          })),
        }),
      ),
    ),
    ...(payout
      ? {
          payout: {
            toAddress: payout.to_address,
            stage: payout.stage,
            reason: payout.reason,
            network: payout.network,
            txHashes: payout.tx_hashes,
          },
        }
      : {}),
    ...(cinetpay ? { cinetpay: { siteId: cinetpay.site_id, transactionId: cinetpay.transaction_id } } : {}),
  };
}

/** Queues the order's current state as a new webhook delivery; only for the merchant's own order. */
export async function resendPaymentWebhook(deps: Deps, merchantId: string, orderId: string): Promise<string> {
  if (!ORDER_ID.test(orderId) || !(await findMerchantOrder(deps.db, merchantId, orderId)))
    throw new TenderError('ORDER_NOT_FOUND');
  const id = await resendOrderWebhook(deps, orderId);
  deps.log.info({ merchantId, orderId, deliveryId: id }, 'webhook resent from the merchant portal');
  return id;
}
