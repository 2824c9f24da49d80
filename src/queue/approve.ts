import { agentMessage } from '../agents/message'
import { badRequest } from '../lib/errors'
import { announce } from '../tasks/publish'
import type { Scope } from '../tasks/scope'
import { applyChange, getTask, type TaskRow } from '../tasks/store'
import { dispatch } from './dispatch'
import type { PendingAction } from './lease'
import { refusal } from './refusal'

/**
 * A person answers a worker's request for approval. Approved: the action joins the task's
 * approved_actions and the task goes back to the queue, so a worker runs it again with that
 * action allowed. Denied: the task fails, saying who stopped it and why.
 */
export async function answerApproval(
  scope: Scope,
  taskId: string,
  answer: { approve: boolean; note?: string; by: string },
): Promise<TaskRow> {
  const task = await getTask(scope.db, scope.tenantId, taskId)
  const pending = task?.metadata.pending_action as PendingAction | null | undefined
  if (task?.status !== 'input-required') throw refusal(task, taskId, 'awaits no approval')
  if (!pending?.key) throw badRequest(`Task ${taskId} waits for input, not for an approval`)
  const approved = Array.isArray(task.metadata.approved_actions)
    ? (task.metadata.approved_actions as string[])
    : []
  const note = answer.note ? `: ${answer.note}` : ''
  const changed = await applyChange(
    scope.db,
    scope.tenantId,
    taskId,
    answer.approve
      ? {
          state: 'submitted',
          metadata: { pending_action: null, approved_actions: [...approved, pending.key] },
          onlyFrom: ['input-required'],
        }
      : {
          state: 'failed',
          error: `${pending.tool} was denied by ${answer.by}${note}`,
          statusMessage: agentMessage(`${pending.tool} was denied${note}`, undefined, taskId),
          metadata: { pending_action: null },
          onlyFrom: ['input-required'],
        },
  )
  if (!changed)
    throw refusal(await getTask(scope.db, scope.tenantId, taskId), taskId, 'awaits no approval')
  await announce(scope, changed.task, changed.events)
  if (answer.approve) await dispatch(scope.env, scope.tenantId, changed.task)
  return changed.task
}
