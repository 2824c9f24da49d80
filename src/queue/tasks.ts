import { announce } from '../tasks/publish'
import type { Scope } from '../tasks/scope'
import { insertTask, type NewTask } from '../tasks/store'
import { getWorkspace } from '../workspaces/service'
import { dispatch } from './dispatch'

/** A task for the queue: created `submitted`, for a worker to claim. */
export async function createQueuedTask(
  scope: Scope,
  input: NewTask & { workspaceId?: string | null },
) {
  const workspaceId = input.workspaceId && input.workspaceId !== 'global' ? input.workspaceId : null
  if (workspaceId) await getWorkspace(scope.db, scope.tenantId, workspaceId) // 404 when unknown
  const modelRef = input.modelRef ? input.modelRef.replace('/', ':') : null
  const created = await insertTask(scope.db, scope.tenantId, {
    ...input,
    workspaceId,
    modelRef,
    createdBy: scope.principal.subject,
  })
  await announce(scope, created.task, created.events, { fresh: true })
  await dispatch(scope.env, scope.tenantId, created.task)
  return created.task
}
