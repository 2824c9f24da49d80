-- The monitor's message log: a view over rows the platform already writes durably (task events
-- and agents' messages), so there is no second write path to keep in step. security_invoker
-- makes the underlying tables' row-level security apply to whoever reads the view: a reader
-- sees only its own tenant's messages, and nothing with no tenant set.
--
-- Each message has a cursor (ts_us, source, source_id), strictly ordered, which the monitor
-- stream uses as its SSE id so that a reconnect resumes without duplicates.

CREATE VIEW monitor_messages WITH (security_invoker = true) AS
SELECT
  e.tenant_id,
  e.created_at,
  'task'::text AS source,
  e.task_id || ':' || lpad(e.seq::text, 12, '0') AS source_id,
  CASE
    WHEN e.kind = 'status' AND e.payload #>> '{status,state}' IN ('failed', 'rejected') THEN 'error'
    WHEN e.kind = 'status' THEN 'system'
    WHEN e.kind = 'message' AND e.payload #>> '{message,role}' IN ('ROLE_USER', 'user') THEN 'human'
    WHEN e.kind = 'output'
      AND e.payload ->> 'output' ~ '^\s*\{.*"type"\s*:\s*"(tool_use|tool_result|tool_call)"' THEN 'tool'
    ELSE 'agent'
  END AS type,
  coalesce(t.target_agent_name, e.payload ->> 'worker_id', t.worker_id, t.agent_type) AS agent_name,
  CASE e.kind
    WHEN 'output' THEN coalesce(e.payload ->> 'output', '')
    WHEN 'status' THEN 'Task ' || coalesce(nullif(left(t.title, 80), ''), nullif(left(t.prompt, 80), ''), t.id)
      || ': ' || coalesce(e.payload #>> '{status,state}', '')
      || coalesce(' ' || (
        SELECT string_agg(p ->> 'text', ' ')
          FROM jsonb_array_elements(e.payload #> '{status,message,parts}') AS p), '')
    WHEN 'message' THEN coalesce((
      SELECT string_agg(coalesce(p ->> 'text', p ->> 'content'), ' ')
        FROM jsonb_array_elements(e.payload #> '{message,parts}') AS p), '')
    ELSE coalesce(e.payload #>> '{artifact,name}', 'artifact')
  END AS content,
  jsonb_build_object('task_id', e.task_id, 'seq', e.seq, 'kind', e.kind,
    'workspace_id', t.workspace_id, 'status', t.status) AS metadata,
  CASE WHEN e.kind = 'status' AND e.payload #>> '{status,state}' IN ('failed', 'rejected')
    THEN coalesce(t.error, 'failed') END AS error
FROM task_events e
JOIN tasks t ON t.tenant_id = e.tenant_id AND t.id = e.task_id
UNION ALL
SELECT
  m.tenant_id,
  m.created_at,
  'bus'::text,
  m.id::text,
  CASE
    WHEN m.body ->> 'intervention' = 'true' THEN 'human'
    WHEN m.kind = 'event' THEN 'system'
    ELSE 'agent'
  END,
  m.sender,
  coalesce(m.body ->> 'text', m.body::text),
  jsonb_build_object('to', m.recipient, 'from', m.sender, 'kind', m.kind, 'topic', m.topic,
    'conversation_id', m.conversation_id, 'message_id', m.id),
  NULL::text
FROM agent_messages m;

REVOKE INSERT, UPDATE, DELETE ON monitor_messages FROM codetether_app;
GRANT SELECT ON monitor_messages TO codetether_app;

-- The log is read newest first and tailed by time.
CREATE INDEX task_events_by_time ON task_events (tenant_id, created_at);
CREATE INDEX agent_messages_by_time ON agent_messages (tenant_id, created_at);
