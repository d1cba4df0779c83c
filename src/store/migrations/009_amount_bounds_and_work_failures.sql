-- Issue 9: per-currency maximum amounts (defect 5) and the items a worker failed on, each retried on its own
-- later (defect 1).

-- The largest order amount of a currency, in the ledger's minor units (network '' rows). An order above it
-- is refused (AMOUNT_TOO_LARGE), so no order can drive a shared account out of numeric(78,0).
-- TENDER_MAX_AMOUNTS overrides these defaults at start (README "Configuration").
ALTER TABLE assets ADD COLUMN max_amount numeric(78,0) CHECK (max_amount > 0);
UPDATE assets a SET max_amount = d.major * power(10::numeric, a.exponent)
FROM (VALUES ('USD', 1000000), ('EUR', 1000000), ('BRL', 5000000), ('XOF', 500000000), ('XAF', 500000000),
             ('CDF', 2000000000), ('GNF', 10000000000), ('USDT', 1000000), ('ETH', 10000), ('BNB', 50000),
             ('TRX', 100000000), ('BTC', 1000)) AS d(code, major)
WHERE a.code = d.code AND a.network = '';

-- A worker that fails on one item (an order to expire, say) records it here and skips it until retry_at,
-- so one bad row never holds up the others; operators see what is stuck and why.
CREATE TABLE work_failures (
  kind            text NOT NULL,
  item_id         text NOT NULL,
  attempts        integer NOT NULL,
  last_error      text NOT NULL,
  first_failed_at timestamptz NOT NULL,
  last_failed_at  timestamptz NOT NULL,
  retry_at        timestamptz NOT NULL,
  PRIMARY KEY (kind, item_id)
);
