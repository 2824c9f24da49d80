import { sql } from 'drizzle-orm'
import { agentMessage } from '../../agents/message'
import { log } from '../../lib/log'
import type { TaskStatus } from '../../storage/postgres/statuses'
import { limitsOf } from '../limits/settings'
import { byteLength, overLimit } from '../limits/table'
import { announce } from '../live/publish'
import type { Scope } from '../scope'
import { type ClaimWish, changeThenClaim, claimMany } from '../task-model/claims'
import type { OutputLine, TaskEvent } from '../task-model/events'
import { getTask } from '../task-model/queries'
import { TERMINAL } from '../task-model/states'
import {
  applyChange,
  type Changed,
  type TaskChange,
  type TaskGuard,
  type TaskRow,
} from '../task-model/store'
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
  afterClaims(scope, [claimed])
  return claimed.task
}

/** Most tasks one wish may name, and claim. */
export const WISH_IDS = 100
export const WISH_MAX = 32

/** A worker's wish: tasks it was offered and could run, and how many slots it has free. */
export interface Wish {
  taskIds: string[]
  max: number
}

/** What a wish got: the tasks now held (each with its lease), and the named ones gone. */
export interface Granted {
  tasks: TaskRow[]
  gone: string[]
}

const wishOf = (scope: Scope, workerId: string, wish: Wish): ClaimWish => ({
  workerId,
  taskIds: wish.taskIds.slice(0, WISH_IDS),
  max: Math.min(wish.max, WISH_MAX),
  onlineSeconds: ONLINE_WINDOW_SECONDS,
  leaseSeconds: leaseOf(scope),
})

/**
 * Claims up to `max` of the named tasks in one statement, skipping any that another claim
 * holds at that moment, so that workers offered the same tasks split them between them.
 */
export async function claimTasks(scope: Scope, workerId: string, wish: Wish): Promise<Granted> {
  const { claims, gone } = await claimMany(scope, wishOf(scope, workerId, wish))
  afterClaims(scope, claims)
  return { tasks: claims.map((c) => c.task), gone }
}

/**
 * The workers are waiting to start: they get their leases now, the watchers right after. A
 * subscriber that sees a later event first fills the gap from task_events.
 */
function afterClaims(scope: Scope, claims: Changed[]) {
  if (claims.length === 0) return
  scope.waitUntil(
    Promise.all([
      ...claims.map((c) => announce(scope, c.task, c.events)),
      watchLeases(scope.env, scope.tenantId),
    ]).catch((err) => log.warn('claim follow-up failed', { error: err as Error })),
  )
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
    // Announcing lines needs the task's status, not its history.
    slim: true,
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
  outcome: Outcome,
): Promise<TaskRow> {
  const released = await applyChange(scope, taskId, releaseChange(taskId, workerId, outcome))
  if (!released) throw await currentRefusal(scope, taskId, 'cannot be released by this worker')
  await announce(scope, released.task, released.events)
  return released.task
}

/**
 * The holder's outcome and its next work in one round trip: the release, then (only if it was
 * taken) a claim as `claimTasks` makes, in one statement.
 */
export async function releaseAndClaim(
  scope: Scope,
  taskId: string,
  workerId: string,
  outcome: Outcome,
  wish: Wish,
): Promise<{ task: TaskRow; next: Granted }> {
  const change = releaseChange(taskId, workerId, outcome)
  const { changed, next } = await changeThenClaim(
    scope,
    taskId,
    change,
    wishOf(scope, workerId, wish),
  )
  if (!changed) throw await currentRefusal(scope, taskId, 'cannot be released by this worker')
  afterClaims(scope, next.claims)
  await announce(scope, changed.task, changed.events)
  return { task: changed.task, next: { tasks: next.claims.map((c) => c.task), gone: next.gone } }
}

/** How a holder ends its attempt. */
export interface Outcome {
  state: TaskStatus
  result?: string
  error?: string
  attempt?: number
  pending?: PendingAction
}

function releaseChange(taskId: string, workerId: string, outcome: Outcome): TaskChange {
  const waiting = outcome.state === 'input-required'
  const text = waiting
    ? `Waiting for approval: ${outcome.pending?.reason ?? 'an action needs approval'}`
    : outcome.state === 'completed'
      ? outcome.result
      : (outcome.error ?? outcome.result)
  return {
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
  }
}

/**
 * Back to the queue, no holder, no lease: from this holder only (this attempt of it, when
 * given), or from whoever holds it when none is named (an admin's requeue).
 */
export function requeueChange(
  holder?: { workerId: string; attempt?: number },
  onlyFrom: TaskStatus[] = ['working', 'input-required', 'auth-required'],
): TaskChange {
  const guard = holder && heldBy(holder.workerId, holder.attempt)
  return { state: 'submitted', clearHolder: true, onlyFrom, guard }
}

/**
 * A release without an outcome: the holder lets go and the task goes back to the queue for
 * another attempt (upstream's legacy worker sends this after reporting the outcome by PUT
 * status, and alone for a task it dropped at shutdown). A finished task stays finished.
 */
export async function letGo(scope: Scope, taskId: string, workerId: string, attempt?: number) {
  const requeued = await applyChange(scope, taskId, requeueChange({ workerId, attempt }))
  if (requeued) {
    await announce(scope, requeued.task, requeued.events)
    await dispatch(scope.env, scope.tenantId, requeued.task)
    return requeued.task
  }
  const task = await getTask(scope, taskId)
  if (task && TERMINAL.includes(task.status)) return task
  throw refusal(task, taskId, 'cannot be released by this worker', scope.principal)
}
