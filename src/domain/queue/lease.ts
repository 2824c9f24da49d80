import { sql } from 'drizzle-orm'
import { agentMessage } from '../../agents/message'
import { log } from '../../lib/log'
import type { TaskStatus } from '../../storage/postgres/statuses'
import { limitsOf } from '../limits/settings'
import { byteLength, overLimit } from '../limits/table'
import { announce } from '../live/publish'
import type { Scope } from '../scope'
import type { OutputLine, TaskEvent } from '../task-model/events'
import { TERMINAL } from '../task-model/states'
import { applyChange, getTask, type TaskGuard, type TaskRow } from '../task-model/store'
import { dispatch, watchLeases } from './dispatch'
import { currentRefusal, refusal } from './refusal'
import { ONLINE_WINDOW_SECONDS } from './workers'

/** How long a claim holds without a heartbeat or output (LEASE_SECONDS, default 600). */
const leaseOf = (scope: Scope) => scope.config.LEASE_SECONDS

/** Who may take a task: app.eligible_for (migration 0012), for a worker's list of work. */
export const eligibleFor = (workerId: string) =>
  sql`app.eligible_for(tasks, ${workerId}, ${ONLINE_WINDOW_SECONDS}::int)`

/**
 * What a worker token may read: the pending tasks it may claim and those it holds (who may
 * take a task says nothing of its state, so the pending test is part of it here).
 */
export const visibleTo = (workerId: string) =>
  sql`((tasks.status = 'submitted' and ${eligibleFor(workerId)}) or tasks.worker_id = ${workerId})`

/** The holder's attempt: a release or output from an older attempt is a stale one. */
const heldBy = (workerId: string, attempt?: number): TaskGuard => ({ heldBy: workerId, attempt })

/** Claims a pending task for a worker, atomically: exactly one of racing claimers wins. */
export async function claimTask(scope: Scope, taskId: string, workerId: string): Promise<TaskRow> {
  const claimed = await applyChange(scope, taskId, {
    state: 'working',
    onlyFrom: ['submitted'],
    claimBy: workerId,
    leaseSeconds: leaseOf(scope),
    guard: { eligibleFor: { workerId, onlineSeconds: ONLINE_WINDOW_SECONDS } },
  })
  if (!claimed) throw await currentRefusal(scope, taskId, 'cannot be claimed')
  // The worker is waiting to start: it gets its lease now, the watchers right after. A
  // subscriber that sees a later event first fills the gap from task_events.
  scope.waitUntil(
    Promise.all([
      announce(scope, claimed.task, claimed.events),
      watchLeases(scope.env, scope.tenantId),
    ]).catch((err) => log.warn('claim follow-up failed', { task_id: taskId, error: err as Error })),
  )
  return claimed.task
}

/**
 * Output lines from the holder: durable, ordered events that also extend the lease. A worker
 * that numbers its lines (`firstLine`, 1-based within the attempt) may resend a batch: lines
 * already stored are skipped, so a retry never duplicates output.
 *
 * Bounded by the tenant's limits: a line over output_line_bytes refuses the batch, and the
 * task's output (every attempt together) stops at task_output_bytes, counted in the same
 * update that stores the lines. A batch that would pass it stores the lines that fit, then
 * answers the 413.
 */
