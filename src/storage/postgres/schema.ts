/**
 * drizzle mirror of migrations/*.sql. The SQL migrations are the source of truth (they also
 * hold the roles, policies and functions drizzle cannot express); test/schema.test.ts fails
 * when this file and the migrated database disagree.
 */
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  foreignKey,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core'
import { taskApprovals } from './approval-schema'
import { auditLog, authSessions, tenantMembers } from './auth-schema'
import { agentMessages, agentSubscriptions, agents } from './bus-schema'
import { bytea, createdAt, tenantId, ts } from './columns'
import { pushAttempts, pushDeliveries } from './push-schema'
import { sessionMessages, sessions, tokenUsage } from './session-schema'
import { taskStatuses } from './statuses'

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  displayName: text('display_name').notNull(),
  plan: text('plan').notNull().default('free'),
  oidcIssuer: text('oidc_issuer').unique(),
  monthlyBudgetMicros: bigint('monthly_budget_micros', { mode: 'number' }),
  monthlyLimitMicros: bigint('monthly_limit_micros', { mode: 'number' }),
  /** Its admins' limits (src/domain/limits/table.ts), by name; absent names take the default. */
  limits: jsonb('limits').$type<Record<string, number>>().notNull().default({}),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
})

export const workers = pgTable(
  'workers',
  {
    tenantId: tenantId(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    hostname: text('hostname'),
    capabilities: jsonb('capabilities').$type<string[]>().notNull().default([]),
    models: jsonb('models').$type<unknown[]>().notNull().default([]),
    agents: jsonb('agents').$type<unknown[]>().notNull().default([]),
    status: text('status', { enum: ['online', 'busy', 'offline'] })
      .notNull()
      .default('online'),
    registeredAt: ts('registered_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)

export const workspaces = pgTable(
  'workspaces',
  {
    tenantId: tenantId(),
    id: text('id').notNull().default(sql`gen_random_uuid()::text`),
    name: text('name').notNull(),
    path: text('path').notNull(),
    aliases: text('aliases').array().notNull().default([]),
    description: text('description').notNull().default(''),
    workerId: text('worker_id'),
    agentConfig: jsonb('agent_config').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').notNull().default('watching'),
    gitUrl: text('git_url'),
    gitBranch: text('git_branch'),
    /** A worker's home directory, where tasks for `global` run on it (id `global-<worker>`). */
    isGlobal: boolean('is_global').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.workerId],
      foreignColumns: [workers.tenantId, workers.id],
    }),
  ],
)

export const tasks = pgTable(
  'tasks',
  {
    tenantId: tenantId(),
    id: text('id').notNull().default(sql`gen_random_uuid()::text`),
    contextId: text('context_id').notNull().default(sql`gen_random_uuid()::text`),
    workspaceId: text('workspace_id'),
    title: text('title').notNull().default(''),
    prompt: text('prompt').notNull().default(''),
    agentType: text('agent_type').notNull().default('build'),
    status: text('status', { enum: taskStatuses }).notNull().default('submitted'),
    priority: integer('priority').notNull().default(0),
    targetAgentName: text('target_agent_name'),
    targetWorkerId: text('target_worker_id'),
    requiredCapabilities: text('required_capabilities').array().notNull().default([]),
    modelRef: text('model_ref'),
    deadlineAt: ts('deadline_at'),
    workerId: text('worker_id'),
    leaseExpiresAt: ts('lease_expires_at'),
    attempt: integer('attempt').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    result: text('result'),
    error: text('error'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
    /** A2A v1.0 JSON: Message[], Artifact[], the status Message. */
    history: jsonb('history').$type<unknown[]>().notNull().default([]),
    artifacts: jsonb('artifacts').$type<unknown[]>().notNull().default([]),
    statusMessage: jsonb('status_message'),
    statusAt: ts('status_at').notNull().defaultNow(),
    /** Push configs of the task (kept by a trigger): 0 means no webhook lookup on changes. */
    pushConfigs: integer('push_configs').notNull().default(0),
    /** The highest output line (the worker's own numbering) stored for the current attempt. */
    outputMark: integer('output_mark').notNull().default(0),
    /** UTF-8 bytes of output stored, every attempt together (limit task_output_bytes). */
    outputBytes: bigint('output_bytes', { mode: 'number' }).notNull().default(0),
    /** Live subscribers on the task's TaskStream (kept by that object): else no fan-out. */
    watched: boolean('watched').notNull().default(false),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    startedAt: ts('started_at'),
    completedAt: ts('completed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.workspaceId],
      foreignColumns: [workspaces.tenantId, workspaces.id],
    }),
    foreignKey({
      columns: [t.tenantId, t.workerId],
      foreignColumns: [workers.tenantId, workers.id],
    }),
  ],
)

/** A tenant's task count over slots, kept by trigger (migration 0025): the sum is the count. */
export const taskCounts = pgTable(
  'task_counts',
  {
    tenantId: tenantId(),
    slot: smallint('slot').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.slot] })],
)

