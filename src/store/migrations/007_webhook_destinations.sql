-- Webhook delivery per destination (issue 9, defects 6 and 11): each delivery knows its destination
-- (scheme://host:port of its URL) so that claims can cap attempts in flight per destination, and a
-- destination that keeps failing is deferred as a whole. The state lives here so every worker agrees.
ALTER TABLE webhook_deliveries ADD COLUMN destination text;
-- Rows written before this migration: the URL up to its path (explicit default ports stay distinct).
UPDATE webhook_deliveries SET destination = lower(substring(url FROM '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*'))
  WHERE url IS NOT NULL;
-- Attempts in flight (leased) per destination, counted at every claim.
CREATE INDEX webhook_leased ON webhook_deliveries (destination) WHERE state = 'pending' AND lease_until IS NOT NULL;

CREATE TABLE webhook_destinations (
  destination          text PRIMARY KEY,
  consecutive_failures integer NOT NULL DEFAULT 0,
  -- How many times in a row the destination was deferred: the interval doubles with each.
  deferrals            integer NOT NULL DEFAULT 0,
  -- While in the future, no delivery to this destination is claimed (their own attempts are not used up).
  deferred_until       timestamptz,
  last_error           text,
  updated_at           timestamptz NOT NULL
);
-- The per-order ordering check of every claim looks only at pending rows of the order: a small index
-- that does not grow with delivered history.
CREATE INDEX webhook_pending_by_order ON webhook_deliveries (order_id, id) WHERE state = 'pending';
