-- Mobile-money start in two steps without a crash window (issue 9 defect 9.9): the attempt is first
-- recorded as 'initiating' (the order is claimed, the connector not yet asked), then the connector's answer
-- and the order's PENDING → PROCESSING are written in one transaction. While initiating, the connector's
-- reference, confirmation step and deadline are not known yet; an attempt abandoned before the connector
-- answered may end 'failed' without them.
ALTER TABLE mobile_money_payments DROP CONSTRAINT mobile_money_payments_state_check;
ALTER TABLE mobile_money_payments ADD CONSTRAINT mobile_money_payments_state_check
  CHECK (state IN ('initiating', 'confirming', 'succeeded', 'failed'));
ALTER TABLE mobile_money_payments ALTER COLUMN confirmation DROP NOT NULL;
ALTER TABLE mobile_money_payments ALTER COLUMN operator_id DROP NOT NULL;
ALTER TABLE mobile_money_payments ALTER COLUMN deadline DROP NOT NULL;
ALTER TABLE mobile_money_payments ADD CONSTRAINT mobile_money_payments_connector_answer
  CHECK (state IN ('initiating', 'failed') OR (confirmation IS NOT NULL AND operator_id IS NOT NULL AND deadline IS NOT NULL));
-- The poller walks the open attempts (initiating, confirming) in order id order.
CREATE INDEX mobile_money_payments_open ON mobile_money_payments (state, order_id)
  WHERE state IN ('initiating', 'confirming');
