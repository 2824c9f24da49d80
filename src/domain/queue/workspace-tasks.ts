import { badRequest } from '../../lib/errors'
import type { Scope } from '../scope'
import { normalisePath } from '../workspaces/path'
import { type RegisterWorkspace, registerWorkspace, workspaceView } from '../workspaces/service'
import { createQueuedTask } from './tasks'
import { listWorkers } from './workers'

/**
 * A workspace asked for without a worker (from the UI): a worker must check the path (or
 * clone the repository) and register it, so this queues that job. Upstream's answers:
 * `{pending: true, task_id}`, or 400 "No workers available".
 */
export async function requestWorkspace(
  scope: Scope,
  input: { name: string; path: string; description?: string; gitUrl?: string; gitBranch?: string },
) {
  const path = normalisePath(input.path)
  if (!path) throw badRequest(`path must be absolute: ${JSON.stringify(input.path)}`)
  const online = await listWorkers(scope, { onlineOnly: true, hideAfterHours: 24 })
  if (online.length === 0)
    throw badRequest('No workers available: start `codetether worker` to register a path')
  const clone = Boolean(input.gitUrl)
  const task = await createQueuedTask(scope, {
    title: clone ? `Clone ${input.gitUrl} into ${path}` : `Register ${path}`,
    prompt: clone ? `git clone ${input.gitUrl} ${path}` : `register codebase ${path}`,
    agentType: clone ? 'clone_repo' : 'register_codebase',
    metadata: {
      name: input.name,
      path,
      description: input.description ?? '',
      ...(clone ? { git_url: input.gitUrl, git_branch: input.gitBranch ?? null } : {}),
    },
  })
  return {
    success: true as const,
    pending: true as const,
    task_id: task.id,
    agent_type: task.agentType,
  }
}

/**
 * Adds a workspace: a worker registering its own path (`workerId` sets ownership), or a
 * request from a person, which becomes a job for a worker to check and register.
 */
export async function addWorkspace(
  scope: Scope,
  input: Omit<RegisterWorkspace, 'workerId'> & { workerId?: string },
) {
  if (!input.workerId) {
    if (input.global) throw badRequest("A global codebase is a worker's: worker_id is required")
    return requestWorkspace(scope, {
      name: input.name,
      path: input.path,
      description: input.description,
      gitUrl: input.gitUrl,
      gitBranch: input.gitBranch,
    })
  }
  const row = await registerWorkspace(scope, {
    ...input,
    workerId: input.workerId,
  })
  const view = workspaceView(row)
  return { success: true as const, workspace: view, codebase: view }
}
