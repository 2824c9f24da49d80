-- Creating a task as one function, for the reason of 0012: PL/pgSQL keeps the plan of the
-- insert (task and first events), which SQL-over-HTTP would otherwise plan on every call.
-- p_task: the row's columns by name, as JSON (absent ones take their defaults); p_events the
-- events, numbered from 1. Security invoker: RLS applies inside.
CREATE FUNCTION app.insert_task(p_task jsonb, p_events jsonb) RETURNS json
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_result json;
BEGIN
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
