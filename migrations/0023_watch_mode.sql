-- Watch mode that means something (issue 24). A codebase is watched by default: its queued
-- tasks go to its workers as they come. `watch/stop` pauses it (status 'stopped', upstream's
-- word): its queued tasks wait, running ones finish, and a task someone triggers
-- (POST …/trigger, metadata "triggered": true) still runs; `watch/start` hands the waiting
-- ones out at once. Before, the flag changed nothing.
ALTER TABLE workspaces ALTER COLUMN status SET DEFAULT 'watching';
UPDATE workspaces SET status = 'watching' WHERE status = 'idle';

-- 0021's rule, and a stopped codebase holds its tasks back. Same signature, so the claim guard
-- and the polling list keep reading this one definition.
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
         AND (ws.status <> 'stopped' OR t.metadata->>'triggered' = 'true')
         AND (ws.worker_id IS NULL OR ws.worker_id = p_worker OR NOT EXISTS (
               SELECT 1 FROM workers owner
                WHERE owner.id = ws.worker_id AND owner.status <> 'offline'
                  AND owner.last_seen_at > now() - make_interval(secs => p_online_seconds)))))
$$;
