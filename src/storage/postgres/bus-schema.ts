/** drizzle mirror of migrations/0008_agent_bus.sql: agents, their inboxes, subscriptions. */
import { integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core'
import { createdAt, tenantId, ts } from './columns'

export const agents = pgTable(
  'agents',
  {
    tenantId: tenantId(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    instanceId: text('instance_id'),
    kind: text('kind', { enum: ['local', 'remote'] })
      .notNull()
      .default('local'),
    description: text('description').notNull().default(''),
    url: text('url'),
    capabilities: jsonb('capabilities').$type<Record<string, unknown>>().notNull().default({}),
    models: text('models').array().notNull().default([]),
    card: jsonb('card').$type<Record<string, unknown>>(),
    registeredBy: text('registered_by'),
    registeredAt: ts('registered_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.name] })],
)

export const agentMessages = pgTable(
  'agent_messages',
  {
    tenantId: tenantId(),
    id: uuid('id').notNull().defaultRandom(),
    recipient: text('recipient').notNull(),
    sender: text('sender').notNull(),
    kind: text('kind', { enum: ['direct', 'event'] }).notNull(),
    topic: text('topic'),
    conversationId: text('conversation_id'),
    replyTo: uuid('reply_to'),
    body: jsonb('body').$type<unknown>().notNull(),
    createdAt: createdAt(),
    deliveries: integer('deliveries').notNull().default(0),
    lastDeliveredAt: ts('last_delivered_at'),
    ackedAt: ts('acked_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)

export const agentSubscriptions = pgTable(
  'agent_subscriptions',
  {
    tenantId: tenantId(),
    agent: text('agent').notNull(),
    pattern: text('pattern').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.agent, t.pattern] })],
)
