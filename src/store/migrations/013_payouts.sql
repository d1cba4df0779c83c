-- Issue 11: crypto payouts (spec M1). A payout is an order of kind 'payout' in the same orders table, so
-- getOrderDetail, webhooks and the order history serve it as they serve pay-ins; its payout facts live in
-- `payouts`, every signed transaction in `payout_attempts`. 'fiat_payout' is reserved for M2.

ALTER TABLE orders ADD COLUMN kind text NOT NULL DEFAULT 'payin' CHECK (kind IN ('payin', 'payout', 'fiat_payout'));
-- merchantTradeNo is unique per merchant AND kind (spec M1); merchant_id, merchant_trade_no lead the index so the
-- lookup by merchantTradeNo stays an index scan.
ALTER TABLE orders DROP CONSTRAINT orders_merchant_id_merchant_trade_no_key;
ALTER TABLE orders ADD CONSTRAINT orders_merchant_trade_no_kind UNIQUE (merchant_id, merchant_trade_no, kind);
-- Payouts never expire (money is frozen for them; only the sender or an operator closes them).
DROP INDEX orders_open_expiry;
CREATE INDEX orders_open_expiry ON orders (expires_at) WHERE status = 0 AND kind = 'payin';

-- Operators: people who approve payouts (issue 12 builds the console on this table). Only a digest of the
-- token is stored.
CREATE TABLE operators (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL UNIQUE,
  token_digest text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL,
  disabled_at  timestamptz
);

