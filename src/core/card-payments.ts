// Card pay-ins (issue 13, spec M7 pwpp and M8 createOrderByCreditCard): the order, its card_payments row, the
// acquirer's authorisation, the 3-D Secure step, the capture and the money, each state change in ONE transaction
// with the order's (src/core/payments.ts: status, event row, ledger entry, webhook outbox row).
//
// The acquirer is asked between transactions, never under a row lock. Its authorise is idempotent per order id
// (test/card-acquirer-conformance.ts), so a retried or racing request simply asks again and gets the same answer;
// recording it is a compare-and-set on the card row's state, which exactly one caller wins. The CVV lives only in
// the memory of the request that carries it: the acquirer checks it in authorise, before any 3-D Secure challenge,
// so a pending challenge needs only the ACS's answer. Card numbers reach the acquirer from the request or from the
// vault (card-vault.ts); everywhere else a card is its BIN and last four.
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import { TenderError } from '../domain/errors.js';
import { OrderStatus } from '../domain/order-status.js';
import { feeFor } from '../domain/money.js';
import { cardPaymentEntry } from '../domain/ledger.js';
import { inTx } from '../store/db.js';
import { findOrder } from '../store/orders-repo.js';
import {
  type CardFlow,
  type CardPaymentRow,
  type CardState,
  type CardPatch,
  cardSettings,
  findCardPayment,
  insertCardPayment,
  insertReserve,
  updateCardPayment,
} from '../store/card-repo.js';
import {
  AcquirerRefused,
  AcquirerTimeout,
  type AuthoriseRequest,
  type AuthoriseResult,
  type CardBrand,
  type CardDetails,
  type ChallengeResult,
} from '../rails/card/acquirer.js';
import { cardAcquirer } from '../rails/card/registry.js';
import type { PayChannel } from '../rails/card/channels.js';
import { closeOrderInTx, completeOrderInTxWith, markProcessingInTx } from './payments.js';
import { createOrderWith, getOrder, type CreateOrderInput } from './orders.js';
import { openVaultedCard, vaultCardInTx } from './card-vault.js';

export const CARD_RAIL = 'card';
const DAY_MS = 24 * 3600 * 1000;

export interface CardOrderFacts {
  flow: CardFlow;
  channel: PayChannel;
  txMode: string | null;
  country: string;
  retUrl?: string | null;
}

export interface CardView {
  order: Order;
  card: CardPaymentRow;
}

async function view(deps: Deps, orderId: string): Promise<CardView> {
  const order = await getOrder(deps, { by: 'id', id: orderId });
  const card = await findCardPayment(deps.db, orderId);
  if (!card) throw new TenderError('ORDER_NOT_FOUND', 'this order is not a card payment');
  return { order, card };
}

export async function cardPaymentOf(deps: Deps, orderId: string): Promise<CardPaymentRow | undefined> {
  return findCardPayment(deps.db, orderId);
}

/** Whether storeCc / ccStorageID may be used by this merchant (a merchant setting; default on in sandbox only). */
export async function storageEnabled(deps: Deps, merchantId: string): Promise<boolean> {
  const s = await cardSettings(deps.db, merchantId);
  return s.storageEnabled ?? deps.config.mode === 'sandbox';
}

/** createOrderByCreditCard: the order at 0 and its card row awaiting the card on the hosted page. */
export async function createHostedCardOrder(
  deps: Deps,
  merchant: MerchantRow,
  input: CreateOrderInput,
  facts: CardOrderFacts,
): Promise<Order> {
  const acquirer = cardAcquirer(deps).id;
  const { order } = await createOrderWith(deps, merchant, input, (tx, o) =>
    insertCardPayment(
      tx,
      {
        order_id: o.id,
        merchant_id: merchant.id,
        flow: 'hosted',
        channel: facts.channel,
        tx_mode: null,
        acquirer,
        state: 'awaiting_card',
        country: facts.country,
        store_card: false,
      },
      deps.clock.now(),
    ),
  );
  return order;
}

export interface H2hPayment {
  order: CreateOrderInput;
  facts: CardOrderFacts;
  /** Card data from the request, or a stored card's id (ccStorageID). */
  card: { kind: 'data'; details: CardDetails; brand: CardBrand } | { kind: 'stored'; id: string; holder: string };
  storeCard: boolean;
  browser: AuthoriseRequest['browser'];
}

/**
 * pwpp: creates the order (or finds the one of an identical earlier request) and pays it. Answers the order and
 * its card row as they are after the acquirer's answer: 14 captured, 11 with a challenge, 15 declined.
 */
