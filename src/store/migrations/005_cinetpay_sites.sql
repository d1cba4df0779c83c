-- CinetPay dialect (issue 4): credentials per site, the dialect's own data per order, and the sandbox
-- mobile-money rail's attempts. Orders themselves stay in `orders`; nothing here adds columns to it.

-- Currencies of the CinetPay region (already in 001 on most installs; kept idempotent).
INSERT INTO assets (code, network, exponent, kind) VALUES
  ('XOF', '', 0, 'fiat'), ('XAF', '', 0, 'fiat'), ('CDF', '', 2, 'fiat'), ('GNF', '', 0, 'fiat'), ('USD', '', 2, 'fiat')
ON CONFLICT (code, network) DO NOTHING;

-- A merchant may have several sites. site_id is numeric text as CinetPay's; the apikey is stored as its
-- sha256 digest (lookup only), the notification secret sealed with the master key like security keys.
CREATE SEQUENCE cinetpay_site_id_seq START WITH 5000001;
CREATE TABLE cinetpay_sites (
  site_id              text PRIMARY KEY DEFAULT nextval('cinetpay_site_id_seq')::text CHECK (site_id ~ '^[0-9]{1,18}$'),
  merchant_id          bigint NOT NULL REFERENCES merchants(id),
  apikey_digest        text NOT NULL UNIQUE,
  notify_secret_sealed text NOT NULL,
  created_at           timestamptz NOT NULL,
  rotated_at           timestamptz
);
ALTER SEQUENCE cinetpay_site_id_seq OWNED BY cinetpay_sites.site_id;
CREATE INDEX cinetpay_sites_merchant ON cinetpay_sites (merchant_id);

-- What a CinetPay initialisation carried beyond the core order (keyed by the order).
CREATE TABLE cinetpay_orders (
  order_id          text PRIMARY KEY REFERENCES orders(id),
  site_id           text NOT NULL REFERENCES cinetpay_sites(site_id),
  transaction_id    text NOT NULL,
  channels          text[] NOT NULL,
  lang              text NOT NULL CHECK (lang IN ('fr', 'en')),
  description       text NOT NULL,
  metadata          text,
  notify_url        text NOT NULL,
  return_url        text NOT NULL,
  invoice_data      jsonb,
  lock_phone_number boolean NOT NULL DEFAULT false,
  customer          jsonb NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL,
  UNIQUE (site_id, transaction_id)
);

-- One mobile-money attempt per order on the mobile-money rail (sandbox connector or a real one).
CREATE TABLE mobile_money_payments (
  order_id       text PRIMARY KEY REFERENCES orders(id),
  connector      text NOT NULL,
  operator       text NOT NULL,
  payment_method text NOT NULL,
  phone_prefix   text NOT NULL,
  phone          text NOT NULL,
  confirmation   text NOT NULL CHECK (confirmation IN ('otp', 'push')),
  operator_id    text NOT NULL,
  state          text NOT NULL DEFAULT 'confirming' CHECK (state IN ('confirming', 'succeeded', 'failed')),
  failure        text,
  otp_attempts   integer NOT NULL DEFAULT 0,
  deadline       timestamptz NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
