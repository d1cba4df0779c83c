-- Issue 12 (merchant portal, payments): indexes behind the merchant's order list, its filters, the journal
-- behind each balance and the daily chart. Every list walks an index in its own order and stops after one
-- page (keyset pagination on created_at, id), so a page costs the same at the first order as at the millionth.

-- The list and its date range: newest first is a backward scan of this index.
CREATE INDEX orders_merchant_created ON orders (merchant_id, created_at, id);
-- The status filter (also "status within a date range").
CREATE INDEX orders_merchant_status_created ON orders (merchant_id, status, created_at, id);
-- The amount filter: amounts are minor units of their currency, so the currency leads.
CREATE INDEX orders_merchant_amount ON orders (merchant_id, currency, amount);

-- An order's journal entries (order page); entries of exchanges have no order.
CREATE INDEX journal_entries_order ON journal_entries (order_id) WHERE order_id IS NOT NULL;
-- The first entry of a day range (chart): entries are appended in time order, give or take concurrency.
CREATE INDEX journal_entries_at ON journal_entries (at);
-- The journal behind a balance, newest first by posting id, and the chart's postings since an entry:
-- (account_id, entry_id, id) serves both; it makes the single-column postings_account redundant.
CREATE INDEX postings_account_entry ON postings (account_id, entry_id, id);
DROP INDEX postings_account;
