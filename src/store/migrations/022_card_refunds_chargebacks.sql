-- Issue 13 part 3: refunds and chargebacks of card orders, and the release of card reserves (spec M7 "Money",
-- docs/refunds.md). Every money movement is a journal entry written in
-- the transaction of the state change it belongs to; every state change appends an event row.

-- A refund of a completed (14) card order, asked by the merchant (portal) or an operator (API, console, CLI).
-- state: 'pending' (accepted, the amount held: available → frozen, the acquirer not yet answered),
--        'succeeded' (the acquirer refunded: frozen → the card rail), 'failed' (the acquirer refused: frozen →
--        available). pending → succeeded | failed, nothing else.
CREATE TABLE card_refunds (
  id              text PRIMARY KEY,
  order_id        text NOT NULL REFERENCES orders(id),
  merchant_id     bigint NOT NULL REFERENCES merchants(id),
  currency        text NOT NULL,
  amount          numeric(78,0) NOT NULL CHECK (amount > 0),
  -- The caller's idempotency key, unique per merchant: the same key answers the same refund.
  refund_key      text NOT NULL,
  reason          text NOT NULL,
  -- 'merchant' (portal), 'operator:<id>', 'admin-token', 'cli'.
  requested_by    text NOT NULL,
  state           text NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
  failure         text,
  attempts        integer NOT NULL DEFAULT 0,
  -- When the retry worker asks the acquirer again about a pending refund (also its lease while it asks).
  next_attempt_at timestamptz NOT NULL,
  hold_entry_id   bigint NOT NULL REFERENCES journal_entries(id),
  final_entry_id  bigint REFERENCES journal_entries(id),
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  UNIQUE (merchant_id, refund_key),
  CHECK ((state = 'pending') = (final_entry_id IS NULL))
);
CREATE INDEX card_refunds_by_order ON card_refunds (order_id);
CREATE INDEX card_refunds_due ON card_refunds (next_attempt_at) WHERE state = 'pending';

CREATE TABLE card_refund_events (
  id         bigserial PRIMARY KEY,
  refund_id  text NOT NULL REFERENCES card_refunds(id),
  from_state text,
  to_state   text NOT NULL,
  note       text NOT NULL,
  at         timestamptz NOT NULL
);
CREATE INDEX card_refund_events_by_refund ON card_refund_events (refund_id, id);

-- A chargeback of a completed card order, recorded by an operator from the acquirer's notice. It is final when
-- recorded (state 'recorded'); the amount is taken from the order's unreleased reserve first, the rest from the
-- merchant's available balance. `case_id` is the acquirer's case reference: one chargeback per case per order.
CREATE TABLE card_chargebacks (
  id             text PRIMARY KEY,
  order_id       text NOT NULL REFERENCES orders(id),
  merchant_id    bigint NOT NULL REFERENCES merchants(id),
  currency       text NOT NULL,
  amount         numeric(78,0) NOT NULL CHECK (amount > 0),
  from_reserve   numeric(78,0) NOT NULL CHECK (from_reserve >= 0),
  from_available numeric(78,0) NOT NULL CHECK (from_available >= 0),
  case_id        text NOT NULL,
  reason         text NOT NULL,
  recorded_by    text NOT NULL,
  state          text NOT NULL CHECK (state IN ('recorded')),
  entry_id       bigint NOT NULL REFERENCES journal_entries(id),
  created_at     timestamptz NOT NULL,
  UNIQUE (order_id, case_id),
  CHECK (from_reserve + from_available = amount)
);
CREATE INDEX card_chargebacks_by_order ON card_chargebacks (order_id);

CREATE TABLE card_chargeback_events (
  id           bigserial PRIMARY KEY,
  chargeback_id text NOT NULL REFERENCES card_chargebacks(id),
  from_state   text,
  to_state     text NOT NULL,
  note         text NOT NULL,
  at           timestamptz NOT NULL
);

-- What chargebacks took from a reserve before its release; the release moves the rest. A reserve that
-- chargebacks emptied is released without an entry (an entry needs postings), so the release entry is optional.
ALTER TABLE card_reserves ADD COLUMN charged_back numeric(78,0) NOT NULL DEFAULT 0
  CHECK (charged_back >= 0 AND charged_back <= amount);
ALTER TABLE card_reserves DROP CONSTRAINT card_reserves_check;
ALTER TABLE card_reserves ADD CONSTRAINT card_reserves_release_entry
  CHECK (release_entry_id IS NULL OR released_at IS NOT NULL);
-- A failed release attempt (a row the worker could not process) is counted and retried later, never blocking others.
ALTER TABLE card_reserves ADD COLUMN release_failures integer NOT NULL DEFAULT 0;
