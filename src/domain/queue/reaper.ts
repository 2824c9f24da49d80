import { sql } from 'drizzle-orm'
import { agentMessage } from '../../agents/message'
import { tasks } from '../../storage/postgres/schema'
import { tenantQuery } from '../../storage/postgres/tenant'
import { announce } from '../live/publish'
import type { Scope } from '../scope'
import { listTasks } from '../task-model/queries'
import { applyChange, type TaskRow } from '../task-model/store'

export interface ReapResult {
  requeued: TaskRow[]
  failed: TaskRow[]
}

/**
 * Expired leases go back to the queue, or fail once their attempts are used up; tasks past
 * their deadline fail. Each is one guarded change (the lease must still be expired when it
 * applies), so a worker that renews at the last moment keeps its task.
 */
export async function reap(scope: Scope): Promise<ReapResult> {
  const due = await tenantQuery(scope, (db) =>
    db
      .select({
        id: tasks.id,
        attempt: tasks.attempt,
        maxAttempts: tasks.maxAttempts,
        deadlineAt: tasks.deadlineAt,
        status: tasks.status,
      })
      .from(tasks)
      .where(
        sql`(${tasks.status} = 'working' and ${tasks.leaseExpiresAt} < now())
            or (${tasks.status} in ('submitted', 'working') and ${tasks.deadlineAt} < now())`,
      )
      .limit(100),
  )
  const result: ReapResult = { requeued: [], failed: [] }
  for (const t of due) {
    const pastDeadline = t.deadlineAt !== null && t.deadlineAt.getTime() < Date.now()
    const exhausted = t.attempt >= t.maxAttempts
    const fail = pastDeadline || exhausted
    const reason = pastDeadline
      ? 'deadline passed'
      : exhausted
        ? `lease expired on attempt ${t.attempt} of ${t.maxAttempts}`
        : `lease expired on attempt ${t.attempt}; requeued`
    const changed = await applyChange(scope, t.id, {
      state: fail ? 'failed' : 'submitted',
      statusMessage: agentMessage(reason, undefined, t.id),
      error: fail ? reason : undefined,
      clearHolder: true,
      onlyFrom: pastDeadline ? ['submitted', 'working'] : ['working'],
      guard: pastDeadline ? { pastDeadline: true } : { leaseExpired: true },
    })
    if (!changed) continue
    await announce(scope, changed.task, changed.events)
    ;(fail ? result.failed : result.requeued).push(changed.task)
  }
  return result
}

/** Running tasks whose lease expired or that were silent for `silentSeconds`. */
export function stuckTasks(scope: Scope, silentSeconds: number): Promise<TaskRow[]> {
  return listTasks(scope, {
    statuses: ['working'],
    where: sql`(tasks.lease_expires_at < now() or tasks.updated_at < now() - make_interval(secs => ${silentSeconds}::int))`,
    limit: 500,
  })
}
