-- Limits (src/limits/table.ts). Each tenant's own values, set by its admins within the maxima
-- the operator allows: a name -> number object; a name not in it takes the default.
ALTER TABLE tenants ADD COLUMN limits jsonb NOT NULL DEFAULT '{}'
  CONSTRAINT tenants_limits_object CHECK (jsonb_typeof(limits) = 'object');
GRANT UPDATE (limits) ON tenants TO codetether_app;

-- Tasks created per minute are counted from the tasks themselves, in the statement that inserts
-- one: every way of creating a task (REST, A2A, MCP, cron, a delegation) counts alike, and the
-- count needs no second store to agree with.
CREATE INDEX tasks_created_idx ON tasks (tenant_id, created_at);

-- app.insert_task (0013) with the tenant's rate: p_per_minute tasks in the last minute at most
-- (NULL: no bound). Over it, SQLSTATE CT429 with the seconds until a slot frees as DETAIL.
-- Concurrent inserts may each see the last free slot, so the bound can be passed by as many as
-- insert at the same instant: it stops an amplifier or a flood, not a race.
DROP FUNCTION app.insert_task(jsonb, jsonb);
CREATE FUNCTION app.insert_task(p_task jsonb, p_events jsonb, p_per_minute int) RETURNS json
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_result json;
  v_count int;
  v_oldest timestamptz;
BEGIN
  IF p_per_minute IS NOT NULL THEN
    SELECT count(*), min(created_at) INTO v_count, v_oldest
      FROM (SELECT created_at FROM tasks
             WHERE tenant_id = (p_task->>'tenant_id')::uuid
               AND created_at > now() - interval '1 minute'
             ORDER BY created_at LIMIT p_per_minute) recent;
    IF v_count >= p_per_minute THEN
      RAISE EXCEPTION 'tasks_per_minute' USING ERRCODE = 'CT429',
        DETAIL = greatest(1, ceil(extract(epoch FROM v_oldest + interval '1 minute' - now())))::text;
    END IF;
  END IF;
  WITH t AS (
    INSERT INTO tasks (tenant_id, id, context_id, workspace_id, title, prompt, agent_type,
                       priority, target_agent_name, target_worker_id, required_capabilities,
                       model_ref, deadline_at, metadata, created_by, status, status_message,
                       status_at, history, artifacts, result, error, started_at, completed_at,
                       last_seq)
    VALUES ((p_task->>'tenant_id')::uuid, p_task->>'id', p_task->>'context_id',
            p_task->>'workspace_id', coalesce(p_task->>'title', ''), coalesce(p_task->>'prompt', ''),
            coalesce(p_task->>'agent_type', 'build'), coalesce((p_task->>'priority')::int, 0),
            p_task->>'target_agent_name', p_task->>'target_worker_id',
            array(SELECT jsonb_array_elements_text(coalesce(p_task->'required_capabilities', '[]'))),
            p_task->>'model_ref', (p_task->>'deadline_at')::timestamptz,
            coalesce(p_task->'metadata', '{}'), p_task->>'created_by',
            coalesce(p_task->>'status', 'submitted'), nullif(p_task->'status_message', 'null'),
            coalesce((p_task->>'status_at')::timestamptz, now()),
            coalesce(p_task->'history', '[]'), coalesce(p_task->'artifacts', '[]'),
            p_task->>'result', p_task->>'error', (p_task->>'started_at')::timestamptz,
            (p_task->>'completed_at')::timestamptz, jsonb_array_length(p_events))
    RETURNING *
  ), e AS (
    INSERT INTO task_events (tenant_id, task_id, seq, kind, payload)
    SELECT t.tenant_id, t.id, ev.i, ev.e->>'kind', ev.e->'payload'
      FROM t, jsonb_array_elements(p_events) WITH ORDINALITY AS ev(e, i)
    RETURNING seq, kind, payload, created_at
  )
  SELECT json_build_object(
           'task', (SELECT row_to_json(t) FROM t),
           'events', (SELECT coalesce(json_agg(e ORDER BY e.seq), '[]'::json) FROM e))
    INTO v_result;
  RETURN v_result;
END
$$;

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
