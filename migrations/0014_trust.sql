-- The trust boundary between a shared server and a developer's machine.

-- A person's answer to a worker's request for approval: the only thing that lets a worker
-- take a held-back action. Made by a principal holding tasks:approve through the server,
-- never read from task metadata. A worker takes an approval once (used_*), fenced by the
-- attempt it holds, so one approval runs one action once.
CREATE TABLE task_approvals (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  task_id text NOT NULL,
  tool text NOT NULL,
  input jsonb NOT NULL,
  action_key text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approved', 'rejected')),
  decided_by text NOT NULL,
  decided_by_name text NOT NULL,
  note text,
  decided_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  used_by text,
  used_attempt integer,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id) ON DELETE CASCADE
);
-- At most one unused approval per action: two people answering at once grant one run.
CREATE UNIQUE INDEX task_approvals_open ON task_approvals (tenant_id, task_id, action_key)
  WHERE decision = 'approved' AND used_at IS NULL;
CREATE INDEX task_approvals_task ON task_approvals (tenant_id, task_id, decided_at);
SELECT app.isolate_tenant_tables(ARRAY['task_approvals']);
-- A decision is a record: the app may mark it used, never rewrite or remove it.
REVOKE UPDATE, DELETE ON task_approvals FROM codetether_app;
GRANT UPDATE (used_at, used_by, used_attempt) ON task_approvals TO codetether_app;

-- A worker token belongs to one worker: named when the token is made, or bound by the
-- first worker that registers with it.
ALTER TABLE api_keys ADD COLUMN worker_id text;
-- One live token per worker: a second token cannot be bound to a worker that has one.
CREATE UNIQUE INDEX api_keys_one_per_worker ON api_keys (tenant_id, worker_id)
  WHERE worker_id IS NOT NULL AND revoked_at IS NULL;

DROP FUNCTION app.authenticate_key(bytea);
CREATE FUNCTION app.authenticate_key(p_hash bytea)
  RETURNS TABLE (tenant_id uuid, id uuid, name text, user_id text, kind text, role text,
                 scopes text[], worker_id text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
  PERFORM set_config('app.auth_lookup', 'on', true);
  SELECT * INTO k FROM api_keys a
   WHERE a.key_hash = p_hash AND a.revoked_at IS NULL
     AND (a.expires_at IS NULL OR a.expires_at > now());
  PERFORM set_config('app.auth_lookup', 'off', true);
  IF k.id IS NULL THEN RETURN; END IF;
  PERFORM set_config('app.tenant_id', k.tenant_id::text, true);
  UPDATE api_keys a SET last_used_at = now()
   WHERE a.tenant_id = k.tenant_id AND a.id = k.id
     AND (a.last_used_at IS NULL OR a.last_used_at < now() - interval '1 minute');
  PERFORM set_config('app.tenant_id', '', true);
  RETURN QUERY SELECT k.tenant_id, k.id, k.name, k.user_id, k.kind, k.role, k.scopes,
    k.worker_id;
END
$$;
REVOKE ALL ON FUNCTION app.authenticate_key(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.authenticate_key(bytea) TO codetether_app;
