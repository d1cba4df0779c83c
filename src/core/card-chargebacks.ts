// Chargebacks of card orders (issue 13 part 3, spec M7 "Money" decision, docs/refunds.md), recorded by
// an operator from the acquirer's notice (API, console, CLI), audited. Under the order's card-row lock (the lock
// every refund of the order takes too), the amount must fit in what is left of the capture (captured − pending and
// succeeded refunds − earlier chargebacks); it is taken from the order's unreleased reserve first (frozen), the
// rest from the merchant's available balance, in one entry with the chargeback row, its event row, the audit row
// and the webhook. The database forbids negative merchant balances, and Tender keeps no debt account: a
// chargeback the reserve and available balance cannot cover is REFUSED (CARD_CHARGEBACK_INSUFFICIENT_FUNDS),
// nothing recorded, and the operator records it once the merchant's balance covers it (docs/refunds.md).
// Idempotent per (order, caseId): the same case with the same fields answers the chargeback already recorded.
import type { Deps } from './deps.js';
import { TenderError, isTenderError } from '../domain/errors.js';
import { OrderStatus } from '../domain/order-status.js';
import { chargebackEntry } from '../domain/card-ledger.js';
import { inTx } from '../store/db.js';
import { postEntry } from '../store/ledger-repo.js';
import {
  type ChargebackRow,
  addChargedBack,
  chargebackByCase,
  insertChargeback,
  refundedSucceeded,
  reserveOf,
  takenFromOrder,
} from '../store/card-refunds-repo.js';
import type { Actor } from './audit-log.js';
import { audit } from './audit-log.js';
import { enqueueCardMoneyWebhook } from './card-money-webhook.js';
import { CARD_RAIL } from './card-payments.js';
import { KEY, amountIn, checkedReason, lockCardOrder, requesterName } from './card-refunds.js';

export interface ChargebackInput {
  orderId: string;
  amount: string;
  caseId: string;
  reason?: string;
}

export interface ChargebackView {
  chargebackId: string;
  orderId: string;
  caseId: string;
  state: 'recorded';
  currency: string;
  amount: string;
  fromReserve: string;
  fromAvailable: string;
  reason: string;
  recordedBy: string;
  createdAt: string;
}

function fmt(v: string, exponent: number): string {
  if (exponent === 0) return v;
  const s = v.padStart(exponent + 1, '0');
  return `${s.slice(0, -exponent)}.${s.slice(-exponent)}`;
}

export function chargebackView(deps: Deps, c: ChargebackRow): ChargebackView {
  const e = deps.assets.ledger(c.currency).exponent;
  return {
    chargebackId: c.id,
    orderId: c.order_id,
    caseId: c.case_id,
    state: c.state,
    currency: c.currency,
    amount: fmt(String(c.amount), e),
    fromReserve: fmt(String(c.from_reserve), e),
    fromAvailable: fmt(String(c.from_available), e),
    reason: c.reason,
    recordedBy: c.recorded_by,
    createdAt: c.created_at.toISOString(),
  };
}

export async function recordChargeback(deps: Deps, who: Actor, input: ChargebackInput): Promise<ChargebackView> {
  const caseId = String(input.caseId ?? '');
  if (!KEY.test(caseId)) throw new TenderError('CARD_CHARGEBACK_CASE_INVALID');
  const reason = checkedReason(input.reason);
  try {
    const row = await inTx(deps.db, async (tx) => {
      const { order, state } = await lockCardOrder(tx, input.orderId, undefined);
      const amount = amountIn(deps, order.currency, input.amount, 'CARD_CHARGEBACK_AMOUNT_INVALID');
      const earlier = await chargebackByCase(tx, order.id, caseId);
      if (earlier) {
        if (BigInt(earlier.amount) !== amount || earlier.reason !== reason)
          throw new TenderError('CARD_CHARGEBACK_CASE_REUSED');
        return earlier;
      }
      if (order.status !== OrderStatus.COMPLETED || state !== 'captured')
        throw new TenderError('CARD_CHARGEBACK_NOT_ALLOWED');
      const taken = await takenFromOrder(tx, order.id);
      if (taken.refunds + taken.chargebacks + amount > order.amount)
        throw new TenderError('CARD_CHARGEBACK_EXCEEDS_CAPTURED');
      // The reserve row is locked too: the release worker skips it meanwhile, or has released it already.
      const reserve = await reserveOf(tx, order.id, true);
      const left = reserve && reserve.released_at === null ? BigInt(reserve.amount) - BigInt(reserve.charged_back) : 0n;
      const fromReserve = amount < left ? amount : left;
      const fromAvailable = amount - fromReserve;
      const id = `cb_${deps.ids.token(12)}`;
      const now = deps.clock.now();
      const entryId = await postEntry(
        tx,
        chargebackEntry({
          orderId: order.id,
          merchantId: order.merchantId,
          currency: order.currency,
          chargebackId: id,
          fromReserve,
          fromAvailable,
          rail: CARD_RAIL,
        }),
        now,
      );
      if (fromReserve > 0n) await addChargedBack(tx, order.id, fromReserve);
      await insertChargeback(
        tx,
        {
          id,
          order_id: order.id,
          merchant_id: order.merchantId,
          currency: order.currency,
          amount,
          fromReserve,
          fromAvailable,
          case_id: caseId,
          reason,
          recorded_by: requesterName(who),
          entry_id: entryId,
        },
        now,
      );
      await audit(tx, deps, who, {
        action: 'card.chargeback',
        merchantId: order.merchantId,
        target: order.id,
        after: { chargebackId: id, amount: input.amount, currency: order.currency, caseId, reason },
      });
      await enqueueCardMoneyWebhook(tx, deps, order, {
        type: 'chargeback.recorded',
        id,
        amount,
        refunded: await refundedSucceeded(tx, order.id),
        chargedBack: taken.chargebacks + amount,
      });
      return (await chargebackByCase(tx, order.id, caseId))!;
    });
    return chargebackView(deps, row);
  } catch (e) {
    if (isTenderError(e) && e.code === 'INSUFFICIENT_BALANCE')
      throw new TenderError('CARD_CHARGEBACK_INSUFFICIENT_FUNDS');
    throw e;
  }
}
