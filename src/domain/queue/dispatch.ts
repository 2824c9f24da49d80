import { configOf, type Env } from '../../env'
import { schedulerOf, workerHubOf, workerHubs } from '../../lib/live-objects'
import { log } from '../../lib/log'
import type { TaskRow } from '../task-model/store'

/** What `task_available` carries (upstream's payload). Advisory: the claim decides. */
export interface TaskAvailable {
  id: string
  codebase_id: string
  title: string
  prompt: string
  agent_type: string
  priority: number
  metadata: Record<string, unknown>
  model_ref: string | null
  target_agent_name: string | null
  target_worker_id: string | null
  required_capabilities: string[]
  created_at: string
}

export function taskAvailable(t: TaskRow): TaskAvailable {
  return {
    id: t.id,
    codebase_id: t.workspaceId ?? 'global',
    title: t.title,
    prompt: t.prompt,
    agent_type: t.agentType,
    priority: t.priority,
    metadata: t.metadata,
    model_ref: t.modelRef,
    target_agent_name: t.targetAgentName,
    target_worker_id: t.targetWorkerId,
    required_capabilities: t.requiredCapabilities,
    created_at: t.createdAt.toISOString(),
  }
}

/**
 * Pushes a pending task to the tenant's connected, eligible workers (polling finds it too).
 * Returns how many were told.
 */
export async function dispatch(env: Env, tenantId: string, task: TaskRow): Promise<number> {
  try {
    const offer = taskAvailable(task)
    // A task for one worker goes to its hub; any other to every hub of the tenant.
    const hubs = task.targetWorkerId
      ? [workerHubOf(env, tenantId, task.targetWorkerId)]
      : workerHubs(env, tenantId)
    const told = await Promise.all(hubs.map((hub) => hub.notify(offer)))
    return told.reduce((a, b) => a + b, 0)
  } catch (err) {
    log.warn('task dispatch failed', { task_id: task.id, error: err as Error })
    return 0
  }
}

/** Tenants whose reaper this isolate saw scheduled, and when: the alarm re-arms itself. */
const watched = new Map<string, number>()
const WATCH_MEMO_MS = 60_000

/** A claim started a lease: make sure the tenant's reaper is running (once a minute per isolate). */
export async function watchLeases(env: Env, tenantId: string): Promise<void> {
  const seen = watched.get(tenantId)
  if (seen !== undefined && Date.now() - seen < WATCH_MEMO_MS) return
  try {
    const interval = configOf(env).REAPER_INTERVAL_SECONDS * 1000
    await schedulerOf(env, tenantId).wake('leases', Date.now() + interval)
    watched.set(tenantId, Date.now())
  } catch (err) {
    log.warn('reaper scheduling failed', { error: err as Error })
  }
}

/** An event for one worker's open task streams; a worker not connected learns it later. */
export async function tellWorker(
  env: Env,
  tenantId: string,
  workerId: string,
  event: string,
  data: unknown,
) {
  try {
    await workerHubOf(env, tenantId, workerId).tell(workerId, event, data)
  } catch (err) {
    log.warn('telling a worker failed', { worker_id: workerId, event, error: err as Error })
  }
}
