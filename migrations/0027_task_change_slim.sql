-- app.task_change (0026) answering, when the change asks (`slim`), with the task without its
-- history and artifacts. The answer is the changed row as JSON, and a caller that only
-- announces the change (a batch of output lines) never reads those two, which on a long task
-- are most of the row: turning them into text and sending them to the Worker was most of
-- what an output batch cost such a task in Postgres.

CREATE OR REPLACE FUNCTION app.task_change(p_task_id text, p_change jsonb, p_events jsonb, p_guard jsonb)
RETURNS json LANGUAGE plpgsql
-- The guards' NULL tests make every custom plan look cheaper than the generic one, so without
-- this the plan would be made anew on every call (a replaced function keeps only the SET it
-- is created with).
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_state text := p_change->>'state';
  v_terminal boolean := coalesce((p_change->>'state') IN ('completed', 'failed', 'canceled', 'rejected'), false);
  v_clear boolean := coalesce((p_change->>'clear_holder')::boolean, false);
  v_lease int := (p_change->>'lease_seconds')::int;
  v_claim text := p_change->>'claim_by';
  v_count int := jsonb_array_length(p_events);
  v_bytes bigint := coalesce((p_change->>'output_bytes')::bigint, 0);
  v_held text := p_guard->>'held_by';
  v_attempt int := (p_guard->>'attempt')::int;
  v_before int := (p_guard->>'output_before')::int;
  v_max_bytes bigint := (p_guard->>'max_output_bytes')::bigint;
  v_eligible text := p_guard->>'eligible_for';
  v_online int := coalesce((p_guard->>'online_seconds')::int, 300);
  v_expired boolean := coalesce((p_guard->>'lease_expired')::boolean, false);
  v_deadline boolean := coalesce((p_guard->>'past_deadline')::boolean, false);
  v_slim boolean := coalesce((p_change->>'slim')::boolean, false);
  v_result json;
BEGIN
  WITH t AS (
    UPDATE tasks SET
      last_seq = last_seq + v_count,
      status = coalesce(v_state, status),
      status_at = CASE WHEN v_state IS NULL THEN status_at ELSE now() END,
      status_message = CASE WHEN v_state IS NULL THEN status_message
                            ELSE nullif(p_change->'status_message', 'null') END,
      -- Each column only when the change carries it: the value left as it is keeps its
      -- TOAST pointer, where a concatenation with nothing rewrote all of it.
      history = CASE WHEN p_change->'messages' IS NULL THEN history
                     ELSE history || (p_change->'messages') END,
      artifacts = CASE WHEN p_change->'artifacts' IS NULL THEN artifacts ELSE
                    (SELECT coalesce(jsonb_agg(a), '[]'::jsonb) FROM jsonb_array_elements(artifacts) a
                      WHERE coalesce(a->>'artifactId', '') NOT IN
                            (SELECT coalesce(n->>'artifactId', '') FROM jsonb_array_elements(p_change->'artifacts') n))
                    || (p_change->'artifacts') END,
      metadata = CASE WHEN p_change->'metadata' IS NULL THEN metadata
                      ELSE metadata || (p_change->'metadata') END,
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
      output_bytes = output_bytes + v_bytes,
      updated_at = now()
    WHERE id = p_task_id
      AND status IN (SELECT jsonb_array_elements_text(p_change->'only_from'))
      AND (v_eligible IS NULL OR app.eligible_for(tasks, v_eligible, v_online))
      AND (v_held IS NULL OR (worker_id = v_held AND (v_attempt IS NULL OR attempt = v_attempt)))
      AND (v_before IS NULL OR output_mark < v_before)
      AND (v_max_bytes IS NULL OR output_bytes + v_bytes <= v_max_bytes)
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
           'task', (SELECT CASE WHEN v_slim THEN (to_jsonb(t) - 'history' - 'artifacts')::json
                                ELSE row_to_json(t) END FROM t),
           'events', (SELECT coalesce(json_agg(e ORDER BY e.seq), '[]'::json) FROM e))
    INTO v_result;
  RETURN v_result;
END
$$;
