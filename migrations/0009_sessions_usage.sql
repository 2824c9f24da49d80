-- Sessions synced from workers (or ingested), their messages, the token-usage ledger with
-- model prices, and each tenant's monthly budget and spending limit.

CREATE TABLE sessions (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  workspace_id text NOT NULL,
  id text NOT NULL CHECK (length(id) BETWEEN 1 AND 300),
  agent text,
  project_id text,
  directory text,
  title text NOT NULL DEFAULT '',
  version text,
  summary jsonb NOT NULL DEFAULT '{}',
  source text NOT NULL DEFAULT 'worker_sync',
  worker_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  synced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, workspace_id) REFERENCES workspaces (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_workspace ON sessions (tenant_id, workspace_id, updated_at DESC);

CREATE TABLE session_messages (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  session_id text NOT NULL,
  id text NOT NULL CHECK (length(id) BETWEEN 1 AND 300),
  role text NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
  content text NOT NULL DEFAULT '',
  parts jsonb NOT NULL DEFAULT '[]',
  provider text,
  model text,
  tokens jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, session_id, id),
  FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX session_messages_order ON session_messages (tenant_id, session_id, created_at);

-- Prices are the platform's (one table for every tenant), in micro-USD per million tokens:
-- a token costs exactly that many micro-USD divided by a million, so integer arithmetic works.
CREATE TABLE model_pricing (
  provider text NOT NULL,
  model text NOT NULL,
  input_per_mtok bigint NOT NULL CHECK (input_per_mtok >= 0),
  output_per_mtok bigint NOT NULL CHECK (output_per_mtok >= 0),
  reasoning_per_mtok bigint NOT NULL CHECK (reasoning_per_mtok >= 0),
  cache_read_per_mtok bigint NOT NULL CHECK (cache_read_per_mtok >= 0),
  cache_write_per_mtok bigint NOT NULL CHECK (cache_write_per_mtok >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, model)
);
GRANT SELECT, INSERT, UPDATE ON model_pricing TO codetether_app;
REVOKE DELETE ON model_pricing FROM codetether_app;

INSERT INTO model_pricing VALUES
  ('anthropic', 'claude-opus-4',     15000000, 75000000, 75000000, 1500000, 18750000, now()),
  ('anthropic', 'claude-sonnet-4',    3000000, 15000000, 15000000,  300000,  3750000, now()),
  ('anthropic', 'claude-haiku-4',     1000000,  5000000,  5000000,  100000,  1250000, now()),
  ('anthropic', 'claude-3-5-haiku',    800000,  4000000,  4000000,   80000,  1000000, now()),
  ('openai',    'gpt-5',              1250000, 10000000, 10000000,  125000,        0, now()),
  ('openai',    'gpt-5-mini',          250000,  2000000,  2000000,   25000,        0, now()),
  ('openai',    'gpt-4.1',            2000000,  8000000,  8000000,  500000,        0, now()),
  ('openai',    'gpt-4.1-mini',        400000,  1600000,  1600000,  100000,        0, now()),
  ('openai',    'gpt-4o',             2500000, 10000000, 10000000, 1250000,        0, now()),
  ('openai',    'o3',                 2000000,  8000000,  8000000,  500000,        0, now()),
  ('google',    'gemini-2.5-pro',     1250000, 10000000, 10000000,  310000,        0, now()),
  ('google',    'gemini-2.5-flash',    300000,  2500000,  2500000,   75000,        0, now());

-- The ledger: one row per assistant message that carried a model and token counts, never
-- changed once written. A message synced twice is one row (unique message per tenant).
-- cost_picos is exact (tokens × micro-USD per million tokens = pico-USD); totals are summed
-- exactly and rounded to micro-USD once, so no rounding error accumulates.
CREATE TABLE token_usage (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id bigint GENERATED ALWAYS AS IDENTITY,
  user_id text,
  provider text NOT NULL,
  model text NOT NULL,
  input_tokens bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  reasoning_tokens bigint NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0),
  cache_read_tokens bigint NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0),
  cache_write_tokens bigint NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
  cost_picos bigint NOT NULL DEFAULT 0 CHECK (cost_picos >= 0),
  priced boolean NOT NULL DEFAULT false,
  session_id text,
  task_id text,
  message_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, message_id)
);
CREATE INDEX token_usage_by_time ON token_usage (tenant_id, created_at);
REVOKE UPDATE, DELETE ON token_usage FROM codetether_app;

-- Monthly money, in micro-USD: the budget warns, the limit refuses token-consuming work.
ALTER TABLE tenants ADD COLUMN monthly_budget_micros bigint CHECK (monthly_budget_micros >= 0);
ALTER TABLE tenants ADD COLUMN monthly_limit_micros bigint CHECK (monthly_limit_micros >= 0);
GRANT UPDATE (monthly_budget_micros, monthly_limit_micros) ON tenants TO codetether_app;

SELECT app.isolate_tenant_tables(ARRAY['sessions', 'session_messages', 'token_usage']);
