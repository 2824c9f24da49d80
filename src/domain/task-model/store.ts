import { type SQL, sql } from 'drizzle-orm'
import type { tasks } from '../../storage/postgres/schema'
import type { TaskStatus } from '../../storage/postgres/statuses'
import { type Tenancy, tenantBatch, tenantQuery } from '../../storage/postgres/tenant'
import type { TaskEvent, TaskEventKind } from './events'
import { eventOf, taskFromJson } from './rows'
import { TERMINAL } from './states'

export type TaskRow = typeof tasks.$inferSelect

export interface NewTask {
  id?: string
  contextId?: string
  workspaceId?: string | null
  title?: string
  prompt?: string
  agentType?: string
  priority?: number
  targetAgentName?: string | null
  targetWorkerId?: string | null
  requiredCapabilities?: string[]
  modelRef?: string | null
  deadlineAt?: Date | null
  metadata?: Record<string, unknown>
  createdBy?: string
  /** A2A v1.0 JSON messages the task starts with. */
  history?: unknown[]
}

/** What one change does to a task; every field optional. Becomes events in one transaction. */
export interface TaskChange {
  state?: TaskStatus
  /** A2A v1.0 JSON Message shown with the status (e.g. the agent's answer). */
  statusMessage?: unknown
  /** A2A v1.0 JSON Messages appended to the history. */
  messages?: unknown[]
  /** A2A v1.0 JSON Artifacts; one with the id of an existing artifact replaces it. */
  artifacts?: unknown[]
  /**
   * A piece of an artifact streamed in pieces: its event carries the piece with A2A's `append`
   * and `lastChunk`, the task keeps `whole`, the artifact as far as it has come.
   */
  artifactChunk?: { artifact: unknown; append: boolean; lastChunk: boolean; whole: unknown }
  result?: string | null
  error?: string | null
  /** Lines of worker output. */
  output?: Record<string, unknown>[]
  /** Top-level keys merged into the task's metadata. */
  metadata?: Record<string, unknown>
  /** The worker's number of the last of these lines (see tasks.output_mark). */
  outputMark?: number
  /** UTF-8 bytes of these lines' text, added to tasks.output_bytes. */
  outputBytes?: number
  /** Only apply when the task is in one of these states (else nothing happens). */
  onlyFrom?: readonly TaskStatus[]
  /** A worker takes the task: it becomes the holder and the attempt number advances. */
  claimBy?: string
  /** The holder lets go (a requeue): worker and lease are cleared. */
  clearHolder?: boolean
  /** Set the lease to expire this many seconds from now (a terminal state clears it). */
  leaseSeconds?: number
  /** Further conditions on the task row; unmet, nothing happens. */
  guard?: TaskGuard
  /**
   * The answer's task without its history and artifacts (read as []): for a caller that only
   * announces the change, on a task whose history may be long (a batch of output lines).
   */
  slim?: boolean
}

/** Conditions a change may need besides the task's state (app.task_change's p_guard). */
export interface TaskGuard {
  /** This worker may take the task (app.eligible_for), online meaning seen this recently. */
  eligibleFor?: { workerId: string; onlineSeconds: number }
  /** Only the holder; with `attempt`, only that attempt of it. */
  heldBy?: string
  attempt?: number
  /** No output line numbered this or higher is stored yet. */
  outputBefore?: number
  /** The task's output stays within this many bytes with the change's `outputBytes`. */
  maxOutputBytes?: number
  leaseExpired?: boolean
  pastDeadline?: boolean
}

type NewEvent = { kind: TaskEventKind; payload: Record<string, unknown> }

/** The events a change becomes, in the order they are recorded. */
function eventsOf(change: TaskChange, timestamp: string): NewEvent[] {
  const events: NewEvent[] = []
  for (const message of change.messages ?? [])
    events.push({ kind: 'message', payload: { message } })
  for (const artifact of change.artifacts ?? [])
    events.push({ kind: 'artifact', payload: { artifact } })
  if (change.artifactChunk) {
    const { whole: _, ...piece } = change.artifactChunk
    events.push({ kind: 'artifact', payload: piece })
  }
  for (const line of change.output ?? []) events.push({ kind: 'output', payload: line })
  if (change.state) {
    const status: Record<string, unknown> = { state: change.state, timestamp }
    if (change.statusMessage !== undefined) status.message = change.statusMessage
    events.push({ kind: 'status', payload: { status } })
  }
  return events
}

