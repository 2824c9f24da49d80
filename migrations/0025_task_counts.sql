-- How many tasks each tenant has, kept by trigger (issue 27). A listing's total (A2A's
-- ListTasks totalSize) was a count of every task of the tenant on every page: a scan that
-- grows with the tenant and, before the visibility map caught up with new rows, read the
-- heap too. With no filter the total is now the sum of a few rows.
--
-- A tenant's count is spread over slots (by backend), so that concurrent inserts of one
-- tenant do not queue on one row's lock. The rows change only through the trigger: the app
-- role may read its tenant's, never write them.
CREATE TABLE task_counts (
  tenant_id uuid NOT NULL,
  slot smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (tenant_id, slot)
);

-- The owner counts existing tasks, which FORCE would hide from it without a tenant set: the
-- ALTERs lock tasks, so no task is inserted between the count and the trigger.
ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY;
INSERT INTO task_counts (tenant_id, slot, n)
  SELECT tenant_id, 0, count(*) FROM tasks GROUP BY tenant_id;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;

ALTER TABLE task_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON task_counts
  USING (tenant_id = app.current_tenant_id())
  WITH CHECK (tenant_id = app.current_tenant_id());
REVOKE INSERT, UPDATE, DELETE ON task_counts FROM codetether_app;

-- SECURITY DEFINER: the app role cannot write the counts itself. The owner is subject to the
-- policy too (FORCE), and a task's tenant is always the transaction's tenant.
CREATE FUNCTION app.count_tasks() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO task_counts AS c (tenant_id, slot, n)
      SELECT tenant_id, pg_backend_pid() % 16, count(*) FROM added GROUP BY tenant_id
    ON CONFLICT (tenant_id, slot) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    INSERT INTO task_counts AS c (tenant_id, slot, n)
      SELECT tenant_id, pg_backend_pid() % 16, -count(*) FROM removed GROUP BY tenant_id
    ON CONFLICT (tenant_id, slot) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION app.count_tasks() FROM PUBLIC;

-- Per statement, over the rows it changed: a statement that inserts many tasks pays one
-- upsert per tenant, not one per task.
CREATE TRIGGER tasks_counted_on_insert
  AFTER INSERT ON tasks REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION app.count_tasks();
CREATE TRIGGER tasks_counted_on_delete
  AFTER DELETE ON tasks REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION app.count_tasks();
