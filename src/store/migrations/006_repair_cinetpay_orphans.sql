-- Issue 9 defect 1: the repair of CinetPay orders that the old two-transaction initialisation left without
-- their dialect row (the initialisation now writes both in one transaction).

-- CinetPay orders without their dialect row (the old code wrote the two in separate transactions; a
-- failure in between left the order behind and broke every later expiry pass). The site and
-- transaction id are in the order's merchant_trade_no (cp:<site_id>:<transaction_id>); the rest takes
-- neutral values. The initialisation had failed, so the merchant never got a token: still-pending ones
-- are closed with an event row, as any status change.
CREATE TEMP TABLE orphan_cinetpay ON COMMIT DROP AS
SELECT o.id, split_part(o.merchant_trade_no, ':', 2) AS site_id,
       substr(o.merchant_trade_no, length(split_part(o.merchant_trade_no, ':', 2)) + 5) AS transaction_id,
       o.callback_url, o.status, o.created_at
FROM orders o
WHERE o.dialect = 'cinetpay' AND o.merchant_trade_no ~ '^cp:[0-9]+:.'
  AND NOT EXISTS (SELECT 1 FROM cinetpay_orders c WHERE c.order_id = o.id)
  AND EXISTS (SELECT 1 FROM cinetpay_sites s WHERE s.site_id = split_part(o.merchant_trade_no, ':', 2));

INSERT INTO cinetpay_orders (order_id, site_id, transaction_id, channels, lang, description, metadata, notify_url,
                             return_url, invoice_data, lock_phone_number, customer, created_at)
SELECT id, site_id, transaction_id, ARRAY['ALL'], 'fr', '', NULL, COALESCE(callback_url, ''), '', NULL, false, '{}',
       created_at
FROM orphan_cinetpay;

WITH closed AS (
  UPDATE orders o SET status = 15, remark = 'initialisation incomplete', updated_at = now(), completed_at = now()
  FROM orphan_cinetpay x WHERE o.id = x.id AND o.status = 0
  RETURNING o.id)
INSERT INTO order_events (order_id, from_status, to_status, reason, at)
SELECT id, 0, 15, 'repaired: initialisation incomplete', now() FROM closed;
