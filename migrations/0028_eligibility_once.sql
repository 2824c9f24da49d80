-- Who may take a task, answered at a fraction of the cost (issue 27's queue line).
--
-- app.eligible_for (0023) was a SQL function with subqueries, which Postgres never inlines: each
-- statement that called it planned its body again on the first call, and ran its executor on
-- every call. A claim of one among 32 named tasks evaluated it 64 times (the gone list, then the
-- claim's select) and cost 2.9 ms of Postgres. The same rule in PL/pgSQL keeps its plans for the
-- session, answers the row's own tests without a query, and reads the worker and the workspace
-- once each: 37 → 14 µs a call. Same signature, so the claim guard, the polling list and
-- app.claim_tasks keep reading this one definition, and the rule is 0023's, test for test.
CREATE OR REPLACE FUNCTION app.eligible_for(t tasks, p_worker text, p_online_seconds int) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_name text;
  v_caps jsonb;
  v_models jsonb;
  v_agents jsonb;
  v_ws_status text;
  v_ws_worker text;
BEGIN
  -- Meant for another worker, or too late. (A NULL on either side is no objection.)
  IF t.target_worker_id <> p_worker OR t.deadline_at <= now() THEN
    RETURN false;
  END IF;
  SELECT me.name, me.capabilities, me.models, me.agents INTO v_name, v_caps, v_models, v_agents
    FROM workers me WHERE me.id = p_worker;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  -- Nested, so that a task asking for nothing runs no query to say so.
  IF t.required_capabilities IS DISTINCT FROM '{}' THEN
    IF NOT coalesce(t.required_capabilities <@ array(SELECT jsonb_array_elements_text(v_caps)), false) THEN
      RETURN false;
    END IF;
  END IF;
  IF t.model_ref IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_models) m
                    WHERE replace(coalesce(m->>'id', m #>> '{}'), '/', ':') = replace(t.model_ref, '/', ':')) THEN
      RETURN false;
    END IF;
  END IF;
  -- The agent it names: the worker's own name, or a CLI in its agents (a name or upstream's
  -- {name, ...}), unless the task may fall back to any worker.
  IF t.target_agent_name IS NOT NULL AND (t.metadata->>'fallback') IS DISTINCT FROM 'any'
     AND v_name IS DISTINCT FROM t.target_agent_name THEN
    IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_agents) a
                    WHERE coalesce(a->>'name', a #>> '{}') = t.target_agent_name) THEN
      RETURN false;
    END IF;
  END IF;
  IF t.workspace_id IS NULL THEN
    RETURN true;
  END IF;
  -- A stopped codebase holds its tasks back, but for one someone triggered.
  SELECT ws.status, ws.worker_id INTO v_ws_status, v_ws_worker
    FROM workspaces ws WHERE ws.id = t.workspace_id;
  IF NOT FOUND OR coalesce(v_ws_status <> 'stopped', false) IS FALSE
                  AND (t.metadata->>'triggered') IS DISTINCT FROM 'true' THEN
    RETURN false;
  END IF;
  -- A codebase's owner has it while online; any worker may take it once the owner is not.
  RETURN v_ws_worker IS NULL OR v_ws_worker = p_worker OR NOT EXISTS (
    SELECT 1 FROM workers owner
     WHERE owner.id = v_ws_worker AND owner.status <> 'offline'
       AND owner.last_seen_at > now() - make_interval(secs => p_online_seconds));
END
$$;

-- 0024's claim of several, asking each named task's eligibility once: a first pass reads which
-- are pending and may be taken (the rest are gone), then takes them best first, each locked
-- with SKIP LOCKED and asked again on the row it locked, since it may have changed since. Before,
-- the gone list and the claim's select each asked of every named task, and a select with
-- ORDER BY and LIMIT asks of every row it sorts before it locks any.
CREATE OR REPLACE FUNCTION app.claim_tasks(p_worker text, p_ids text[], p_max int, p_online int,
                                           p_change jsonb, p_events jsonb, p_guard jsonb)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  v_claims json[] := '{}';
  v_open text[];
  v_id text;
  v_r json;
BEGIN
  SELECT coalesce(array_agg(t.id ORDER BY t.priority DESC, t.created_at), '{}') INTO v_open
    FROM tasks t
   WHERE t.id = ANY (p_ids) AND t.status = 'submitted' AND app.eligible_for(t, p_worker, p_online);
  FOREACH v_id IN ARRAY v_open LOOP
    EXIT WHEN cardinality(v_claims) >= greatest(p_max, 0);
    -- Held by another claim: skipped rather than waited for, as racing workers split a queue.
    PERFORM FROM tasks t
      WHERE t.id = v_id AND t.status = 'submitted' AND app.eligible_for(t, p_worker, p_online)
        FOR UPDATE SKIP LOCKED;
    CONTINUE WHEN NOT FOUND;
    v_r := app.task_change(v_id, p_change, p_events, p_guard);
    IF v_r->>'task' IS NOT NULL THEN
      v_claims := v_claims || v_r;
    END IF;
  END LOOP;
  -- Gone: not pending, or not this worker's to take. A worker token learns nothing more of a
  -- task it may not see than of an unknown id.
  RETURN json_build_object('claims', array_to_json(v_claims),
    'gone', (SELECT coalesce(json_agg(i), '[]'::json) FROM unnest(p_ids) i WHERE i <> ALL (v_open)));
END
$$;
