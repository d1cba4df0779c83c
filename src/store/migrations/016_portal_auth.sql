-- Issue 12: logins to the merchant portal and the operator console (docs/portal.md).

-- Sessions of both (@fastify/session's store, src/store/portal-sessions-repo.ts): shared by every process.
-- account_kind/account_id name the logged-in account (NULL before login) so "log out everywhere" and a
-- password change can end all of an account's sessions with one DELETE.
CREATE TABLE portal_sessions (
  sid          text PRIMARY KEY,
  account_kind text CHECK (account_kind IN ('merchant', 'operator')),
  account_id   bigint,
  data         jsonb NOT NULL,
  expires_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX portal_sessions_account ON portal_sessions (account_kind, account_id) WHERE account_id IS NOT NULL;
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);

-- Lockout per account: failed_logins counts attempts since the last success (reserved before the password is
-- checked, so parallel guesses cannot overrun it); reaching the limit sets locked_until and starts again.
-- TOTP: the secret sealed with the master key; totp_last_step refuses a code used once already (replay).
ALTER TABLE merchants
  ADD COLUMN failed_logins   integer NOT NULL DEFAULT 0,
  ADD COLUMN locked_until    timestamptz,
  ADD COLUMN totp_secret_sealed text,
  ADD COLUMN totp_enabled_at timestamptz,
  ADD COLUMN totp_last_step  bigint NOT NULL DEFAULT 0;

-- Operators (migration 013: name + payout API token) become console users. Operators made before this
-- migration, and those made with `operator create <name>`, are admins without a password (token only).
ALTER TABLE operators
  ADD COLUMN email           text UNIQUE,
  ADD COLUMN role            text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'support')),
  ADD COLUMN password_hash   text,
  ADD COLUMN must_change_password boolean NOT NULL DEFAULT true,
  ADD COLUMN failed_logins   integer NOT NULL DEFAULT 0,
  ADD COLUMN locked_until    timestamptz,
  ADD COLUMN totp_secret_sealed text,
  ADD COLUMN totp_enabled_at timestamptz,
  ADD COLUMN totp_last_step  bigint NOT NULL DEFAULT 0;

-- One-time TOTP recovery codes: only a digest is kept; used_at is set once (a used code never works again).
CREATE TABLE recovery_codes (
  account_kind text NOT NULL CHECK (account_kind IN ('merchant', 'operator')),
  account_id   bigint NOT NULL,
  digest       text NOT NULL,
  created_at   timestamptz NOT NULL,
  used_at      timestamptz,
  PRIMARY KEY (account_kind, account_id, digest)
);
