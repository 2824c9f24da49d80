/** drizzle mirror of migrations/0015_push_outbox.sql: the push outbox and its tries. */
import { bigint, foreignKey, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { createdAt, tenantId, ts } from './columns'

export const pushDeliveries = pgTable(
  'push_deliveries',
  {
    tenantId: tenantId(),
    taskId: text('task_id').notNull(),
    configId: text('config_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    body: text('body').notNull(),
    contentType: text('content_type').notNull(),
    state: text('state', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').defaultNow(),
    createdAt: createdAt(),
    settledAt: ts('settled_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.taskId, t.configId, t.seq] })],
)

export const pushAttempts = pgTable(
  'push_attempts',
  {
    tenantId: tenantId(),
    taskId: text('task_id').notNull(),
    configId: text('config_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    attempt: integer('attempt').notNull(),
    attemptedAt: ts('attempted_at').notNull().defaultNow(),
    statusCode: integer('status_code'),
    error: text('error'),
    nextAttemptAt: ts('next_attempt_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.taskId, t.configId, t.seq, t.attempt] }),
    foreignKey({
      columns: [t.tenantId, t.taskId, t.configId, t.seq],
      foreignColumns: [
        pushDeliveries.tenantId,
        pushDeliveries.taskId,
        pushDeliveries.configId,
        pushDeliveries.seq,
      ],
    }),
  ],
)
