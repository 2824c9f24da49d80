import { userMessageJson } from '../../agents/message'
import { admitTask } from '../limits/tasks'
import { announce } from '../live/publish'
import type { Scope } from '../scope'
import { insertTask, type NewTask } from '../task-model/store'
import { assertWithinLimit } from '../usage/budget'
import { getWorkspace } from '../workspaces/service'
import { dispatch } from './dispatch'
import { waitsForWatch } from './watch'

/** Agent types a worker runs without a model, so a spent budget does not stop them. */
const NO_MODEL = new Set(['command', 'register_codebase', 'clone_repo', 'echo', 'noop'])

/** A task for the queue: created `submitted`, for a worker to claim. */
export async function createQueuedTask(
  scope: Scope,
  input: NewTask & { workspaceId?: string | null },
) {
  const workspaceId = input.workspaceId && input.workspaceId !== 'global' ? input.workspaceId : null
  const workspace = workspaceId ? await getWorkspace(scope, workspaceId) : undefined // 404 when unknown
  if (!NO_MODEL.has(input.agentType ?? 'build')) await assertWithinLimit(scope) // 402 when spent
  const modelRef = input.modelRef ? input.modelRef.replace('/', ':') : null
  const id = input.id ?? crypto.randomUUID()
  const contextId = input.contextId ?? crypto.randomUUID()
  // The prompt is the task's first message, so A2A clients see it as history too.
  const history = input.history ?? [
    { ...userMessageJson(input.prompt ?? ''), taskId: id, contextId },
  ]
  await admitTask(scope, input.prompt)
  const created = await insertTask(scope, {
    ...input,
    id,
    contextId,
    history,
    workspaceId,
    modelRef,
    createdBy: scope.principal.subject,
  })
  await announce(scope, created.task, created.events, { fresh: true })
  // A task that waits for its codebase's watch is told to no worker until the watch starts
  // again (watch.ts offers it then).
  const waits = workspace && waitsForWatch(workspace.status, created.task)
  const notified = waits ? 0 : await dispatch(scope.env, scope.tenantId, created.task)
  return Object.assign(created.task, { workersNotified: notified })
}
