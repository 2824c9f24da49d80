import { conflict, notFound } from '../lib/errors'
import { announce } from '../tasks/publish'
import type { Scope } from '../tasks/scope'
import { restStatus } from '../tasks/states'
import { applyChange, getTask, type TaskRow } from '../tasks/store'
import { hubOf } from './dispatch'

/**
 * Cancels a task that has not finished, and tells the worker running it to stop (its later
 * output and release are refused anyway). Cancelling a canceled task is fine.
 */
export async function cancelTask(scope: Scope, taskId: string): Promise<TaskRow> {
  const canceled = await applyChange(scope.db, scope.tenantId, taskId, { state: 'canceled' })
  if (canceled) {
    await announce(scope, canceled.task, canceled.events)
    const workerId = canceled.task.workerId
    if (workerId) {
      await hubOf(scope.env, scope.tenantId)
        .tell(scope.tenantId, workerId, 'task_cancelled', { task_id: taskId })
        .catch(() => {}) // a worker that is not connected learns it from its next output or release
    }
    return canceled.task
  }
  const row = await getTask(scope.db, scope.tenantId, taskId)
  if (!row) throw notFound(`Task ${taskId}`)
  if (row.status === 'canceled') return row
  throw conflict(`Task ${taskId} is ${restStatus[row.status]} and cannot be cancelled`, {
    status: restStatus[row.status],
  })
}
