-- Deposit addresses derived from the operator's account xpubs (non-custodial). One derivation index
-- sequence per key family; a user's static address per family; a fresh address per crypto order.
CREATE TABLE derivation_counters (
  family     text PRIMARY KEY CHECK (family IN ('evm', 'tron', 'bitcoin')),
  next_index integer NOT NULL DEFAULT 0
);
INSERT INTO derivation_counters (family) VALUES ('evm'), ('tron'), ('bitcoin');

CREATE TABLE deposit_addresses (
  id               bigserial PRIMARY KEY,
  family           text NOT NULL,
  derivation_index integer NOT NULL CHECK (derivation_index >= 0),
  address          text NOT NULL,
  merchant_id      bigint NOT NULL REFERENCES merchants(id),
  user_id          text,
  order_id         text REFERENCES orders(id),
  purpose          text NOT NULL CHECK (purpose IN ('user', 'order')),
  created_at       timestamptz NOT NULL,
  UNIQUE (family, derivation_index),
  UNIQUE (family, address),
  CHECK ((purpose = 'user') = (user_id IS NOT NULL AND order_id IS NULL))
);
CREATE UNIQUE INDEX deposit_addresses_user ON deposit_addresses (merchant_id, user_id, family) WHERE purpose = 'user';
CREATE UNIQUE INDEX deposit_addresses_order ON deposit_addresses (order_id, family) WHERE purpose = 'order';
