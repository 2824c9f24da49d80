import { and, eq, sql } from 'drizzle-orm'
import { tasks } from '../../storage/postgres/schema'
import { tenantBatch, tenantQuery } from '../../storage/postgres/tenant'
import { announce } from '../live/publish'
import type { Scope } from '../scope'
import { changedOfRows, type TaskRow, taskChangeCall } from '../task-model/store'
import { dispatch } from './dispatch'
import { requeueChange } from './lease'

/**
 * What a restarted worker gives back: every task the server still has it running. A worker
 * journals a claim before it runs anything, and hands back what its journal held before it
 * asks for this; so what remains are claims the server made as the worker was being stopped
 * (a claim, or a report's `claim_next`, answered to a process that was gone). They go back
 * to the queue at once rather than after their lease, and without spending the attempt,
 * since nothing ran: a task whose worker was killed at the wrong moment three times would
 * otherwise fail having never run.
 */
export async function handBackUnstarted(scope: Scope, workerId: string): Promise<TaskRow[]> {
  const held = await tenantQuery(scope, (db) =>
    db
      .select({ id: tasks.id, attempt: tasks.attempt })
      .from(tasks)
      .where(and(eq(tasks.workerId, workerId), eq(tasks.status, 'working'))),
  )
  const handed: TaskRow[] = []
  for (const { id, attempt } of held) {
    const task = await handBack(scope, id, workerId, attempt)
    if (task) handed.push(task)
  }
  return handed
}

/** One task back to the queue, its attempt given back, in one transaction. */
async function handBack(scope: Scope, id: string, workerId: string, attempt: number) {
  // This attempt of this holder only: one the worker claimed meanwhile is its to run.
  const change = taskChangeCall(id, requeueChange({ workerId, attempt }, ['working']))
  const [changedRows] = await tenantBatch(scope, (db) => [
    db.execute(sql`select ${change} as r`),
    // Only the row the change above made in this transaction (its updated_at is this
    // transaction's now()): a refused change gives nothing back.
    db
      .update(tasks)
      .set({ attempt: sql`${tasks.attempt} - 1` })
      .where(
        and(
          eq(tasks.id, id),
          eq(tasks.attempt, attempt),
          eq(tasks.status, 'submitted'),
          sql`${tasks.updatedAt} = now()`,
        ),
      ),
  ])
  const changed = changedOfRows(changedRows.rows)
  if (!changed) return undefined
  await announce(scope, changed.task, changed.events)
  await dispatch(scope.env, scope.tenantId, changed.task)
  return changed.task
}
