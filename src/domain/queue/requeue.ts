import { notFound } from '../../lib/errors'
import { announce } from '../live/publish'
import type { Scope } from '../scope'
import { getTask } from '../task-model/queries'
import { applyChange, type TaskRow } from '../task-model/store'
import { dispatch, tellWorker } from './dispatch'
import { requeueChange } from './lease'
import { currentRefusal } from './refusal'

/** Puts a running (or paused) task back in the queue by hand; its holder is told and fenced off. */
export async function requeueTask(scope: Scope, taskId: string): Promise<TaskRow> {
  const before = await getTask(scope, taskId)
  if (!before) throw notFound(`Task ${taskId}`)
  const changed = await applyChange(scope, taskId, requeueChange())
  if (!changed) throw await currentRefusal(scope, taskId, 'cannot be requeued')
  await announce(scope, changed.task, changed.events)
  if (before.workerId) {
    await tellWorker(scope.env, scope.tenantId, before.workerId, 'task_cancelled', {
      task_id: taskId,
      reason: 'requeued',
    })
  }
  await dispatch(scope.env, scope.tenantId, changed.task)
  return changed.task
}
