// Double-entry postings, built purely; the store writes them in the same transaction as the state change.
export type AccountRef =
  | { kind: 'merchant_available'; merchantId: string; currency: string }
  | { kind: 'merchant_frozen'; merchantId: string; currency: string }
  | { kind: 'fee_revenue'; currency: string }
  | { kind: 'rail_clearing'; rail: string; currency: string }
  /** The house's FX position per currency: exchanges between merchant balances pass through it. */
  | { kind: 'treasury'; currency: string };

export interface Posting {
  account: AccountRef;
  amount: bigint;
}
export interface JournalEntry {
  kind: string;
  orderId: string | null;
  memo: string;
  postings: Posting[];
}

export function accountCode(a: AccountRef): string {
  switch (a.kind) {
    case 'merchant_available':
    case 'merchant_frozen':
      return `merchant:${a.merchantId}:${a.kind === 'merchant_available' ? 'available' : 'frozen'}:${a.currency}`;
    case 'fee_revenue':
      return `platform:fee_revenue:${a.currency}`;
    case 'rail_clearing':
      return `rail:${a.rail}:clearing:${a.currency}`;
    case 'treasury':
      return `platform:treasury:${a.currency}`;
  }
}

/** An order paid through `rail`: gross leaves the rail's clearing account, split into merchant net and fee. */
export function orderPaymentEntry(p: {
  orderId: string;
  merchantId: string;
  rail: string;
  currency: string;
  gross: bigint;
  fee: bigint;
}): JournalEntry {
  if (p.fee < 0n || p.fee > p.gross) throw new Error('fee must lie between 0 and the gross amount');
  const postings: Posting[] = [
    {
      account: { kind: 'merchant_available', merchantId: p.merchantId, currency: p.currency },
      amount: p.gross - p.fee,
    },
    { account: { kind: 'fee_revenue', currency: p.currency }, amount: p.fee },
    { account: { kind: 'rail_clearing', rail: p.rail, currency: p.currency }, amount: -p.gross },
  ];
  return assertBalanced({
    kind: 'order_payment',
    orderId: p.orderId,
    memo: `payment of order ${p.orderId} via ${p.rail}`,
    postings: postings.filter((x) => x.amount !== 0n),
  });
}

/** Every entry must sum to zero per currency. */
export function assertBalanced(e: JournalEntry): JournalEntry {
  const sums = new Map<string, bigint>();
  for (const p of e.postings) sums.set(p.account.currency, (sums.get(p.account.currency) ?? 0n) + p.amount);
  for (const [cur, sum] of sums) if (sum !== 0n) throw new Error(`journal entry unbalanced in ${cur} by ${sum}`);
  return e;
}

// Payouts (issue 11, spec M1 "Money"): frozen at acceptance, paid out or released at the end.

/** Acceptance of a payout: available −total → frozen +total. */
export function payoutFreezeEntry(p: { orderId: string; merchantId: string; currency: string; total: bigint }) {
  return assertBalanced({
    kind: 'payout_freeze',
    orderId: p.orderId,
    memo: `payout ${p.orderId}: hold`,
    postings: [
      { account: { kind: 'merchant_available', merchantId: p.merchantId, currency: p.currency }, amount: -p.total },
      { account: { kind: 'merchant_frozen', merchantId: p.merchantId, currency: p.currency }, amount: p.total },
    ],
  });
}

/** Confirmed on chain: frozen −total, the rail's clearing account +received (it left), fee revenue +fee. */
export function payoutSettleEntry(p: {
  orderId: string;
  merchantId: string;
  rail: string;
  currency: string;
  received: bigint;
  fee: bigint;
}): JournalEntry {
  const postings: Posting[] = [
    {
      account: { kind: 'merchant_frozen', merchantId: p.merchantId, currency: p.currency },
      amount: -(p.received + p.fee),
    },
    { account: { kind: 'rail_clearing', rail: p.rail, currency: p.currency }, amount: p.received },
    { account: { kind: 'fee_revenue', currency: p.currency }, amount: p.fee },
  ];
  return assertBalanced({
    kind: 'payout_settle',
    orderId: p.orderId,
    memo: `payout ${p.orderId} sent via ${p.rail}`,
    postings: postings.filter((x) => x.amount !== 0n),
  });
}

/** Rejected or failed: frozen −total → available +total. */
export function payoutReleaseEntry(p: { orderId: string; merchantId: string; currency: string; total: bigint }) {
  return assertBalanced({
    kind: 'payout_release',
    orderId: p.orderId,
    memo: `payout ${p.orderId}: released`,
    postings: [
      { account: { kind: 'merchant_frozen', merchantId: p.merchantId, currency: p.currency }, amount: -p.total },
      { account: { kind: 'merchant_available', merchantId: p.merchantId, currency: p.currency }, amount: p.total },
    ],
  });
}

/**
 * A card order paid (issue 13, spec M7 "Money"): the card rail's clearing account −gross, fee revenue +fee, the
 * merchant's available +(gross − fee − pledge) and frozen +pledge (the reserve, released later by its own entry).
 * Kind 'order_payment': one per order, like every pay-in.
 */
export function cardPaymentEntry(p: {
  orderId: string;
  merchantId: string;
  rail: string;
  currency: string;
  gross: bigint;
  fee: bigint;
  pledge: bigint;
}): JournalEntry {
  if (p.fee < 0n || p.pledge < 0n || p.fee + p.pledge > p.gross)
    throw new Error('fee and reserve must lie between 0 and the gross amount');
  const postings: Posting[] = [
    {
      account: { kind: 'merchant_available', merchantId: p.merchantId, currency: p.currency },
      amount: p.gross - p.fee - p.pledge,
    },
    { account: { kind: 'merchant_frozen', merchantId: p.merchantId, currency: p.currency }, amount: p.pledge },
    { account: { kind: 'fee_revenue', currency: p.currency }, amount: p.fee },
    { account: { kind: 'rail_clearing', rail: p.rail, currency: p.currency }, amount: -p.gross },
  ];
  return assertBalanced({
    kind: 'order_payment',
    orderId: p.orderId,
    memo: `card payment of order ${p.orderId}${p.pledge > 0n ? ' with its reserve' : ''}`,
    postings: postings.filter((x) => x.amount !== 0n),
  });
}
