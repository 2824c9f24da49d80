/** drizzle mirror of migrations/0009_sessions_usage.sql: sessions, messages, usage, prices. */
import {
  bigint,
  boolean,
  foreignKey,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
} from 'drizzle-orm/pg-core'
import { createdAt, tenantId, ts } from './columns'

export const sessions = pgTable(
  'sessions',
  {
    tenantId: tenantId(),
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    agent: text('agent'),
    projectId: text('project_id'),
    directory: text('directory'),
    title: text('title').notNull().default(''),
    version: text('version'),
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull().default({}),
    source: text('source').notNull().default('worker_sync'),
    workerId: text('worker_id'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    syncedAt: ts('synced_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)

export const sessionMessages = pgTable(
  'session_messages',
  {
    tenantId: tenantId(),
    sessionId: text('session_id').notNull(),
    id: text('id').notNull(),
    role: text('role', { enum: ['user', 'assistant', 'system', 'tool'] }).notNull(),
    content: text('content').notNull().default(''),
    parts: jsonb('parts').$type<unknown[]>().notNull().default([]),
    provider: text('provider'),
    model: text('model'),
    tokens: jsonb('tokens').$type<Record<string, number>>(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.sessionId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.sessionId],
      foreignColumns: [sessions.tenantId, sessions.id],
    }),
  ],
)

const micros = (name: string) => bigint(name, { mode: 'number' })

export const modelPricing = pgTable(
  'model_pricing',
  {
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    inputPerMtok: micros('input_per_mtok').notNull(),
    outputPerMtok: micros('output_per_mtok').notNull(),
    reasoningPerMtok: micros('reasoning_per_mtok').notNull(),
    cacheReadPerMtok: micros('cache_read_per_mtok').notNull(),
    cacheWritePerMtok: micros('cache_write_per_mtok').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.model] })],
)

export const tokenUsage = pgTable(
  'token_usage',
  {
    tenantId: tenantId(),
    id: micros('id').notNull().generatedAlwaysAsIdentity(),
    userId: text('user_id'),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    inputTokens: micros('input_tokens').notNull().default(0),
    outputTokens: micros('output_tokens').notNull().default(0),
    reasoningTokens: micros('reasoning_tokens').notNull().default(0),
    cacheReadTokens: micros('cache_read_tokens').notNull().default(0),
    cacheWriteTokens: micros('cache_write_tokens').notNull().default(0),
    costPicos: micros('cost_picos').notNull().default(0),
    priced: boolean('priced').notNull().default(false),
    sessionId: text('session_id'),
    taskId: text('task_id'),
    messageId: text('message_id').notNull(),
    createdAt: createdAt(),
    /** Who reported it: the worker that ran the work, or the server's own agent. */
    reportedBy: text('reported_by'),
    voidedAt: ts('voided_at'),
    voidedBy: text('voided_by'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), unique().on(t.tenantId, t.messageId)],
)
