// The journal entries of card refunds, chargebacks and reserve releases (issue 13, spec M7 "Money",
// docs/refunds.md). Built purely; src/core writes each in the transaction of its state change.
//
// Signs follow the payment entry (ledger.ts cardPaymentEntry): money arriving through the card rail is a negative
// posting on its clearing account, money leaving it a positive one; merchant balances are positive.
import { type AccountRef, assertBalanced, type JournalEntry, type Posting } from './ledger.js';

interface Who {
  orderId: string;
  merchantId: string;
  currency: string;
}

const available = (w: Who): AccountRef => ({
  kind: 'merchant_available',
  merchantId: w.merchantId,
  currency: w.currency,
});
const frozen = (w: Who): AccountRef => ({ kind: 'merchant_frozen', merchantId: w.merchantId, currency: w.currency });
const clearing = (w: Who, rail: string): AccountRef => ({ kind: 'rail_clearing', rail, currency: w.currency });

function positive(amount: bigint): void {
  if (amount <= 0n) throw new Error('a card money movement must be positive');
}

/** A refund accepted: the merchant's available −amount, frozen +amount, until the acquirer answers. */
export function refundHoldEntry(w: Who & { refundId: string; amount: bigint }): JournalEntry {
  positive(w.amount);
  return assertBalanced({
    kind: 'card_refund_hold',
    orderId: w.orderId,
    memo: `refund ${w.refundId} of order ${w.orderId}: held`,
    postings: [
      { account: available(w), amount: -w.amount },
      { account: frozen(w), amount: w.amount },
    ],
  });
}

/** The acquirer refunded: frozen −amount, the card rail's clearing +amount (the money left through the rail). */
export function refundSettleEntry(w: Who & { refundId: string; amount: bigint; rail: string }): JournalEntry {
  positive(w.amount);
  return assertBalanced({
    kind: 'card_refund',
    orderId: w.orderId,
    memo: `refund ${w.refundId} of order ${w.orderId}`,
    postings: [
      { account: frozen(w), amount: -w.amount },
      { account: clearing(w, w.rail), amount: w.amount },
    ],
  });
}

/** The acquirer refused: the held amount goes back, frozen −amount, available +amount. */
export function refundReleaseEntry(w: Who & { refundId: string; amount: bigint }): JournalEntry {
  positive(w.amount);
  return assertBalanced({
    kind: 'card_refund_release',
    orderId: w.orderId,
    memo: `refund ${w.refundId} of order ${w.orderId}: refused, released`,
    postings: [
      { account: frozen(w), amount: -w.amount },
      { account: available(w), amount: w.amount },
    ],
  });
}

/** A chargeback: the order's reserve (frozen) first, then available; the card rail's clearing +amount. */
export function chargebackEntry(
  w: Who & { chargebackId: string; fromReserve: bigint; fromAvailable: bigint; rail: string },
): JournalEntry {
  if (w.fromReserve < 0n || w.fromAvailable < 0n) throw new Error('chargeback parts must not be negative');
  positive(w.fromReserve + w.fromAvailable);
  const postings: Posting[] = [
    { account: frozen(w), amount: -w.fromReserve },
    { account: available(w), amount: -w.fromAvailable },
    { account: clearing(w, w.rail), amount: w.fromReserve + w.fromAvailable },
  ];
  return assertBalanced({
    kind: 'card_chargeback',
    orderId: w.orderId,
    memo: `chargeback ${w.chargebackId} of order ${w.orderId}`,
    postings: postings.filter((p) => p.amount !== 0n),
  });
}

/** A reserve's hold period is over: what chargebacks left of it goes from frozen to available. */
export function reserveReleaseEntry(w: Who & { amount: bigint }): JournalEntry {
  positive(w.amount);
  return assertBalanced({
    kind: 'card_reserve_release',
    orderId: w.orderId,
    memo: `reserve of order ${w.orderId}: released`,
    postings: [
      { account: frozen(w), amount: -w.amount },
      { account: available(w), amount: w.amount },
    ],
  });
}
