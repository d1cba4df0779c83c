-- Issue 13 part 2: card pay-ins (spec M7 pwpp, M8 createOrderByCreditCard), the card vault and the card reserve.
-- A card order is an ordinary pay-in order (kind 'payin', rail 'card' once settled); its card facts live in
-- card_payments. docs/cards.md describes every table; the reserve release worker, refunds and chargebacks are
-- built on card_reserves and card_payments by later work.

-- The reserve ("pledgeAmount", spec M7 "Money") of a completed card order, as shown by getOrderDetail and webhooks.
ALTER TABLE orders ADD COLUMN pledge_amount numeric(78,0) CHECK (pledge_amount >= 0);

-- Per-merchant card settings; without a row the defaults apply (reserve 0 bp, hold 90 days, storage on in
-- sandbox mode and off in live mode when storage_enabled is NULL).
CREATE TABLE card_settings (
  merchant_id     bigint PRIMARY KEY REFERENCES merchants(id),
  reserve_bps     integer NOT NULL DEFAULT 0 CHECK (reserve_bps BETWEEN 0 AND 10000),
  hold_days       integer NOT NULL DEFAULT 90 CHECK (hold_days BETWEEN 0 AND 3650),
  storage_enabled boolean,
  updated_at      timestamptz NOT NULL
);

-- Stored cards (storeCc=1 → ccStorageID). The card number is sealed with the VAULT key (TENDER_CARD_VAULT_KEY or
-- card-vault.key), never with the master key that seals merchant secrets; only BIN and last four are in clear.
-- No CVV, ever. A stored card belongs to one merchant's one user.
CREATE TABLE card_vault (
  id          text PRIMARY KEY,
  merchant_id bigint NOT NULL REFERENCES merchants(id),
  user_id     text NOT NULL,
  pan_sealed  text NOT NULL,
  -- Keyed digest (vault key) of the number: the same card stored twice for one user gets one id.
  pan_mac     text NOT NULL,
  bin         text NOT NULL CHECK (bin ~ '^[0-9]{6}$'),
  last4       text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  brand       text NOT NULL CHECK (brand IN ('VISA', 'MASTER')),
  exp_month   smallint NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year    smallint NOT NULL CHECK (exp_year BETWEEN 2000 AND 2099),
  created_at  timestamptz NOT NULL,
  UNIQUE (merchant_id, user_id, pan_mac)
);

-- One row per card order: how it is paid and where the acquirer is with it.
-- flow: 'hosted' (createOrderByCreditCard + the hosted card page), 'pwpp_v1', 'pwpp_v2'.
-- state: 'awaiting_card' (hosted, no card yet), 'authorising' (sent or about to be sent to the acquirer),
--        'challenge' (3-D Secure pending at the ACS), 'captured' (order 14), 'declined' / 'failed' (order 15).
CREATE TABLE card_payments (
  order_id       text PRIMARY KEY REFERENCES orders(id),
  merchant_id    bigint NOT NULL REFERENCES merchants(id),
  flow           text NOT NULL CHECK (flow IN ('hosted', 'pwpp_v1', 'pwpp_v2')),
  channel        text NOT NULL CHECK (channel IN ('payChannel1', 'payChannel2', 'payChannel3', 'payChannel4')),
  tx_mode        text,
  acquirer       text NOT NULL,
  state          text NOT NULL CHECK (state IN ('awaiting_card', 'authorising', 'challenge', 'captured', 'declined',
                                                'failed')),
  acquirer_ref   text,
  decline_reason text,
  -- BIN (first six) and last four only; brand from the BIN.
  card_bin       text CHECK (card_bin ~ '^[0-9]{6}$'),
  card_last4     text CHECK (card_last4 ~ '^[0-9]{4}$'),
  card_brand     text,
  country        text NOT NULL,
  store_card     boolean NOT NULL DEFAULT false,
  stored_card_id text REFERENCES card_vault(id),
  -- The 3-D Secure step: the ACS address the customer is sent to, and where Tender sends them afterwards.
  acs_url        text,
  acs_creq       text,
  ret_url        text,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX card_payments_open ON card_payments (updated_at) WHERE state IN ('authorising', 'challenge');

-- The reserve of each completed card order: `amount` moved to merchant_frozen by the order's payment entry, to be
-- released to merchant_available at release_at (the release worker, a later piece of work, sets released_at and
-- release_entry_id in the transaction of its own ledger entry; chargebacks take from unreleased reserves first).
CREATE TABLE card_reserves (
  order_id         text PRIMARY KEY REFERENCES orders(id),
  merchant_id      bigint NOT NULL REFERENCES merchants(id),
  currency         text NOT NULL,
  amount           numeric(78,0) NOT NULL CHECK (amount > 0),
  reserve_bps      integer NOT NULL,
  entry_id         bigint NOT NULL REFERENCES journal_entries(id),
  reserved_at      timestamptz NOT NULL,
  release_at       timestamptz NOT NULL,
  released_at      timestamptz,
  release_entry_id bigint REFERENCES journal_entries(id),
  CHECK ((released_at IS NULL) = (release_entry_id IS NULL))
);
CREATE INDEX card_reserves_due ON card_reserves (release_at) WHERE released_at IS NULL;

-- The sandbox acquirer's own books (src/rails/card/sandbox-acquirer.ts), as a real acquirer keeps them: one
-- authorisation per reference (Tender's order id), whatever retries or races send. No card number, no CVV.
CREATE TABLE sandbox_card_auths (
  ref             text PRIMARY KEY,
  reference       text NOT NULL UNIQUE,
  fingerprint     text NOT NULL,
  scenario        text NOT NULL,
  amount          numeric(78,0) NOT NULL,
  currency        text NOT NULL,
  state           text NOT NULL CHECK (state IN ('challenge', 'authorised', 'declined', 'captured')),
  decline_reason  text,
  challenge_id    text UNIQUE,
  cres            text UNIQUE,
  acs_passed      boolean,
  return_url      text,
  captured        numeric(78,0) NOT NULL DEFAULT 0,
  refunded        numeric(78,0) NOT NULL DEFAULT 0 CHECK (refunded <= captured),
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE TABLE sandbox_card_refunds (
  refund_id  text PRIMARY KEY,
  ref        text NOT NULL REFERENCES sandbox_card_auths(ref),
  amount     numeric(78,0) NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL
);