/** The artifacts a change leaves on the task row (a streamed piece as its whole so far). */
const storedArtifacts = (change: TaskChange): unknown[] => [
  ...(change.artifacts ?? []),
  ...(change.artifactChunk ? [change.artifactChunk.whole] : []),
]
const artifactId = (a: unknown) => (a as { artifactId?: string }).artifactId

/**
 * Metadata as its creator may set it: what a worker asked a person (`pending_action`) is the
 * server's to write, and approvals are records of their own (queue/approvals.ts), so a task
 * cannot arrive carrying either.
 */
function creatorMetadata(metadata: Record<string, unknown> | undefined) {
  if (!metadata || !('pending_action' in metadata || 'approved_actions' in metadata))
    return metadata
  const { pending_action: _p, approved_actions: _a, ...rest } = metadata
  return rest
}

/**
 * Creates a task with its first event (status submitted) and, for work finished on the spot
 * (a built-in agent's answer), the changes that followed, all in one transaction and one
 * round trip. limits/tasks.ts's admitTask has admitted it.
 */
export async function insertTask(
  t: Tenancy,
  input: NewTask,
  followUps: TaskChange[] = [],
): Promise<{ task: TaskRow; events: TaskEvent[] }> {
  const id = input.id ?? crypto.randomUUID()
  const at = new Date().toISOString()
  const events: NewEvent[] = eventsOf({ state: 'submitted' }, at)
  let state: TaskStatus = 'submitted'
  let statusMessage: unknown = null
  const history = [...(input.history ?? [])]
  const artifacts: unknown[] = []
  let result: string | null = null
  let error: string | null = null
  for (const change of followUps) {
    events.push(...eventsOf(change, at))
    history.push(...(change.messages ?? []))
    for (const artifact of storedArtifacts(change)) {
      const id = artifactId(artifact)
      const same = id === undefined ? -1 : artifacts.findIndex((a) => artifactId(a) === id)
      if (same >= 0) artifacts[same] = artifact
      else artifacts.push(artifact)
    }
    if (change.state) {
      state = change.state
      statusMessage = change.statusMessage ?? null
    }
    result = change.result ?? result
    error = change.error ?? error
  }
  const terminal = TERMINAL.includes(state)
  const row = {
    tenant_id: t.tenantId,
    id,
    context_id: input.contextId ?? crypto.randomUUID(),
    workspace_id: input.workspaceId ?? null,
    title: input.title,
    prompt: input.prompt,
    agent_type: input.agentType,
    priority: input.priority,
    target_agent_name: input.targetAgentName ?? null,
    target_worker_id: input.targetWorkerId ?? null,
    required_capabilities: input.requiredCapabilities,
    model_ref: input.modelRef ?? null,
    deadline_at: input.deadlineAt?.toISOString() ?? null,
    metadata: creatorMetadata(input.metadata),
    created_by: input.createdBy ?? null,
    status: state,
    status_message: statusMessage,
    status_at: at,
    history,
    artifacts,
    result,
    error,
    started_at: state === 'submitted' ? null : at,
    completed_at: terminal ? at : null,
  }
  // app.insert_task (migration 0013) keeps its plan; drizzle's insert builder also cost
  // ≈ 200 µs per call to build for this table's 35 columns.
  const { rows } = await tenantQuery(t, (db) =>
    db.execute(
      sql`select app.insert_task(${JSON.stringify(row)}::jsonb, ${JSON.stringify(events)}::jsonb) as r`,
    ),
  )
  const created = changedOfRows(rows)
  if (!created) throw new Error('task insert returned no row')
  return created
}

