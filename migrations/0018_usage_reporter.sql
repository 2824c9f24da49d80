-- Usage is believed only from whom it belongs to: each ledger entry says who reported it (the
-- worker that ran the work, or the server's own agent), and an admin can void a false one.
-- The ledger stays append-only: voiding marks an entry, it never rewrites or removes it.
ALTER TABLE token_usage
  ADD COLUMN reported_by text,
  ADD COLUMN voided_at timestamptz,
  ADD COLUMN voided_by text;
GRANT UPDATE (voided_at, voided_by) ON token_usage TO codetether_app;
