-- Issue 12, operator console core: merchant suspension, sealed merchant secret and CinetPay apikey (spec M9
-- items 4-5), and the append-only audit log of every operator action.

-- A suspended merchant's authenticated requests are refused (MERCHANT_SUSPENDED); NULL = active.
ALTER TABLE merchants ADD COLUMN suspended_at timestamptz;
ALTER TABLE merchants ADD COLUMN suspended_reason text;

-- Sealed beside the digest used for look-up, so the portal can show them again after re-authentication.
-- NULL for credentials issued before this migration: only their digest exists (the portal says "rotate to see").
ALTER TABLE merchants ADD COLUMN merchant_secret_sealed text;
ALTER TABLE cinetpay_sites ADD COLUMN apikey_sealed text;

-- One row per operator action, written in the transaction of the action. Never updated, never deleted.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL,
  -- Who: an operator of the console (actor_id = operators.id), the CLI, the admin token, or the system.
  actor_kind  text NOT NULL CHECK (actor_kind IN ('operator', 'cli', 'admin-token', 'system')),
  actor_id    text,
  -- The client address of the HTTP request (NULL for the CLI).
  address     text,
  action      text NOT NULL,
  merchant_id bigint REFERENCES merchants(id),
  target      text,
  -- Summaries of the changed fields before and after; never a secret.
  before      jsonb,
  after       jsonb
);
-- Searches are keyset-paginated on id (newest first) within each filter.
CREATE INDEX audit_log_by_actor ON audit_log (actor_kind, actor_id, id);
CREATE INDEX audit_log_by_merchant ON audit_log (merchant_id, id) WHERE merchant_id IS NOT NULL;
CREATE INDEX audit_log_by_action ON audit_log (action, id);
CREATE INDEX audit_log_by_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Webhook health per destination reads pending deliveries by destination.
CREATE INDEX webhook_pending_by_destination ON webhook_deliveries (destination, created_at) WHERE state = 'pending';