export async function payHostToHost(deps: Deps, merchant: MerchantRow, p: H2hPayment): Promise<CardView> {
  const acquirer = cardAcquirer(deps);
  const userId = p.order.userId ?? '';
  let details: CardDetails;
  let brand: CardBrand;
  if (p.card.kind === 'stored') {
    const v = await openVaultedCard(deps, { merchantId: merchant.id, userId }, p.card.id, p.card.holder);
    if (!v) throw new TenderError('CARD_STORAGE_ID_UNKNOWN');
    details = v.card;
    brand = v.brand;
  } else {
    details = p.card.details;
    brand = p.card.brand;
  }
  const pan = details.number.reveal();
  const { order } = await createOrderWith(deps, merchant, p.order, (tx, o) =>
    insertCardPayment(
      tx,
      {
        order_id: o.id,
        merchant_id: merchant.id,
        flow: p.facts.flow,
        channel: p.facts.channel,
        tx_mode: p.facts.txMode,
        acquirer: acquirer.id,
        state: 'authorising',
        country: p.facts.country,
        store_card: p.storeCard,
        card_bin: pan.slice(0, 6),
        card_last4: pan.slice(-4),
        card_brand: brand,
        stored_card_id: p.card.kind === 'stored' ? p.card.id : null,
        ret_url: p.facts.retUrl ?? null,
      },
      deps.clock.now(),
    ),
  );
  const card = await findCardPayment(deps.db, order.id);
  // A retry after the answer was recorded answers what was recorded; a retry of a request that never got its
  // answer recorded (a crash, a race) asks the acquirer again, which answers the same.
  if (card?.state === 'authorising') await authorise(deps, order, details, brand, p.browser);
  return view(deps, order.id);
}

/** The hosted card page's submission: the first card for an order awaiting one; a repeat changes nothing. */
export async function payHostedCard(
  deps: Deps,
  orderId: string,
  details: CardDetails,
  brand: CardBrand,
  browser: AuthoriseRequest['browser'],
): Promise<CardView> {
  const pan = details.number.reveal();
  const claimed = await inTx(deps.db, async (tx) => {
    const order = await findOrder(tx, { by: 'id', id: orderId }, undefined, true);
    if (!order) throw new TenderError('ORDER_NOT_FOUND');
    if (order.status !== OrderStatus.PENDING || order.expiresAt <= deps.clock.now()) return undefined;
    const ok = await updateCardPayment(
      tx,
      orderId,
      'awaiting_card',
      { state: 'authorising', card_bin: pan.slice(0, 6), card_last4: pan.slice(-4), card_brand: brand },
      deps.clock.now(),
    );
    return ok ? order : undefined;
  });
  if (claimed) await authorise(deps, claimed, details, brand, browser);
  return view(deps, orderId);
}

const returnUrlOf = (deps: Deps, order: Order) =>
  `${deps.config.publicUrl}/pay/${encodeURIComponent(order.payCode)}/3ds`;

/** Asks the acquirer (no lock held), captures an approval, then records the answer. */
async function authorise(
  deps: Deps,
  order: Order,
  details: CardDetails,
  brand: CardBrand,
  browser: AuthoriseRequest['browser'],
): Promise<void> {
  const acquirer = cardAcquirer(deps);
  let r: AuthoriseResult;
  try {
    r = await acquirer.authorise({
      reference: order.id,
      card: details,
      amount: order.amount,
      currency: order.currency,
      returnUrl: returnUrlOf(deps, order),
      browser,
    });
  } catch (e) {
    if (!(e instanceof AcquirerTimeout)) throw e;
    // No answer: whatever the acquirer holds for this order decides; nothing held means nothing happened.
    const s = await acquirer.status(order.id);
    if (s.state === 'unknown' || s.state === 'declined')
      r = { kind: 'declined', acquirerRef: '', reason: s.state === 'declined' ? s.reason : 'acquirer_timeout' };
    else if (s.state === 'challenge') throw new TenderError('SERVICE_UNAVAILABLE', 'the acquirer did not answer');
    else r = { kind: 'authorised', acquirerRef: s.acquirerRef, frictionless: true };
  }
  await record(deps, order.id, 'authorising', r, details, brand);
}

/** Writes an acquirer's answer for an order whose card row is still in `from` (else another caller did). */
async function record(
  deps: Deps,
  orderId: string,
  from: CardState,
  r: AuthoriseResult | ChallengeResult,
  details?: CardDetails,
  brand?: CardBrand,
): Promise<void> {
  const acquirer = cardAcquirer(deps);
  if (r.kind === 'authorised') {
    const order = await getOrder(deps, { by: 'id', id: orderId });
    await acquirer.capture(r.acquirerRef, order.amount);
  }
  const lost = await inTx(deps.db, async (tx) => {
    const order = (await findOrder(tx, { by: 'id', id: orderId }, undefined, true))!;
    const card = (await findCardPayment(tx, orderId, true))!;
    if (card.state !== from) return false;
    const now = deps.clock.now();
    const patch: CardPatch = { acquirer_ref: r.acquirerRef || null };
    if (r.kind !== 'declined' && card.store_card && !card.stored_card_id && details && brand)
      patch.stored_card_id = await vaultCardInTx(
        tx,
        deps,
        { merchantId: order.merchantId, userId: order.userId ?? '' },
        details,
        brand,
      );
    if (order.status === OrderStatus.CLOSED || order.status === OrderStatus.COMPLETED) {
      // The order ended meanwhile (it expired while the acquirer was asked): nothing more happens to it, and a
      // capture taken for it is given back below.
      await updateCardPayment(tx, orderId, from, { ...patch, state: 'failed', decline_reason: 'order_closed' }, now);
      return order.status === OrderStatus.CLOSED && r.kind === 'authorised';
    }
    if (r.kind === 'authorised') {
      await updateCardPayment(tx, orderId, from, { ...patch, state: 'captured' }, now);
      await completeCard(tx, deps, order);
    } else if (r.kind === 'challenge') {
      await updateCardPayment(
        tx,
        orderId,
        from,
        { ...patch, state: 'challenge', acs_url: r.acsUrl, acs_creq: r.creq },
        now,
      );
      await markProcessingInTx(
        tx,
        deps,
        orderId,
        { rail: CARD_RAIL, remark: '3DS pending' },
        'card 3-D Secure challenge',
      );
    } else {
      await updateCardPayment(tx, orderId, from, { ...patch, state: 'declined', decline_reason: r.reason }, now);
      await closeOrderInTx(tx, deps, orderId, r.reason, `card declined: ${r.reason}`);
    }
    return false;
  });
  if (lost && r.kind === 'authorised') {
    const order = await getOrder(deps, { by: 'id', id: orderId });
    await acquirer.refund(r.acquirerRef, order.amount, `void-${orderId}`);
  }
}

