import { announce } from '../live/publish'
import type { Scope } from '../scope'
import { getTask } from '../task-model/queries'
import { applyChange, type TaskRow } from '../task-model/store'
import { tellWorker } from './dispatch'
import { refusal } from './refusal'

/**
 * Cancels a task that has not finished, and tells the worker running it to stop (its later
 * output and release are refused anyway). Cancelling a canceled task is fine.
 */
export async function cancelTask(scope: Scope, taskId: string): Promise<TaskRow> {
  const canceled = await applyChange(scope, taskId, { state: 'canceled' })
  if (canceled) {
    await announce(scope, canceled.task, canceled.events)
    // A worker that is not connected learns it from its next output or release (409).
    const workerId = canceled.task.workerId
    if (workerId)
      await tellWorker(scope.env, scope.tenantId, workerId, 'task_cancelled', { task_id: taskId })
    return canceled.task
  }
  const row = await getTask(scope, taskId)
  if (row?.status === 'canceled') return row
  throw refusal(row, taskId, 'cannot be cancelled')
}
