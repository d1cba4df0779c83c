-- Issue 11 (spec M3-M5): operator-set rates, per-merchant spread and exchange fee, and exchanges between a
-- merchant's balances. Exchanges are their own records (not orders): one per (merchant, merchantTradeNo),
-- holding the answer that a retry gets back byte for byte.
CREATE TABLE operator_rates (
  base     text NOT NULL,
  quote    text NOT NULL,
  -- 1 base costs `price` quote; a plain positive decimal text, exact.
  price    text NOT NULL CHECK (price ~ '^(0|[1-9][0-9]{0,29})(\.[0-9]{1,30})?$' AND price !~ '^0(\.0*)?$'),
  set_at   timestamptz NOT NULL,
  PRIMARY KEY (base, quote),
  CHECK (base <> quote)
);

CREATE TABLE merchant_rate_settings (
  merchant_id      bigint PRIMARY KEY REFERENCES merchants (id) ON DELETE CASCADE,
  -- NULL: the install's default (TENDER_RATE_SPREAD_BPS, TENDER_EXCHANGE_FEE_BPS).
  spread_bps       integer CHECK (spread_bps BETWEEN 0 AND 10000),
  exchange_fee_bps integer CHECK (exchange_fee_bps BETWEEN 0 AND 10000)
);

CREATE TABLE exchanges (
  id                text PRIMARY KEY,
  merchant_id       bigint NOT NULL REFERENCES merchants (id),
  merchant_trade_no text NOT NULL,
  user_id           text NOT NULL,
  -- The request's fields as compared on a retry (a different one answers DUPLICATE_TRADE_NO).
  fingerprint       text NOT NULL,
  source_currency   text NOT NULL,
  source_amount     numeric(78,0) NOT NULL CHECK (source_amount > 0),
  target_currency   text NOT NULL,
  target_amount     numeric(78,0) NOT NULL CHECK (target_amount > 0),
  fee               numeric(78,0) NOT NULL CHECK (fee >= 0),
  rate              text NOT NULL,
  rate_source       text NOT NULL,
  rate_at           timestamptz NOT NULL,
  entry_id          bigint NOT NULL REFERENCES journal_entries (id),
  -- data of the answer, exactly as first sent.
  answer            text NOT NULL,
  created_at        timestamptz NOT NULL,
  UNIQUE (merchant_id, merchant_trade_no)
);
