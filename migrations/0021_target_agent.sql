-- Routing that honours names (issue 24): a task that names an agent (target_agent_name: an
-- A2A message for the fleet skill agent:<name>, MCP send_to_agent, REST) goes only to a worker
-- that has it: a coding CLI the worker registered in `agents` ("claude", "codex" …; upstream
-- registers objects with a name, so both forms count), or a worker registered under that name
-- (upstream's meaning). Its metadata's "fallback": "any" lets any otherwise eligible worker take
-- it, for a sender that prefers the agent but would rather not wait for it.
--
-- Same signature as 0012's, so app.task_change's claim guard (0020) and the polling list
-- (src/queue/lease.ts visibleTo) both read this one definition. The rest is as before.
CREATE OR REPLACE FUNCTION app.eligible_for(t tasks, p_worker text, p_online_seconds int) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT (t.target_worker_id IS NULL OR t.target_worker_id = p_worker)
    AND (t.deadline_at IS NULL OR t.deadline_at > now())
    AND EXISTS (
      SELECT 1 FROM workers me
       WHERE me.id = p_worker
         AND t.required_capabilities <@ array(SELECT jsonb_array_elements_text(me.capabilities))
         AND (t.model_ref IS NULL OR EXISTS (
               SELECT 1 FROM jsonb_array_elements(me.models) m
                WHERE replace(coalesce(m->>'id', m #>> '{}'), '/', ':') = replace(t.model_ref, '/', ':')))
         AND (t.target_agent_name IS NULL
              OR t.metadata->>'fallback' = 'any'
              OR me.name = t.target_agent_name
              OR EXISTS (
               SELECT 1 FROM jsonb_array_elements(me.agents) a
                WHERE coalesce(a->>'name', a #>> '{}') = t.target_agent_name)))
    AND (t.workspace_id IS NULL OR EXISTS (
      SELECT 1 FROM workspaces ws
       WHERE ws.id = t.workspace_id
         AND (ws.worker_id IS NULL OR ws.worker_id = p_worker OR NOT EXISTS (
               SELECT 1 FROM workers owner
                WHERE owner.id = ws.worker_id AND owner.status <> 'offline'
                  AND owner.last_seen_at > now() - make_interval(secs => p_online_seconds)))))
$$;
