-- Cron jobs: a schedule and the task each run creates. Each due run is claimed once, by the
-- unique (job, scheduled_for): two schedulers, a retry or a restart find the slot taken.
-- The tenant's WorkerHub alarm fires them, so no scan crosses the tenant boundary.
CREATE TABLE cron_jobs (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  cron_expression text NOT NULL,
  timezone text NOT NULL DEFAULT 'UTC',
  -- What each run asks for: title, prompt, agent_type, codebase_id, priority, model_ref, metadata.
  task_template jsonb NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  -- The next slot to fire; null while disabled.
  next_run_at timestamptz,
  last_run_at timestamptz,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cron_jobs_due_idx ON cron_jobs (next_run_at) WHERE enabled;

CREATE TABLE cron_runs (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  cronjob_id uuid NOT NULL,
  -- The schedule's slot (or the moment of a manual trigger).
  scheduled_for timestamptz NOT NULL,
  trigger text NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'manual')),
  -- claimed: the slot is ours; dispatched: its task exists; failed: it could not be created.
  status text NOT NULL DEFAULT 'claimed' CHECK (status IN ('claimed', 'dispatched', 'failed')),
  task_id text,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, cronjob_id, scheduled_for),
  FOREIGN KEY (tenant_id, cronjob_id) REFERENCES cron_jobs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX cron_runs_job_idx ON cron_runs (tenant_id, cronjob_id, started_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cron_jobs', 'cron_runs'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app.current_tenant_id()) '
      'WITH CHECK (tenant_id = app.current_tenant_id())', t);
  END LOOP;
END
$$;
