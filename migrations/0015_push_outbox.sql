-- Push deliveries kept in Postgres until they land: one row per (config, event seq), written
-- when the event happens, so a delivery outlives the isolate that started it. The tenant's
-- PushOutbox Durable Object sends them and retries with backoff from its alarm; every try is
-- one row of push_attempts, which the task's push-deliveries listing reads.
--
-- The body is serialized once, from the task as it was at the event, so a retry hours later
-- sends the same notification; headers (token, signature, credentials) are made at each try,
-- so the signature's timestamp is always fresh.

CREATE TABLE push_deliveries (
  tenant_id uuid NOT NULL,
  task_id text NOT NULL,
  config_id text NOT NULL,
  seq bigint NOT NULL,
  body text NOT NULL,
  content_type text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- When the next try is due; null once delivered or given up.
  next_attempt_at timestamptz DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  settled_at timestamptz,
  -- Once per (config, seq): a second enqueue of the same event is a no-op.
  PRIMARY KEY (tenant_id, task_id, config_id, seq),
  FOREIGN KEY (tenant_id, task_id, config_id)
    REFERENCES task_push_configs (tenant_id, task_id, id) ON DELETE CASCADE,
  CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL))
);
-- The sweep's question: what is pending, soonest first.
CREATE INDEX push_deliveries_pending ON push_deliveries (tenant_id, next_attempt_at)
  WHERE state = 'pending';

CREATE TABLE push_attempts (
  tenant_id uuid NOT NULL,
  task_id text NOT NULL,
  config_id text NOT NULL,
  seq bigint NOT NULL,
  attempt integer NOT NULL CHECK (attempt >= 1),
  attempted_at timestamptz NOT NULL DEFAULT now(),
  -- The receiver's HTTP status; null when there was no answer (network error, timeout,
  -- refused by the outbound guard).
  status_code integer,
  error text,
  -- When this try's failure is retried; null when it landed or was the last.
  next_attempt_at timestamptz,
  PRIMARY KEY (tenant_id, task_id, config_id, seq, attempt),
  FOREIGN KEY (tenant_id, task_id, config_id, seq)
    REFERENCES push_deliveries (tenant_id, task_id, config_id, seq) ON DELETE CASCADE
);

SELECT app.isolate_tenant_tables(ARRAY['push_deliveries', 'push_attempts']);

-- The outbox supersedes the claim-by-last-seq of 0002.
ALTER TABLE task_push_configs DROP COLUMN last_delivered_seq;
