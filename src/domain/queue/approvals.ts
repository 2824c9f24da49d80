/**
 * Approvals as server-side records (migrations/0014_trust.sql): who allowed which exact action
 * of which task, and when a worker took it. The only source a worker believes; nothing a
 * task's creator writes (metadata, cron templates, A2A or MCP arguments) is an approval.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { taskApprovals } from '../../storage/postgres/approval-schema'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'
import type { PendingAction } from './lease'

export type Decision = 'approved' | 'rejected'
type ApprovalRow = typeof taskApprovals.$inferSelect

/**
 * Records a person's answer to the action the task is waiting on, only while it still waits
 * on exactly that action: the insert reads the task's pending action itself, so a request
 * cannot approve anything the worker did not ask for. Undefined when the task stopped
 * waiting (or an unused approval of that action already exists).
 */
export async function recordDecision(
  scope: Scope,
  taskId: string,
  pending: PendingAction,
  decision: Decision,
  note?: string,
): Promise<ApprovalRow | undefined> {
  const p = scope.principal
  const rows = await tenantQuery(scope, (db) =>
    db.execute<ApprovalRow>(sql`
      insert into task_approvals
        (tenant_id, task_id, tool, input, action_key, decision, decided_by, decided_by_name, note)
      select t.tenant_id, t.id, t.metadata->'pending_action'->>'tool',
             coalesce(t.metadata->'pending_action'->'input', 'null'::jsonb),
             t.metadata->'pending_action'->>'key', ${decision}, ${p.subject}, ${p.name},
             ${note ?? null}
        from tasks t
       where t.id = ${taskId} and t.status = 'input-required'
         and t.metadata->'pending_action'->>'key' = ${pending.key}
      on conflict do nothing
      returning id, task_id as "taskId", tool, action_key as "actionKey", decision,
                decided_by as "decidedBy", decided_by_name as "decidedByName", note,
                decided_at as "decidedAt"`),
  )
  return rows.rows[0]
}

/** The approvals a worker holding the task may still take, for its claim. */
export async function openApprovals(scope: Scope, taskId: string) {
  return tenantQuery(scope, (db) =>
    db
      .select({
        id: taskApprovals.id,
        tool: taskApprovals.tool,
        input: taskApprovals.input,
        decidedBy: taskApprovals.decidedByName,
        decidedAt: taskApprovals.decidedAt,
      })
      .from(taskApprovals)
      .where(
        and(
          eq(taskApprovals.taskId, taskId),
          eq(taskApprovals.decision, 'approved'),
          isNull(taskApprovals.usedAt),
        ),
      )
      .orderBy(asc(taskApprovals.decidedAt)),
  )
}

/**
 * The worker takes an approval just before running its action: once, and only while it holds
 * the task at this attempt. False when it is used, unknown, or not this holder's to take.
 */
export async function takeApproval(
  scope: Scope,
  taskId: string,
  approvalId: string,
  holder: { workerId: string; attempt: number },
): Promise<boolean> {
  const rows = await tenantQuery(scope, (db) =>
    db.execute(sql`
      update task_approvals a
         set used_at = now(), used_by = ${holder.workerId}, used_attempt = ${holder.attempt}
        from tasks t
       where a.id = ${approvalId}::uuid and a.task_id = ${taskId} and a.decision = 'approved'
         and a.used_at is null and t.id = a.task_id and t.status = 'working'
         and t.worker_id = ${holder.workerId} and t.attempt = ${holder.attempt}
      returning a.id`),
  )
  return rows.rows.length === 1
}

/**
 * An approval recorded for a wait that ended before the task went back to the queue (a
 * cancel or requeue raced it): marked used, so no later claim receives it.
 */
export async function voidApproval(scope: Scope, taskId: string, approvalId: string) {
  await tenantQuery(scope, (db) =>
    db.execute(sql`
      update task_approvals set used_at = now(), used_by = '(void: the task moved on)'
       where id = ${approvalId}::uuid and task_id = ${taskId} and used_at is null`),
  )
}

/** Every decision on a task, oldest first: the REST view of who allowed what. */
export async function listApprovals(scope: Scope, taskId: string) {
  const rows = await tenantQuery(scope, (db) =>
    db
      .select()
      .from(taskApprovals)
      .where(eq(taskApprovals.taskId, taskId))
      .orderBy(asc(taskApprovals.decidedAt)),
  )
  return rows.map((r) => ({
    id: r.id,
    tool: r.tool,
    input: r.input,
    action_key: r.actionKey,
    decision: r.decision,
    decided_by: r.decidedByName,
    note: r.note,
    decided_at: r.decidedAt.toISOString(),
    used_at: r.usedAt?.toISOString() ?? null,
    used_by: r.usedBy,
  }))
}
