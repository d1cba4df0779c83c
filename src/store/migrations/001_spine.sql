-- Tender spine: assets, merchants, orders with their event log, double-entry ledger, webhook outbox.

-- Exponent of every currency, keyed by asset AND network. network '' is the ledger's unit for the
-- currency: wide enough that every network's amount converts into it without loss.
CREATE TABLE assets (
  code      text     NOT NULL,
  network   text     NOT NULL DEFAULT '',
  exponent  smallint NOT NULL CHECK (exponent BETWEEN 0 AND 30),
  kind      text     NOT NULL CHECK (kind IN ('fiat', 'crypto')),
  PRIMARY KEY (code, network)
);
INSERT INTO assets (code, network, exponent, kind) VALUES
  ('USD', '', 2, 'fiat'), ('EUR', '', 2, 'fiat'), ('BRL', '', 2, 'fiat'),
  ('XOF', '', 0, 'fiat'), ('XAF', '', 0, 'fiat'), ('CDF', '', 2, 'fiat'), ('GNF', '', 0, 'fiat'),
  ('USDT', '', 18, 'crypto'), ('USDT', 'Ethereum(ERC-20)', 6, 'crypto'), ('USDT', 'TRON(TRC-20)', 6, 'crypto'), ('USDT', 'BSC(BEP-20)', 18, 'crypto'),
  ('ETH', '', 18, 'crypto'), ('ETH', 'Ethereum(ERC-20)', 18, 'crypto'),
  ('BNB', '', 18, 'crypto'), ('BNB', 'BSC(BEP-20)', 18, 'crypto'),
  ('TRX', '', 6, 'crypto'), ('TRX', 'TRON(TRC-20)', 6, 'crypto'),
  ('BTC', '', 8, 'crypto'), ('BTC', 'Bitcoin', 8, 'crypto');

CREATE SEQUENCE merchant_id_seq START WITH 20000001;

CREATE TABLE merchants (
  id                     bigint PRIMARY KEY DEFAULT nextval('merchant_id_seq'),
  brand                  text NOT NULL,
  company                text NOT NULL,
  website                text NOT NULL,
  email                  text NOT NULL,
  username               text NOT NULL UNIQUE,
  password_hash          text NOT NULL,
  must_change_password   boolean NOT NULL DEFAULT true,
  security_key_sealed    text NOT NULL,
  key_version            integer NOT NULL DEFAULT 1,
  merchant_secret_digest text NOT NULL UNIQUE,
  callback_url           text,
  webhook_format         text NOT NULL DEFAULT 'cpay' CHECK (webhook_format IN ('cpay', 'cpay-legacy')),
  fee_bps                integer NOT NULL DEFAULT 0 CHECK (fee_bps BETWEEN 0 AND 10000),
  default_currency       text NOT NULL DEFAULT 'USD',
  allowed_hosts          text[] NOT NULL,
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL
);
ALTER SEQUENCE merchant_id_seq OWNED BY merchants.id;

CREATE TABLE orders (
  id                text PRIMARY KEY,
  merchant_id       bigint NOT NULL REFERENCES merchants(id),
  merchant_trade_no text NOT NULL,
  dialect           text NOT NULL,
  request_digest    text NOT NULL,
  user_id           text,
  currency          text NOT NULL,
  amount            numeric(78,0) NOT NULL CHECK (amount > 0),
  amount_text       text NOT NULL,
  status            smallint NOT NULL DEFAULT 0 CHECK (status IN (0, 11, 14, 15)),
  paid_amount       numeric(78,0),
  fee               numeric(78,0),
  received_amount   numeric(78,0),
  rail              text,
  network           text,
  hash              text,
  remark            text NOT NULL DEFAULT '',
  ext_info          text NOT NULL DEFAULT '',
  callback_url      text,
  success_url       text,
  fail_url          text,
  pay_code          text NOT NULL UNIQUE,
  watch_code        text NOT NULL UNIQUE,
  create_time_ms    bigint,
  expires_at        timestamptz NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  completed_at      timestamptz,
  UNIQUE (merchant_id, merchant_trade_no)
);
CREATE INDEX orders_open_expiry ON orders (expires_at) WHERE status = 0;
CREATE INDEX orders_hash ON orders (merchant_id, hash) WHERE hash IS NOT NULL;

-- Append-only history of every status change.
CREATE TABLE order_events (
  id          bigserial PRIMARY KEY,
  order_id    text NOT NULL REFERENCES orders(id),
  from_status smallint,
  to_status   smallint NOT NULL,
  reason      text NOT NULL,
  at          timestamptz NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE TABLE ledger_accounts (
  id          bigserial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  kind        text NOT NULL,
  merchant_id bigint REFERENCES merchants(id),
  currency    text NOT NULL,
  balance     numeric(78,0) NOT NULL DEFAULT 0
);
CREATE INDEX ledger_accounts_merchant ON ledger_accounts (merchant_id) WHERE merchant_id IS NOT NULL;

CREATE TABLE journal_entries (
  id        bigserial PRIMARY KEY,
  kind      text NOT NULL,
  order_id  text REFERENCES orders(id),
  memo      text NOT NULL,
  at        timestamptz NOT NULL
);
-- One payment entry per order, whatever retries or races happen upstream.
CREATE UNIQUE INDEX journal_one_payment_per_order ON journal_entries (order_id) WHERE kind = 'order_payment';

CREATE TABLE postings (
  id         bigserial PRIMARY KEY,
  entry_id   bigint NOT NULL REFERENCES journal_entries(id),
  account_id bigint NOT NULL REFERENCES ledger_accounts(id),
  currency   text NOT NULL,
  amount     numeric(78,0) NOT NULL CHECK (amount <> 0)
);
CREATE INDEX postings_account ON postings (account_id);
CREATE INDEX postings_entry ON postings (entry_id);

-- Webhook outbox: written in the transaction of the status change, delivered by workers.
CREATE TABLE webhook_deliveries (
  id              bigserial PRIMARY KEY,
  merchant_id     bigint NOT NULL REFERENCES merchants(id),
  order_id        text NOT NULL REFERENCES orders(id),
  order_status    smallint NOT NULL,
  format          text NOT NULL,
  url             text,
  payload         jsonb NOT NULL,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'no_url')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until     timestamptz,
  created_at      timestamptz NOT NULL,
  delivered_at    timestamptz
);
CREATE INDEX webhook_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_by_order ON webhook_deliveries (order_id, id);

CREATE TABLE webhook_attempts (
  id            bigserial PRIMARY KEY,
  delivery_id   bigint NOT NULL REFERENCES webhook_deliveries(id),
  attempt_no    integer NOT NULL,
  started_at    timestamptz NOT NULL,
  duration_ms   integer NOT NULL,
  http_status   integer,
  response_body text,
  error         text,
  ok            boolean NOT NULL,
  UNIQUE (delivery_id, attempt_no)
);
