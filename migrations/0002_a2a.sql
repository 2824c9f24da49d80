-- A2A: what a task carries beyond the queue columns, push notification configs, and the
-- Memory agent's store. Messages and artifacts are kept as A2A v1.0 JSON (camelCase).

ALTER TABLE tasks
  ADD COLUMN history jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(history) = 'array'),
  ADD COLUMN artifacts jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(artifacts) = 'array'),
  ADD COLUMN status_message jsonb,
  ADD COLUMN status_at timestamptz NOT NULL DEFAULT now();

CREATE INDEX tasks_status_at_idx ON tasks (tenant_id, status_at DESC, id);

-- Webhooks to call on a task's changes. Secrets (token, credentials) are sealed with
-- AES-GCM by the app before they are stored and are never served back.
CREATE TABLE task_push_configs (
  tenant_id uuid NOT NULL,
  task_id text NOT NULL,
  id text NOT NULL,
  url text NOT NULL,
  sealed_token text,
  auth_scheme text,
  sealed_credentials text,
  -- The A2A version the config was made in decides the payload shape delivered to it.
  wire_version text NOT NULL DEFAULT '1.0' CHECK (wire_version IN ('0.3', '1.0')),
  -- The last event delivered: a delivery claims its seq first, so no event goes out twice.
  last_delivered_seq bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, task_id, id),
  FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE agent_memories (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['task_push_configs', 'agent_memories'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app.current_tenant_id()) '
      'WITH CHECK (tenant_id = app.current_tenant_id())', t);
  END LOOP;
END
$$;