-- One payout per order. stage: 'approval' (waits for two operators), 'ready' (the sender may sign),
-- 'in_flight' (a live attempt exists), 'closed' (order 14 or 15). `reason` says why a payout in status 0
-- waits: awaiting_approval, hot_wallet_short, rail_error.
CREATE TABLE payouts (
  order_id         text PRIMARY KEY REFERENCES orders(id),
  merchant_id      bigint NOT NULL REFERENCES merchants(id),
  kind             text NOT NULL DEFAULT 'crypto' CHECK (kind IN ('crypto', 'fiat')),
  rail             text NOT NULL,
  network          text NOT NULL,
  asset            text NOT NULL,
  to_address       text NOT NULL,
  total            numeric(78,0) NOT NULL CHECK (total > 0),
  fee              numeric(78,0) NOT NULL CHECK (fee >= 0),
  received         numeric(78,0) NOT NULL CHECK (received > 0 AND received + fee = total),
  chain_amount     numeric(78,0) NOT NULL CHECK (chain_amount > 0),
  approvals_needed smallint NOT NULL CHECK (approvals_needed BETWEEN 0 AND 2),
  stage            text NOT NULL CHECK (stage IN ('approval', 'ready', 'in_flight', 'closed')),
  reason           text,
  next_try_at      timestamptz NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX payouts_ready ON payouts (network, next_try_at) WHERE stage = 'ready';
CREATE INDEX payouts_waiting ON payouts (stage) WHERE stage IN ('approval', 'ready', 'in_flight');

-- Every transaction signed for a payout, stored BEFORE its first broadcast (src/rails/payout/payout-rail.ts).
-- state: signed (stored, maybe broadcast), broadcast (the chain has it), confirmed, failed (can never pay),
-- dropped (can never land: its EVM nonce went to another transaction). At most one live attempt per payout.
CREATE TABLE payout_attempts (
  id          bigserial PRIMARY KEY,
  payout_id   text NOT NULL REFERENCES payouts(order_id),
  rail        text NOT NULL,
  network     text NOT NULL,
  asset       text NOT NULL,
  tx_hash     text NOT NULL,
  raw         text NOT NULL,
  detail      jsonb NOT NULL,
  nonce       numeric(78,0),
  chain_amount numeric(78,0) NOT NULL,
  state       text NOT NULL CHECK (state IN ('signed', 'broadcast', 'confirmed', 'failed', 'dropped')),
  failure     text,
  created_at  timestamptz NOT NULL,
  broadcast_at timestamptz,
  settled_at  timestamptz,
  updated_at  timestamptz NOT NULL,
  UNIQUE (network, tx_hash)
);
CREATE UNIQUE INDEX payout_one_live_attempt ON payout_attempts (payout_id) WHERE state IN ('signed', 'broadcast', 'confirmed');
CREATE INDEX payout_attempts_live ON payout_attempts (network) WHERE state IN ('signed', 'broadcast');

-- Audit of every approval or rejection; an operator decides a payout once.
CREATE TABLE payout_approvals (
  id          bigserial PRIMARY KEY,
  payout_id   text NOT NULL REFERENCES payouts(order_id),
  operator_id bigint NOT NULL REFERENCES operators(id),
  decision    text NOT NULL CHECK (decision IN ('approve', 'reject')),
  at          timestamptz NOT NULL,
  UNIQUE (payout_id, operator_id)
);

-- The operator hot wallet per chain family; its private key sealed with the master key (never printed).
CREATE TABLE hot_wallets (
  family     text PRIMARY KEY CHECK (family IN ('evm', 'tron', 'bitcoin')),
  public_key text NOT NULL,
  key_sealed text NOT NULL,
  created_at timestamptz NOT NULL
);

-- Per network: the row the sender locks while it reserves and signs, and the next EVM nonce it will use.
CREATE TABLE payout_network_locks (
  network    text PRIMARY KEY,
  next_nonce numeric(78,0)
);

-- Payout fee per merchant, asset and network (ledger minor units + basis points of the total); without a
-- row the default from TENDER_PAYOUT_FEES applies.
CREATE TABLE payout_fees (
  merchant_id bigint NOT NULL REFERENCES merchants(id),
  asset       text NOT NULL,
  network     text NOT NULL,
  fixed       numeric(78,0) NOT NULL CHECK (fixed >= 0),
  bps         integer NOT NULL CHECK (bps BETWEEN 0 AND 10000),
  PRIMARY KEY (merchant_id, asset, network)
);

-- Payouts whose total is above the threshold need two different operators; without a row the default from
-- TENDER_PAYOUT_APPROVAL_THRESHOLDS applies.
CREATE TABLE payout_approval_thresholds (
  merchant_id bigint NOT NULL REFERENCES merchants(id),
  currency    text NOT NULL,
  threshold   numeric(78,0) NOT NULL CHECK (threshold >= 0),
  PRIMARY KEY (merchant_id, currency)
);

-- The sandbox payout rail's pretend chain: transactions by hash, and a head height per network that
-- tests advance ("mining"). A transaction with from_address NULL is a funding grant.
CREATE TABLE sandbox_chain_heads (
  network text PRIMARY KEY,
  height  bigint NOT NULL
);
CREATE TABLE sandbox_chain_txs (
  network      text NOT NULL,
  tx_hash      text NOT NULL,
  asset        text NOT NULL,
  from_address text,
  to_address   text NOT NULL,
  amount       numeric(78,0) NOT NULL CHECK (amount > 0),
  payout_id    text,
  state        text NOT NULL CHECK (state IN ('pending', 'included', 'failed')),
  block        bigint,
  settle_at    timestamptz,
  forced       boolean NOT NULL DEFAULT false,
  failure      text,
  at           timestamptz NOT NULL,
  PRIMARY KEY (network, tx_hash)
);
CREATE INDEX sandbox_chain_to ON sandbox_chain_txs (to_address, asset);
CREATE INDEX sandbox_chain_payout ON sandbox_chain_txs (payout_id) WHERE payout_id IS NOT NULL;

-- One hold, one settlement and one release at most per payout, whatever races happen upstream.
CREATE UNIQUE INDEX journal_one_payout_step ON journal_entries (order_id, kind)
  WHERE kind IN ('payout_freeze', 'payout_settle', 'payout_release');

-- A merchant's balances never go below zero: a payout that the available balance cannot cover is refused,
-- and this makes the database refuse it too should any path forget to check.
ALTER TABLE ledger_accounts ADD CONSTRAINT merchant_balances_not_negative
  CHECK (kind NOT IN ('merchant_available', 'merchant_frozen') OR balance >= 0);
