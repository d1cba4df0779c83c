-- Issue 11: fiat payouts (spec M2, createFiatPayoutOrder). A fiat payout is an order of kind 'fiat_payout' with a
-- payouts row of kind 'fiat' (migration 013): network 'PIX' (payoutChannel 1) or 'CARD' (2), to_address the
-- MASKED account, chain_amount = received. The account itself lives sealed beside it; every submission to the
-- fiat payout rail in fiat_payout_submissions; the sandbox rails keep their records in sandbox_fiat_payouts.

-- The destination account, sealed with the master key (deps.box): a card number or a Pix key is personal data
-- and, for cards, PCI DSS cardholder data. Only the masked form is ever shown.
CREATE TABLE fiat_payout_accounts (
  payout_id      text PRIMARY KEY REFERENCES payouts(order_id),
  channel        smallint NOT NULL CHECK (channel IN (1, 2)),
  account_type   text CHECK (account_type IN ('cpf', 'cnpj', 'email', 'phone', 'random')),
  account_sealed text NOT NULL,
  account_masked text NOT NULL,
  bank_code      text,
  country        text NOT NULL,
  CHECK ((channel = 1) = (account_type IS NOT NULL))
);

-- What the rail answered for a payout: its reference (a Pix EndToEndId) and, once final, the verdict. One row per
-- payout: the rail dedupes by payout id, so a submission repeated after a crash gives the same reference.
CREATE TABLE fiat_payout_submissions (
  payout_id    text PRIMARY KEY REFERENCES payouts(order_id),
  rail         text NOT NULL,
  ref          text NOT NULL,
  state        text NOT NULL CHECK (state IN ('submitted', 'succeeded', 'failed')),
  failure      text,
  submitted_at timestamptz NOT NULL,
  settled_at   timestamptz,
  updated_at   timestamptz NOT NULL,
  UNIQUE (rail, ref)
);
CREATE INDEX fiat_payout_submissions_open ON fiat_payout_submissions (updated_at) WHERE state = 'submitted';

-- The fiat sender's work: ready payouts by due time (the crypto sender looks up its networks, never PIX or CARD).
CREATE INDEX payouts_fiat_ready ON payouts (next_try_at) WHERE stage = 'ready' AND kind = 'fiat';

-- The sandbox fiat payout rails' durable store (src/rails/fiat-payout/sandbox-engine.ts SandboxPayoutStore): the
-- first submission of each payout id wins. No account and no amount in clear, only the engine's fingerprint.
CREATE TABLE sandbox_fiat_payouts (
  payout_id       text PRIMARY KEY,
  ref             text NOT NULL UNIQUE,
  fingerprint     text NOT NULL,
  submitted_at_ms bigint NOT NULL,
  scenario        text NOT NULL
);
