-- Task changes as one function, so that Postgres keeps its plans: over Neon's SQL-over-HTTP
-- every statement is otherwise parsed and planned anew, and for this one (the update with its
-- guards, the events, the row back) that was most of Postgres's time per claim or release.
-- PL/pgSQL caches the plan of each statement per connection. Security invoker: the caller's
-- row-level security applies inside as outside.
--
-- p_change: what src/tasks/store.ts's TaskChange says, as JSON; p_events the events it becomes;
-- p_guard the further conditions: eligible_for (that worker may take the task, with
-- online_seconds for its online window), held_by and attempt (the holder's own attempt),
-- output_before (no line at or past it stored yet), lease_expired, past_deadline.

-- Who may take a task: the target worker if it names one; a worker with every required
-- capability and, when it asks for a model, that model (provider:model = provider/model); and
-- for a workspace task, the workspace's owner, or anyone when the owner is not online (the
-- orphan rule). Read from the registered worker row, not from what the claim says. One
-- definition for the claim and for a polling worker's list.
CREATE FUNCTION app.eligible_for(t tasks, p_worker text, p_online_seconds int) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT (t.target_worker_id IS NULL OR t.target_worker_id = p_worker)
    AND (t.deadline_at IS NULL OR t.deadline_at > now())
    AND EXISTS (
      SELECT 1 FROM workers me
       WHERE me.id = p_worker
         AND t.required_capabilities <@ array(SELECT jsonb_array_elements_text(me.capabilities))
         AND (t.model_ref IS NULL OR EXISTS (
               SELECT 1 FROM jsonb_array_elements(me.models) m
                WHERE replace(coalesce(m->>'id', m #>> '{}'), '/', ':') = replace(t.model_ref, '/', ':'))))
    AND (t.workspace_id IS NULL OR EXISTS (
      SELECT 1 FROM workspaces ws
       WHERE ws.id = t.workspace_id
         AND (ws.worker_id IS NULL OR ws.worker_id = p_worker OR NOT EXISTS (
               SELECT 1 FROM workers owner
                WHERE owner.id = ws.worker_id AND owner.status <> 'offline'
                  AND owner.last_seen_at > now() - make_interval(secs => p_online_seconds)))))
$$;

CREATE FUNCTION app.task_change(p_task_id text, p_change jsonb, p_events jsonb, p_guard jsonb)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  v_state text := p_change->>'state';
  v_terminal boolean := coalesce((p_change->>'state') IN ('completed', 'failed', 'canceled', 'rejected'), false);
  v_clear boolean := coalesce((p_change->>'clear_holder')::boolean, false);
  v_lease int := (p_change->>'lease_seconds')::int;
  v_claim text := p_change->>'claim_by';
  v_count int := jsonb_array_length(p_events);
  v_held text := p_guard->>'held_by';
  v_attempt int := (p_guard->>'attempt')::int;
  v_before int := (p_guard->>'output_before')::int;
  v_eligible text := p_guard->>'eligible_for';
  v_online int := coalesce((p_guard->>'online_seconds')::int, 300);
  v_expired boolean := coalesce((p_guard->>'lease_expired')::boolean, false);
  v_deadline boolean := coalesce((p_guard->>'past_deadline')::boolean, false);
  v_result json;
BEGIN
  WITH t AS (
    UPDATE tasks SET
      last_seq = last_seq + v_count,
      status = coalesce(v_state, status),
      status_at = CASE WHEN v_state IS NULL THEN status_at ELSE now() END,
      status_message = CASE WHEN v_state IS NULL THEN status_message
                            ELSE nullif(p_change->'status_message', 'null') END,
      history = history || coalesce(p_change->'messages', '[]'),
      artifacts = (SELECT coalesce(jsonb_agg(a), '[]'::jsonb) FROM jsonb_array_elements(artifacts) a
                    WHERE coalesce(a->>'artifactId', '') NOT IN
                          (SELECT coalesce(n->>'artifactId', '') FROM jsonb_array_elements(coalesce(p_change->'artifacts', '[]')) n))
                  || coalesce(p_change->'artifacts', '[]'),
      metadata = metadata || coalesce(p_change->'metadata', '{}'),
      result = coalesce(p_change->>'result', result),
      error = coalesce(p_change->>'error', error),
      started_at = CASE WHEN v_state = 'working' THEN coalesce(started_at, now()) ELSE started_at END,
      completed_at = CASE WHEN v_terminal THEN now() ELSE completed_at END,
      lease_expires_at = CASE WHEN v_terminal OR v_clear THEN NULL
                              WHEN v_lease IS NOT NULL THEN now() + make_interval(secs => v_lease)
                              ELSE lease_expires_at END,
      worker_id = CASE WHEN v_clear THEN NULL ELSE coalesce(v_claim, worker_id) END,
      attempt = attempt + CASE WHEN v_claim IS NULL THEN 0 ELSE 1 END,
      output_mark = CASE WHEN v_claim IS NOT NULL THEN 0
                         ELSE coalesce((p_change->>'output_mark')::int, output_mark) END,
      updated_at = now()
    WHERE id = p_task_id
      AND status IN (SELECT jsonb_array_elements_text(p_change->'only_from'))
      AND (v_eligible IS NULL OR app.eligible_for(tasks, v_eligible, v_online))
      AND (v_held IS NULL OR (worker_id = v_held AND (v_attempt IS NULL OR attempt = v_attempt)))
      AND (v_before IS NULL OR output_mark < v_before)
      AND (NOT v_expired OR lease_expires_at < now())
      AND (NOT v_deadline OR deadline_at < now())
    RETURNING *
  ), e AS (
    INSERT INTO task_events (tenant_id, task_id, seq, kind, payload)
    SELECT t.tenant_id, t.id, t.last_seq - v_count + ev.i, ev.e->>'kind', ev.e->'payload'
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
-- The guards' NULL tests make every custom plan look cheaper than the generic one, so without
-- this the plan would be made anew on every call: the cost this function exists to save.
ALTER FUNCTION app.task_change(text, jsonb, jsonb, jsonb) SET plan_cache_mode = force_generic_plan;
