/** drizzle mirror of migrations/0014_trust.sql: people's answers to workers' approval requests. */
import { integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core'
import { tenantId, ts } from './columns'

export const taskApprovals = pgTable(
  'task_approvals',
  {
    tenantId: tenantId(),
    id: uuid('id').notNull().defaultRandom(),
    taskId: text('task_id').notNull(),
    tool: text('tool').notNull(),
    input: jsonb('input').notNull(),
    actionKey: text('action_key').notNull(),
    decision: text('decision', { enum: ['approved', 'rejected'] }).notNull(),
    decidedBy: text('decided_by').notNull(),
    decidedByName: text('decided_by_name').notNull(),
    note: text('note'),
    decidedAt: ts('decided_at').notNull().defaultNow(),
    usedAt: ts('used_at'),
    usedBy: text('used_by'),
    usedAttempt: integer('used_attempt'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)
