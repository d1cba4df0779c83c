-- Issue 13, submitKYC (seed 001 §11, shared/spec M6): one KYC record per (merchant, user), upserted. The record is
-- personal data: it is stored only sealed (deps.box, AES-256-GCM under the master key), never in clear.
CREATE TABLE kyc_records (
  merchant_id   bigint NOT NULL REFERENCES merchants(id),
  -- The merchant's own user id (not personal data by itself; pwpp looks it up, src/core/kyc.ts hasKyc).
  user_id       text NOT NULL,
  -- The normalised record (src/domain/kyc-record.ts) as JSON, sealed.
  record_sealed text NOT NULL,
  -- Keyed digest (deps.box.mac) of the normalised record: an identical resubmission changes nothing, without
  -- opening the sealed one. Keyed, because a plain hash of a few personal fields can be reversed by guessing.
  record_digest text NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, user_id)
);
