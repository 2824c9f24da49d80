-- Core tables: tenants, workers, workspaces, tasks, task_events, api_keys.
--
-- Tenancy: every tenant table has tenant_id and a policy that compares it with the
-- transaction-local setting app.tenant_id. With no tenant set the comparison is NULL, so
-- a query sees nothing and an insert is refused: row-level security fails closed.
-- Foreign keys include tenant_id, so a row can never point at another tenant's row.

-- The role the application connects as. Created without LOGIN: each environment gives it
-- a password (scripts/stack for local, `ALTER ROLE ... LOGIN PASSWORD` on Neon).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'codetether_app') THEN
    CREATE ROLE codetether_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS app;
GRANT USAGE ON SCHEMA app TO codetether_app;
GRANT USAGE ON SCHEMA public TO codetether_app;

CREATE FUNCTION app.current_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Tables created from here on by the migration owner are usable by the app role.
-- Whether it sees any rows is decided by each table's policy.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO codetether_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO codetether_app;

CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  display_name text NOT NULL,
  plan text NOT NULL DEFAULT 'free',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workers (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id text NOT NULL CHECK (length(id) BETWEEN 1 AND 200),
  name text NOT NULL,
  hostname text,
  capabilities jsonb NOT NULL DEFAULT '[]',
  models jsonb NOT NULL DEFAULT '[]',
  agents jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'busy', 'offline')),
  registered_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE workspaces (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id text NOT NULL DEFAULT gen_random_uuid()::text,
  name text NOT NULL,
  path text NOT NULL,
  aliases text[] NOT NULL DEFAULT '{}',
  description text NOT NULL DEFAULT '',
  worker_id text,
  agent_config jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'idle',
  git_url text,
  git_branch text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, worker_id) REFERENCES workers (tenant_id, id) ON DELETE SET NULL (worker_id)
);
CREATE UNIQUE INDEX workspaces_path_key ON workspaces (tenant_id, path);

-- One row per task, whoever created it (A2A, REST, MCP, cron, another agent). Status uses
-- the A2A names; the REST layer maps them to upstream's names.
CREATE TABLE tasks (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id text NOT NULL DEFAULT gen_random_uuid()::text,
  context_id text NOT NULL DEFAULT gen_random_uuid()::text,
  workspace_id text,
  title text NOT NULL DEFAULT '',
  prompt text NOT NULL DEFAULT '',
  agent_type text NOT NULL DEFAULT 'build',
  status text NOT NULL DEFAULT 'submitted' CHECK (status IN (
    'submitted', 'working', 'input-required', 'auth-required',
    'completed', 'failed', 'canceled', 'rejected')),
  priority integer NOT NULL DEFAULT 0,
  target_agent_name text,
  target_worker_id text,
  required_capabilities text[] NOT NULL DEFAULT '{}',
  model_ref text,
  deadline_at timestamptz,
  worker_id text,
  lease_expires_at timestamptz,
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts > 0),
  result text,
  error text,
  metadata jsonb NOT NULL DEFAULT '{}',
  last_seq bigint NOT NULL DEFAULT 0,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, workspace_id) REFERENCES workspaces (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, worker_id) REFERENCES workers (tenant_id, id) ON DELETE SET NULL (worker_id)
);
CREATE INDEX tasks_queue_idx ON tasks (tenant_id, priority DESC, created_at)
  WHERE status = 'submitted';
CREATE INDEX tasks_lease_idx ON tasks (lease_expires_at) WHERE status = 'working';
CREATE INDEX tasks_workspace_idx ON tasks (tenant_id, workspace_id, created_at DESC);
CREATE INDEX tasks_context_idx ON tasks (tenant_id, context_id);

-- Every change of a task, in order. seq comes from tasks.last_seq, bumped in the same
-- transaction, so it is gap-free and strictly increasing per task.
CREATE TABLE task_events (
  tenant_id uuid NOT NULL,
  task_id text NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  kind text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, task_id, seq),
  FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE api_keys (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id text,
  name text NOT NULL,
  key_hash bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  key_prefix text NOT NULL,
  scopes text[] NOT NULL DEFAULT '{}',
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

-- Row-level security, forced so that not even the owner role bypasses it by accident.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
  USING (id = app.current_tenant_id())
  WITH CHECK (id = app.current_tenant_id());
-- A tenant may read and rename itself; creating and deleting tenants is an operator's job.
REVOKE INSERT, DELETE ON tenants FROM codetether_app;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['workers', 'workspaces', 'tasks', 'task_events', 'api_keys'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app.current_tenant_id()) '
      'WITH CHECK (tenant_id = app.current_tenant_id())', t);
  END LOOP;
END
$$;

-- Operator work that must cross the tenant boundary goes through one function per job.
-- SECURITY DEFINER runs as the migration owner, which FORCE subjects to the policies too,
-- so the function sets the tenant it is creating before inserting it.
CREATE FUNCTION app.create_tenant(p_slug text, p_display_name text, p_id uuid DEFAULT gen_random_uuid())
  RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM set_config('app.tenant_id', p_id::text, true);
  INSERT INTO tenants (id, slug, display_name) VALUES (p_id, p_slug, p_display_name)
    ON CONFLICT (id) DO NOTHING;
  RETURN p_id;
END
$$;
REVOKE ALL ON FUNCTION app.create_tenant(text, text, uuid) FROM PUBLIC;

-- The app reads which migration is applied (for /health/detail); it holds no tenant data.
GRANT SELECT ON schema_migrations TO codetether_app;