export async function appendOutput(
  scope: Scope,
  taskId: string,
  workerId: string,
  lines: string[],
  at: { attempt?: number; firstLine?: number } = {},
): Promise<TaskEvent[]> {
  const limits = await limitsOf(scope)
  const first = at.firstLine
  const sizes = lines.map(byteLength)
  sizes.forEach((used, i) => {
    if (used <= limits.output_line_bytes) return
    const n = first === undefined ? '' : ` ${first + i}`
    throw overLimit('output_line_bytes', limits.output_line_bytes, {
      used,
      what: `Output line${n}`,
    })
  })
  const bytes = sizes.reduce((a, b) => a + b, 0)
  const maxBytes = limits.task_output_bytes
  const timestamp = new Date().toISOString()
  const last = first === undefined ? undefined : first + lines.length - 1
  const done = await applyChange(scope, taskId, {
    // The attempt and line number let a reader tell a re-run's lines from the first run's.
    output: lines.map(
      (output, i): OutputLine => ({
        output,
        worker_id: workerId,
        timestamp,
        ...(at.attempt === undefined ? {} : { attempt: at.attempt }),
        ...(first === undefined ? {} : { line: first + i }),
      }),
    ),
    outputMark: last,
    outputBytes: bytes,
    onlyFrom: ['working'],
    leaseSeconds: leaseOf(scope),
    guard: { ...heldBy(workerId, at.attempt), outputBefore: first, maxOutputBytes: maxBytes },
  })
  if (done) {
    await announce(scope, done.task, done.events)
    return done.events
  }
  // Refused: tell a resend, the task's output bound and a holder that is not this one apart.
  const task = await getTask(scope, taskId)
  const stored = task?.outputMark ?? 0
  const ours =
    task?.status === 'working' &&
    task.workerId === workerId &&
    (at.attempt === undefined || task.attempt === at.attempt)
  if (ours && first !== undefined && last !== undefined && stored >= first) {
    if (stored >= last) return []
    return appendOutput(scope, taskId, workerId, lines.slice(stored - first + 1), {
      ...at,
      firstLine: stored + 1,
    })
  }
  if (ours && task.outputBytes + bytes > maxBytes) {
    let fit = 0
    for (let room = maxBytes - task.outputBytes; fit < lines.length; fit++) {
      room -= sizes[fit] as number
      if (room < 0) break
    }
    if (fit > 0) await appendOutput(scope, taskId, workerId, lines.slice(0, fit), at)
    throw overLimit('task_output_bytes', maxBytes, {
      used: task.outputBytes + bytes,
      what: `Output of task ${taskId}`,
    })
  }
  throw refusal(task, taskId, 'takes no output from this worker', scope.principal)
}

/** An action the worker's approval policy held back, for a person to allow. */
export interface PendingAction {
  tool: string
  input: unknown
  reason: string
  /** What the worker matches an approval against (metadata.approved_actions). */
  key: string
}

/**
 * The holder finishes its attempt; only once, and never from a stale attempt. A task that
 * waits for a person's approval (input-required) lets go of its lease and holder: whichever
 * worker takes it after the approval runs it again with the action allowed.
 */
export async function releaseTask(
  scope: Scope,
  taskId: string,
  workerId: string,
  outcome: {
    state: TaskStatus
    result?: string
    error?: string
    attempt?: number
    pending?: PendingAction
  },
) {
  const waiting = outcome.state === 'input-required'
  const text = waiting
    ? `Waiting for approval: ${outcome.pending?.reason ?? 'an action needs approval'}`
    : outcome.state === 'completed'
      ? outcome.result
      : (outcome.error ?? outcome.result)
  const released = await applyChange(scope, taskId, {
    state: outcome.state,
    // What A2A clients read as the answer.
    statusMessage: text ? agentMessage(text, undefined, taskId) : undefined,
    result: outcome.result,
    error: outcome.error,
    onlyFrom: ['working', 'input-required', 'auth-required'],
    guard: heldBy(workerId, outcome.attempt),
    ...(waiting
      ? { clearHolder: true, metadata: { pending_action: outcome.pending ?? null } }
      : {}),
  })
  if (!released) throw await currentRefusal(scope, taskId, 'cannot be released by this worker')
  await announce(scope, released.task, released.events)
  return released.task
}

/**
 * A release without an outcome: the holder lets go and the task goes back to the queue for
 * another attempt (upstream's legacy worker sends this after reporting the outcome by PUT
 * status, and alone for a task it dropped at shutdown). A finished task stays finished.
 */
export async function letGo(scope: Scope, taskId: string, workerId: string, attempt?: number) {
  const requeued = await applyChange(scope, taskId, {
    state: 'submitted',
    clearHolder: true,
    onlyFrom: ['working', 'input-required', 'auth-required'],
    guard: heldBy(workerId, attempt),
  })
  if (requeued) {
    await announce(scope, requeued.task, requeued.events)
    await dispatch(scope.env, scope.tenantId, requeued.task)
    return requeued.task
  }
  const task = await getTask(scope, taskId)
  if (task && TERMINAL.includes(task.status)) return task
  throw refusal(task, taskId, 'cannot be released by this worker', scope.principal)
}
