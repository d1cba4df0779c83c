-- Issue 10: which signature recipe each merchant's requests match (shared/spec/README.md "Signature recipes"),
-- so operators see who relies on a demo's recipe. Counts arrive in batches (core/signature-tally.ts).
CREATE TABLE merchant_signature_recipes (
  merchant_id  bigint NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
  recipe       text NOT NULL CHECK (recipe IN ('text', 'all-params', 'php-empty')),
  count        bigint NOT NULL CHECK (count >= 0),
  last_seen_at timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, recipe)
);
