import { type TaskStatus, taskStatuses } from '../../storage/postgres/statuses'
import { restStatus } from './states'
import type { TaskRow } from './store'

/** A task as upstream's /v1/agent REST serves it (snake_case, upstream's status names). */
export function restTaskView(t: TaskRow) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null)
  return {
    id: t.id,
    context_id: t.contextId,
    workspace_id: t.workspaceId ?? 'global',
    codebase_id: t.workspaceId ?? 'global',
    title: t.title,
    prompt: t.prompt,
    agent_type: t.agentType,
    status: restStatus[t.status],
    a2a_state: t.status,
    priority: t.priority,
    deadline_at: iso(t.deadlineAt),
    worker_id: t.workerId,
    target_agent_name: t.targetAgentName,
    model_ref: t.modelRef,
    result: t.result,
    error: t.error,
    metadata: t.metadata,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
    started_at: iso(t.startedAt),
    completed_at: iso(t.completedAt),
  }
}

/** Upstream's status names (and ours) to the stored states they cover. */
const fromRest: Record<string, TaskStatus[]> = {
  pending: ['submitted'],
  queued: ['submitted'],
  assigned: ['working'],
  running: ['working'],
  needs_input: ['input-required', 'auth-required'],
  completed: ['completed'],
  failed: ['failed', 'rejected'],
  cancelled: ['canceled'],
}

export function statesForRest(name: string): TaskStatus[] | undefined {
  // Own names only: `constructor` or `toString` is no status.
  if (Object.hasOwn(fromRest, name)) return fromRest[name]
  return (taskStatuses as readonly string[]).includes(name) ? [name as TaskStatus] : undefined
}
