-- The agent bus: registered agents (local ones with a heartbeat, remote A2A agents with their
-- card), every message an agent receives (its durable inbox: direct messages and the events
-- of topics it subscribes to), and the subscriptions.

CREATE TABLE agents (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role text NOT NULL,
  instance_id text,
  kind text NOT NULL DEFAULT 'local' CHECK (kind IN ('local', 'remote')),
  description text NOT NULL DEFAULT '',
  url text,
  capabilities jsonb NOT NULL DEFAULT '{}',
  models text[] NOT NULL DEFAULT '{}',
  card jsonb,
  registered_by text,
  registered_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name)
);
CREATE INDEX agents_by_role ON agents (tenant_id, role);

CREATE TABLE agent_messages (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  recipient text NOT NULL,
  sender text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('direct', 'event')),
  topic text,
  conversation_id text,
  reply_to uuid,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deliveries integer NOT NULL DEFAULT 0,
  last_delivered_at timestamptz,
  acked_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX agent_messages_unacked ON agent_messages (tenant_id, recipient, created_at)
  WHERE acked_at IS NULL;
CREATE INDEX agent_messages_conversation ON agent_messages (tenant_id, conversation_id, created_at)
  WHERE conversation_id IS NOT NULL;

CREATE TABLE agent_subscriptions (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  agent text NOT NULL,
  pattern text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, agent, pattern)
);

SELECT app.isolate_tenant_tables(ARRAY['agents', 'agent_messages', 'agent_subscriptions']);