/** 0 or 11 → 14: fee, reserve (pledgeAmount) and the one payment entry, the reserve's row beside it. */
async function completeCard(tx: pg.PoolClient, deps: Deps, order: Order): Promise<void> {
  const settings = await cardSettings(tx, order.merchantId);
  let pledge = 0n;
  await completeOrderInTxWith(tx, deps, order.id, 'card payment captured', {
    build: (o, feeBps) => {
      const fee = feeFor(o.amount, feeBps);
      const received = o.amount - fee;
      // The reserve is the merchant's rate of the order amount, never more than the merchant receives.
      pledge = (o.amount * BigInt(settings.reserveBps)) / 10_000n;
      if (pledge > received) pledge = received;
      return {
        rail: CARD_RAIL,
        paidAmount: o.amount,
        fee,
        receivedAmount: received,
        pledgeAmount: pledge,
        remark: 'card payment',
      };
    },
    entry: (u) =>
      cardPaymentEntry({
        orderId: u.id,
        merchantId: u.merchantId,
        rail: CARD_RAIL,
        currency: u.currency,
        gross: u.paidAmount!,
        fee: u.fee!,
        pledge,
      }),
    after: async (u, entryId) => {
      if (pledge === 0n) return;
      const now = deps.clock.now();
      await insertReserve(tx, {
        orderId: u.id,
        merchantId: u.merchantId,
        currency: u.currency,
        amount: pledge,
        reserveBps: settings.reserveBps,
        entryId,
        at: now,
        releaseAt: new Date(now.getTime() + settings.holdDays * DAY_MS),
      });
    },
  });
}

/** The customer is back from the ACS with its answer: authorised → captured (14), else 15. Idempotent. */
export async function finishCardChallenge(deps: Deps, orderId: string, cres: string): Promise<CardView> {
  const card = await findCardPayment(deps.db, orderId);
  if (!card) throw new TenderError('ORDER_NOT_FOUND');
  if (card.state !== 'challenge' || !card.acquirer_ref) return view(deps, orderId);
  let r: ChallengeResult;
  try {
    r = await cardAcquirer(deps).finishChallenge(card.acquirer_ref, cres);
  } catch (e) {
    if (e instanceof AcquirerRefused) throw new TenderError('CARD_3DS_INVALID');
    throw e;
  }
  await record(deps, orderId, 'challenge', r);
  return view(deps, orderId);
}

/**
 * The sandbox helpers (/sandbox/orders/{id}/complete|fail, the hosted page's test buttons) on a card order: a
 * completion books the card money (reserve included) exactly as a captured card would; a failure closes it.
 */
export async function settleSandboxCard(deps: Deps, orderId: string, outcome: 'pay' | 'fail'): Promise<Order> {
  return inTx(deps.db, async (tx) => {
    const order = await findOrder(tx, { by: 'id', id: orderId }, undefined, true);
    const card = await findCardPayment(tx, orderId, true);
    if (!order || !card) throw new TenderError('ORDER_NOT_FOUND');
    if (order.status === OrderStatus.COMPLETED || order.status === OrderStatus.CLOSED)
      throw new TenderError(
        'ILLEGAL_TRANSITION',
        `order cannot go from ${order.status} to ${outcome === 'pay' ? 14 : 15}`,
      );
    const now = deps.clock.now();
    if (outcome === 'pay') {
      await updateCardPayment(tx, orderId, card.state, { state: 'captured' }, now);
      await completeCard(tx, deps, order);
    } else {
      await updateCardPayment(tx, orderId, card.state, { state: 'declined', decline_reason: 'sandbox' }, now);
      await closeOrderInTx(tx, deps, orderId, 'sandbox payment failed', 'sandbox failure');
    }
    return (await findOrder(tx, { by: 'id', id: orderId }))!;
  });
}