/**
 * Applies a change in one call of app.task_change (migration 0012): the task row is updated
 * (never once terminal, nor outside `onlyFrom`, nor when the guard fails), `last_seq` advances
 * by the number of events, and the events are inserted with those seqs. A function rather
 * than a statement so that Postgres keeps its plan (a statement over SQL-over-HTTP is planned
 * anew each time). Undefined when the task is missing or the guard refused.
 */
export async function applyChange(
  t: Tenancy,
  taskId: string,
  change: TaskChange,
): Promise<Changed | undefined> {
  const { rows } = await tenantQuery(t, (db) =>
    db.execute(sql`select ${taskChangeCall(taskId, change)} as r`),
  )
  return changedOfRows(rows)
}

/**
 * Changes made one after another in one round trip (one transaction): what an agent that
 * answers at once does to its task. A change refused (the task was cancelled meanwhile, or is
 * finished) leaves the later ones refused too; the answer holds the changes made, in order.
 */
export async function applyChanges(
  t: Tenancy,
  taskId: string,
  changes: TaskChange[],
): Promise<Changed[]> {
  if (changes.length <= 1) {
    const one = changes[0] && (await applyChange(t, taskId, changes[0]))
    return one ? [one] : []
  }
  const results = await tenantBatch(
    t,
    (db) =>
      changes.map((change) => db.execute(sql`select ${taskChangeCall(taskId, change)} as r`)) as [
        ReturnType<typeof db.execute>,
        ...ReturnType<typeof db.execute>[],
      ],
  )
  const made: Changed[] = []
  for (const { rows } of results) {
    const c = changedOfRows(rows)
    if (!c) break
    made.push(c)
  }
  return made
}

/** The call of app.task_change that applies `change` to the task, for a statement to select. */
export function taskChangeCall(taskId: string, change: TaskChange): SQL {
  const a = changeArgs(change)
  return sql`app.task_change(${taskId}, ${a.change}::jsonb, ${a.events}::jsonb, ${a.guard}::jsonb)`
}

/** A change as app.task_change takes it: the change, its events and its guard, as JSON. */
export function changeArgs(change: TaskChange): { change: string; events: string; guard: string } {
  const events = eventsOf(change, new Date().toISOString())
  if (events.length === 0) throw new Error('applyChange: nothing to change')
  const onlyFrom = (
    change.onlyFrom ?? ['submitted', 'working', 'input-required', 'auth-required']
  ).filter((s) => !TERMINAL.includes(s))
  const g = change.guard ?? {}
  return {
    change: JSON.stringify({
      state: change.state,
      status_message: change.statusMessage,
      messages: change.messages,
      artifacts: change.artifactChunk ? storedArtifacts(change) : change.artifacts,
      metadata: change.metadata,
      result: change.result,
      error: change.error,
      only_from: onlyFrom,
      claim_by: change.claimBy,
      clear_holder: change.clearHolder,
      lease_seconds: change.leaseSeconds,
      output_mark: change.outputMark,
      output_bytes: change.outputBytes,
      slim: change.slim,
    }),
    events: JSON.stringify(events),
    guard: JSON.stringify({
      eligible_for: g.eligibleFor?.workerId,
      online_seconds: g.eligibleFor?.onlineSeconds,
      held_by: g.heldBy,
      attempt: g.attempt,
      output_before: g.outputBefore,
      max_output_bytes: g.maxOutputBytes,
      lease_expired: g.leaseExpired,
      past_deadline: g.pastDeadline,
    }),
  }
}

/**
 * The answer of a statement `select app.task_change(…) as r` (or app.insert_task): the row
 * and its new events, or undefined when it changed nothing.
 */
export function changedOfRows(rows: unknown[]): Changed | undefined {
  return changedOf((rows[0] as { r: unknown } | undefined)?.r)
}

export type Changed = { task: TaskRow; events: TaskEvent[] }

/** One answer of app.task_change, as JSON: undefined when nothing changed. */
export function changedOf(reply: unknown): Changed | undefined {
  type Reply = { task: Record<string, unknown> | null; events: Record<string, unknown>[] }
  const r = reply as Reply | null | undefined
  if (!r?.task) return undefined
  return { task: taskFromJson(r.task), events: r.events.map(eventOf) }
}
