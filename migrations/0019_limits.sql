-- Limits (src/limits/table.ts). Each tenant's own values, set by its admins within the maxima
-- the operator allows: a name -> number object; a name not in it takes the default.
ALTER TABLE tenants ADD COLUMN limits jsonb NOT NULL DEFAULT '{}'
  CONSTRAINT tenants_limits_object CHECK (jsonb_typeof(limits) = 'object');
GRANT UPDATE (limits) ON tenants TO codetether_app;

-- Count limits (cron jobs, bus agents): run after the insert in the same transaction, so the new
-- row counts, and a tenant over its bound has the whole transaction undone (SQLSTATE CT429).
-- The caller takes a transaction-scoped advisory lock per tenant and limit first: two creations
-- at once are counted one after the other.
CREATE FUNCTION app.assert_within(p_limit text, p_count bigint, p_max int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_count > p_max THEN
    RAISE EXCEPTION '%', p_limit USING ERRCODE = 'CT429', DETAIL = p_count::text;
  END IF;
END
$$;
