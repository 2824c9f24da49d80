-- A listing's index in the listing's order. Pages go newest status first, ties broken by id
-- descending (the keyset cursor is (status_at, id)), but 0002's index keeps ids ascending
-- within a status time. So a page read the index only up to the status time, then sorted the
-- whole group that shares it: every task changed in one transaction (a bulk insert, a sweep)
-- shares its now(), and a page among 3,000 such tasks read all 3,000 (3 ms, against 0.4 ms
-- for a page among tasks of distinct times). In this order a page reads its rows and stops.
CREATE INDEX tasks_status_at_id_idx ON tasks (tenant_id, status_at DESC, id DESC);
DROP INDEX tasks_status_at_idx;
