import type { Principal } from '../../auth/principal'
import { conflict, notFound } from '../../lib/errors'
import type { Scope } from '../scope'
import { getTask } from '../task-model/queries'
import { restStatus } from '../task-model/states'
import type { TaskRow } from '../task-model/store'

/**
 * Why a guarded change did not apply, as the error the caller gets: 404 for an unknown task,
 * else 409 with the state that refused it. `what` finishes "Task X is <status> and …". A
 * worker token learns the state and holder only of a task it holds: to it, another's task
 * is just not its to change.
 */
export function refusal(
  task: TaskRow | undefined,
  taskId: string,
  what: string,
  caller?: Principal,
) {
  if (!task) return notFound(`Task ${taskId}`)
  if (caller?.kind === 'worker_token' && task.workerId !== caller.workerId) {
    return conflict(`Task ${taskId} ${what}`)
  }
  return conflict(`Task ${taskId} is ${restStatus[task.status]} and ${what}`, {
    status: restStatus[task.status],
    worker_id: task.workerId,
    attempt: task.attempt,
  })
}

/** The refusal for the task as it is now. */
export async function currentRefusal(scope: Scope, taskId: string, what: string) {
  return refusal(await getTask(scope, taskId), taskId, what, scope.principal)
}
