/**
 * A person steps in. Unlike upstream's /intervene, which only logged, this reaches the agent:
 * a message into the named agent's inbox (delivered live if it is connected), or the answer
 * to a task that waits for input.
 */
import { continueTask } from '../../agents/execute'
import { can } from '../../auth/permissions'
import { conflict, forbidden } from '../../lib/errors'
import { senderOf, sendMessage } from '../bus/service'
import { announce } from '../live/publish'
import { answerApproval } from '../queue/approve'
import { dispatch } from '../queue/dispatch'
import { refusal } from '../queue/refusal'
import type { Scope } from '../scope'
import { getTask } from '../task-model/queries'
import { applyChange } from '../task-model/store'

export interface Intervention {
  agentId?: string
  taskId?: string
  message: string
  /** For a task waiting on a person's approval of an action: the answer. */
  approve?: boolean
  /** The action the person saw: the answer holds only for it. */
  actionKey?: string
}

export async function intervene(scope: Scope, i: Intervention) {
  const from = senderOf(scope.principal)
  if (i.taskId) return { delivered_to: 'task' as const, task: await answerTask(scope, i, from) }
  if (!can(scope.principal, 'agents:write')) throw forbidden('Needs agents:write')
  const sent = await sendMessage(scope, {
    to: i.agentId ?? '',
    from,
    body: { text: i.message, intervention: true },
  })
  return { delivered_to: 'agent' as const, message: sent }
}

async function answerTask(scope: Scope, i: Intervention, by: string) {
  // Answering an approval is an approver's act; any other answer is a task writer's.
  const approving = i.approve !== undefined
  const needs = approving ? 'tasks:approve' : 'tasks:write'
  if (!can(scope.principal, needs)) throw forbidden(`Needs ${needs}`)
  const taskId = i.taskId ?? ''
  const task = await getTask(scope, taskId)
  if (task?.status !== 'input-required') throw refusal(task, taskId, 'waits for no input')
  if (approving && task.metadata.pending_action) {
    return answerApproval(scope, taskId, {
      approve: i.approve === true,
      note: i.message,
      actionKey: i.actionKey,
    })
  }
  if (!can(scope.principal, 'tasks:write')) throw forbidden('Needs tasks:write')
  const json = {
    messageId: crypto.randomUUID(),
    role: 'ROLE_USER',
    parts: [{ text: i.message }],
    taskId,
    contextId: task.contextId,
    metadata: { intervention: true, from: by },
  }
  // Built-in agents answer on the spot; a worker's task goes back to the queue with the answer.
  if (task.agentType === 'builtin') {
    return continueTask(scope, task, { json, text: i.message }, true)
  }
  const changed = await applyChange(scope, taskId, {
    state: 'submitted',
    messages: [json],
    metadata: { human_input: i.message, human_input_by: by, pending_action: null },
    onlyFrom: ['input-required'],
  })
  if (!changed) throw conflict(`Task ${taskId} stopped waiting for input`)
  await announce(scope, changed.task, changed.events)
  await dispatch(scope.env, scope.tenantId, changed.task)
  return changed.task
}
