// A card order's money after capture, as the operator API, the console and the portal show it: refunds,
// chargebacks, the reserve and what may still be taken (issue 13 part 3).
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import type { Order } from '../domain/order.js';
import { cpayAmount } from '../domain/cpay-fields.js';
import { findOrder } from '../store/orders-repo.js';
import { findCardPayment } from '../store/card-repo.js';
import { cardOrderRefundTotals, chargebacksOf, refundsOf, reserveOf } from '../store/card-refunds-repo.js';
import { type RefundView, refundView } from './card-refunds.js';
import { type ChargebackView, chargebackView } from './card-chargebacks.js';

export interface CardMoney {
  orderId: string;
  currency: string;
  captured: string;
  refunded: string;
  refundPending: string;
  chargedBack: string;
  refundable: string;
  reserve: { amount: string; chargedBack: string; releaseAt: string; releasedAt: string | null } | null;
  refunds: RefundView[];
  chargebacks: ChargebackView[];
}

function fmt(v: bigint, exponent: number): string {
  if (exponent === 0) return v.toString();
  const s = v.toString().padStart(exponent + 1, '0');
  return `${s.slice(0, -exponent)}.${s.slice(-exponent)}`;
}

/** `merchantId`: the portal's scope (another merchant's order is not found). */
export async function cardMoney(deps: Deps, orderId: string, merchantId?: string): Promise<CardMoney> {
  const order = await findOrder(deps.db, { by: 'id', id: orderId });
  const card = order ? await findCardPayment(deps.db, orderId) : undefined;
  if (!order || !card || (merchantId !== undefined && order.merchantId !== merchantId))
    throw new TenderError('ORDER_NOT_FOUND');
  const e = deps.assets.ledger(order.currency).exponent;
  const refunds = await refundsOf(deps.db, orderId);
  const chargebacks = await chargebacksOf(deps.db, orderId);
  const reserve = await reserveOf(deps.db, orderId);
  const sum = (xs: { amount: string }[]) => xs.reduce((a, x) => a + BigInt(x.amount), 0n);
  const refunded = sum(refunds.filter((r) => r.state === 'succeeded'));
  const pending = sum(refunds.filter((r) => r.state === 'pending'));
  const charged = sum(chargebacks);
  const captured = card.state === 'captured' ? order.amount : 0n;
  const left = captured - refunded - pending - charged;
  return {
    orderId,
    currency: order.currency,
    captured: fmt(captured, e),
    refunded: fmt(refunded, e),
    refundPending: fmt(pending, e),
    chargedBack: fmt(charged, e),
    refundable: fmt(left > 0n ? left : 0n, e),
    reserve: reserve
      ? {
          amount: fmt(BigInt(reserve.amount), e),
          chargedBack: fmt(BigInt(reserve.charged_back), e),
          releaseAt: reserve.release_at.toISOString(),
          releasedAt: reserve.released_at?.toISOString() ?? null,
        }
      : null,
    refunds: refunds.map((r) => refundView(deps, r)),
    chargebacks: chargebacks.map((c) => chargebackView(deps, c)),
  };
}

/** getOrderDetail's refund and chargeback totals of a card order, in the order's CPay amount style; {} otherwise. */
export async function cardOrderTotals(
  deps: Deps,
  order: Order,
): Promise<{ refundedAmount?: string; chargebackAmount?: string }> {
  const card = await findCardPayment(deps.db, order.id);
  if (!card) return {};
  const t = await cardOrderRefundTotals(deps.db, order.id);
  const e = deps.assets.ledger(order.currency).exponent;
  return {
    refundedAmount: cpayAmount(t.refunded, e),
    chargebackAmount: cpayAmount(t.chargedBack, e),
  };
}
