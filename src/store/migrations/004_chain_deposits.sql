-- Chain watchers: a durable cursor per network and every deposit they saw, keyed by its place on chain.
-- log_index is the ERC-20 Transfer log's index, or -1 for a native transfer (one per transaction).
CREATE TABLE chain_cursors (
  network    text PRIMARY KEY,
  next_block bigint NOT NULL CHECK (next_block >= 0),
  updated_at timestamptz NOT NULL
);

CREATE TABLE chain_deposits (
  id           bigserial PRIMARY KEY,
  network      text NOT NULL,
  tx_hash      text NOT NULL,
  log_index    integer NOT NULL CHECK (log_index >= -1),
  block_number bigint NOT NULL,
  block_hash   text NOT NULL,
  address      text NOT NULL,
  asset        text NOT NULL,
  chain_amount numeric(78,0) NOT NULL CHECK (chain_amount > 0),
  amount       numeric(78,0) NOT NULL CHECK (amount > 0),
  order_id     text REFERENCES orders(id),
  merchant_id  bigint NOT NULL REFERENCES merchants(id),
  status       text NOT NULL DEFAULT 'seen' CHECK (status IN ('seen', 'confirmed', 'reorged')),
  seen_at      timestamptz NOT NULL,
  confirmed_at timestamptz,
  updated_at   timestamptz NOT NULL,
  UNIQUE (network, tx_hash, log_index)
);
CREATE INDEX chain_deposits_pending ON chain_deposits (network, block_number) WHERE status = 'seen';
CREATE INDEX chain_deposits_order ON chain_deposits (order_id) WHERE order_id IS NOT NULL;
