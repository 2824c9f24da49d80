-- Claiming several tasks in one call (issue 27): a worker names the pending tasks it was
-- offered and could run (best first in its eyes; the server orders by priority and age) and
-- how many slots it has free. Up to that many of them that are still pending and that it may
-- take are claimed, each by app.task_change exactly as a claim of one is; rows another claim
-- holds are skipped rather than waited for (SKIP LOCKED), so racing workers split the queue
-- instead of queueing behind each other on its head.
--
-- p_change, p_events, p_guard: one claim's change, its events and guard, as app.task_change
-- takes them. The answer: { claims: [app.task_change's answer, ...], gone: [ids of the named
-- tasks that are not pending or not this worker's to take, which it can forget] }.
CREATE FUNCTION app.claim_tasks(p_worker text, p_ids text[], p_max int, p_online int,
                                p_change jsonb, p_events jsonb, p_guard jsonb)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  v_claims json[] := '{}';
  v_gone json;
  v_id text;
  v_r json;
BEGIN
  -- Before the claims, so that what this call claims is not called gone. Not the worker's to
  -- take is gone too: a worker token learns nothing of tasks it may not see.
  SELECT coalesce(json_agg(i), '[]'::json) INTO v_gone FROM unnest(p_ids) i
   WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = i AND t.status = 'submitted'
                        AND app.eligible_for(t, p_worker, p_online));
  FOR v_id IN
    SELECT t.id FROM tasks t
     WHERE t.id = ANY (p_ids) AND t.status = 'submitted'
       AND app.eligible_for(t, p_worker, p_online)
     ORDER BY t.priority DESC, t.created_at
     LIMIT greatest(p_max, 0)
       FOR UPDATE SKIP LOCKED
  LOOP
    v_r := app.task_change(v_id, p_change, p_events, p_guard);
    IF v_r->>'task' IS NOT NULL THEN v_claims := v_claims || v_r; END IF;
  END LOOP;
  RETURN json_build_object('claims', array_to_json(v_claims), 'gone', v_gone);
END
$$;
