import type { Env } from '../../env'
import { taskStreamOf, workspaceHubOf } from '../../lib/live-objects'
import { log } from '../../lib/log'
import { enqueuePush } from '../push/deliver'
import type { Scope } from '../scope'
import type { TaskEvent } from '../task-model/events'
import type { TaskRow } from '../task-model/store'
import type { StreamView } from '../task-model/stream-views'
import { localFeedOf } from './local-feed'
import { workspaceEvents } from './workspace-events'

/**
 * Hands committed events to the task's TaskStream for live fan-out. A failure loses nothing
 * (the events are in Postgres and subscribers catch up on the next one), so it is logged,
 * not thrown.
 */
export async function publishEvents(
  env: Env,
  tenantId: string,
  taskId: string,
  events: TaskEvent[],
) {
  if (events.length === 0) return
  try {
    await taskStreamOf(env, tenantId, taskId).publish(events)
  } catch (err) {
    log.warn('task stream publish failed', { task_id: taskId, error: err as Error })
  }
}

/**
 * What follows every committed change: live subscribers get the events now, webhooks get
 * the state changes after the response. `fresh`: the task was created by this change.
 */
export async function announce(
  scope: Scope,
  task: TaskRow,
  events: TaskEvent[],
  opts: { fresh?: boolean } = {},
): Promise<void> {
  // A built-in agent answering this task in this isolate: its stream reads the events here.
  localFeedOf(scope.tenantId, task.id)?.push(events)
  // Live fan-out only to a task with subscribers (`watched`, read in the change's own
  // statement): whoever subscribes later catches up from task_events. A task created in this
  // very transaction has none yet.
  // Two objects, two audiences (the task's subscribers, the workspace's UIs): in parallel.
  await Promise.all([
    opts.fresh || !task.watched
      ? undefined
      : publishEvents(scope.env, scope.tenantId, task.id, events),
    task.workspaceId ? publishToWorkspace(scope, task, events) : undefined,
  ])
  // Awaited, not left to waitUntil: once queued, a delivery outlives this isolate.
  await enqueuePush(scope, task, events)
}

/** A workspace task's changes, for the UIs watching that workspace (WorkerHub). */
async function publishToWorkspace(scope: Scope, task: TaskRow, events: TaskEvent[]) {
  const shown = workspaceEvents(task, events)
  if (shown.length === 0 || !task.workspaceId) return
  try {
    await workspaceHubOf(scope.env, scope.tenantId, task.workspaceId).workspaceEvents(
      task.workspaceId,
      shown,
    )
  } catch (err) {
    log.warn('workspace event publish failed', { task_id: task.id, error: err as Error })
  }
}

/**
 * The task's TaskStream from `afterSeq` on, in one of its views (stream-views.ts): replay,
 * then live events, ending after a terminal status.
 */
export async function openTaskStream(
  env: Env,
  tenantId: string,
  taskId: string,
  afterSeq: number,
  view: StreamView,
): Promise<ReadableStream<Uint8Array>> {
  return taskStreamOf(env, tenantId, taskId).subscribe(afterSeq, view)
}

/**
 * Every event of the task after `afterSeq`, then live ones, in order, until a terminal
 * status or `signal` aborts. Backed by the TaskStream object (replay from its ring or
 * task_events), so any request on any isolate sees the same sequence.
 */
export async function* subscribeEvents(
  env: Env,
  tenantId: string,
  taskId: string,
  afterSeq: number,
  signal?: AbortSignal,
): AsyncGenerator<TaskEvent> {
  const body = await openTaskStream(env, tenantId, taskId, afterSeq, 'ndjson')
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  // A pending read ends (done) when the caller aborts, so the subscription is released now,
  // not when the next event would have arrived.
  const release = () => void reader.cancel().catch(() => {})
  signal?.addEventListener('abort', release)
  let buffered = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffered += value
      let nl = buffered.indexOf('\n')
      while (nl >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        if (line) yield JSON.parse(line) as TaskEvent
        nl = buffered.indexOf('\n')
      }
    }
  } finally {
    signal?.removeEventListener('abort', release)
    await reader.cancel().catch(() => {})
  }
}