export const taskEvents = pgTable(
  'task_events',
  {
    tenantId: tenantId(),
    taskId: text('task_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.taskId, t.seq] }),
    foreignKey({ columns: [t.tenantId, t.taskId], foreignColumns: [tasks.tenantId, tasks.id] }),
  ],
)

export const apiKeys = pgTable(
  'api_keys',
  {
    tenantId: tenantId(),
    id: uuid('id').notNull().defaultRandom(),
    userId: text('user_id'),
    name: text('name').notNull(),
    keyHash: bytea('key_hash').notNull().unique(),
    keyPrefix: text('key_prefix').notNull(),
    scopes: text('scopes').array().notNull().default([]),
    kind: text('kind', { enum: ['api', 'worker'] })
      .notNull()
      .default('api'),
    role: text('role', { enum: ['admin', 'member', 'viewer', 'worker'] })
      .notNull()
      .default('member'),
    lastUsedAt: ts('last_used_at'),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
    createdAt: createdAt(),
    /** A worker token's worker (named at creation or bound at first registration). */
    workerId: text('worker_id'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)

export const taskPushConfigs = pgTable(
  'task_push_configs',
  {
    tenantId: tenantId(),
    taskId: text('task_id').notNull(),
    id: text('id').notNull(),
    url: text('url').notNull(),
    sealedToken: text('sealed_token'),
    authScheme: text('auth_scheme'),
    sealedCredentials: text('sealed_credentials'),
    wireVersion: text('wire_version', { enum: ['0.3', '1.0'] })
      .notNull()
      .default('1.0'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.taskId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.taskId], foreignColumns: [tasks.tenantId, tasks.id] }),
  ],
)

export const agentMemories = pgTable(
  'agent_memories',
  {
    tenantId: tenantId(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
)

export const cronJobs = pgTable(
  'cron_jobs',
  {
    tenantId: tenantId(),
    id: uuid('id').notNull().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    cronExpression: text('cron_expression').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    taskTemplate: jsonb('task_template').$type<Record<string, unknown>>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    nextRunAt: ts('next_run_at'),
    lastRunAt: ts('last_run_at'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)

export const cronRuns = pgTable(
  'cron_runs',
  {
    tenantId: tenantId(),
    id: uuid('id').notNull().defaultRandom(),
    cronjobId: uuid('cronjob_id').notNull(),
    scheduledFor: ts('scheduled_for').notNull(),
    trigger: text('trigger', { enum: ['schedule', 'manual'] })
      .notNull()
      .default('schedule'),
    status: text('status', { enum: ['claimed', 'dispatched', 'failed'] })
      .notNull()
      .default('claimed'),
    taskId: text('task_id'),
    error: text('error'),
    startedAt: ts('started_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique().on(t.tenantId, t.cronjobId, t.scheduledFor),
  ],
)

/** Tables holding tenant data, each under the tenant_isolation policy. */
export const tenantTables = {
  tenants,
  workers,
  workspaces,
  tasks,
  taskCounts,
  taskEvents,
  apiKeys,
  taskPushConfigs,
  pushDeliveries,
  pushAttempts,
  agentMemories,
  cronJobs,
  cronRuns,
  tenantMembers,
  authSessions,
  auditLog,
  agents,
  agentMessages,
  agentSubscriptions,
  sessions,
  sessionMessages,
  tokenUsage,
  taskApprovals,
}
