-- CinetPay's legacy signature-form API (issue 10, docs/cinetpay-legacy.md): what a getSignatureByPost carried
-- beyond the CinetPay order (cinetpay_orders), and the addresses the cash-desk form brings later. The order,
-- its site, its hosted page and its notifications are the CinetPay dialect's own; nothing here adds columns.
CREATE TABLE cinetpay_legacy_orders (
  order_id       text PRIMARY KEY REFERENCES orders(id),
  -- The signed fields in canonical JSON: the cash desk refuses a form whose fields differ (a tampered form).
  fields         text NOT NULL,
  trans_date     text NOT NULL,
  page_action    text NOT NULL,
  payment_config text NOT NULL,
  version        text NOT NULL,
  -- Set once, by the first cash-desk form with a valid signature; the same form again finds them set.
  cancel_url     text,
  desk_at        timestamptz,
  created_at     timestamptz NOT NULL
);
