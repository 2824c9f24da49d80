import { agentMessage } from '../../agents/message'
import { badRequest, conflict } from '../../lib/errors'
import { audit } from '../audit/log'
import { announce } from '../live/publish'
import type { Scope } from '../scope'
import { getTask } from '../task-model/queries'
import { applyChange, type TaskRow } from '../task-model/store'
import { recordDecision, voidApproval } from './approvals'
import { dispatch } from './dispatch'
import type { PendingAction } from './lease'
import { refusal } from './refusal'

/**
 * A person with tasks:approve answers a worker's request for approval (the caller checks the
 * permission). The answer is recorded first (who, when, the exact action); approved, the task
 * goes back to the queue and the worker that takes it may run that action once; denied, the
 * task fails, saying who stopped it and why.
 */
export async function answerApproval(
  scope: Scope,
  taskId: string,
  answer: { approve: boolean; note?: string; actionKey?: string },
  requestId?: string,
): Promise<TaskRow> {
  const task = await getTask(scope, taskId)
  const pending = task?.metadata.pending_action as PendingAction | null | undefined
  if (task?.status !== 'input-required') throw refusal(task, taskId, 'awaits no approval')
  if (!pending?.key) throw badRequest(`Task ${taskId} waits for input, not for an approval`)
  // An answer given to what the person saw: if the worker has since asked for something
  // else, this answer is not for it.
  if (answer.actionKey !== undefined && answer.actionKey !== pending.key) {
    throw conflict(`Task ${taskId} now waits on another action: look again before answering`, {
      pending_action: pending,
    })
  }
  const decision = answer.approve ? 'approved' : 'rejected'
  const record = await recordDecision(scope, taskId, pending, decision, answer.note)
  if (!record) throw conflict(`Task ${taskId} stopped waiting for this approval`)
  audit(scope, scope.tenantId, {
    action: answer.approve ? 'action_approved' : 'action_rejected',
    actor: scope.principal,
    target: `task:${taskId}`,
    detail: { approval_id: record.id, tool: pending.tool, action_key: pending.key },
    requestId,
  })
  const by = scope.principal.name
  const note = answer.note ? `: ${answer.note}` : ''
  const changed = await applyChange(
    scope,
    taskId,
    answer.approve
      ? { state: 'submitted', metadata: { pending_action: null }, onlyFrom: ['input-required'] }
      : {
          state: 'failed',
          error: `${pending.tool} was denied by ${by}${note}`,
          statusMessage: agentMessage(`${pending.tool} was denied${note}`, undefined, taskId),
          metadata: { pending_action: null },
          onlyFrom: ['input-required'],
        },
  )
  if (!changed) {
    await voidApproval(scope, taskId, record.id)
    throw refusal(await getTask(scope, taskId), taskId, 'awaits no approval')
  }
  await announce(scope, changed.task, changed.events)
  if (answer.approve) await dispatch(scope.env, scope.tenantId, changed.task)
  return changed.task
}
