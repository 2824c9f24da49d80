import { eq } from 'drizzle-orm'
import { admitTask } from '../domain/limits/tasks'
import { endLocalFeed, openLocalFeed } from '../domain/live/local-feed'
import { announce } from '../domain/live/publish'
import type { Scope } from '../domain/scope'
import type { TaskEvent } from '../domain/task-model/events'
import { isTerminal } from '../domain/task-model/states'
import {
  applyChange,
  applyChanges,
  type Changed,
  insertTask,
  type NewTask,
  type TaskChange,
  type TaskRow,
} from '../domain/task-model/store'
import { pause, withinMs } from '../lib/deadline'
import { tasks } from '../storage/postgres/schema'
import { tenantQuery } from '../storage/postgres/tenant'
import { type Asked, answered } from './answer'
import { type ConformanceStep, conformanceScenario } from './conformance'
import { agentMessage } from './message'

export interface IncomingMessage {
  /** A2A v1.0 JSON of the user's message, stored in the history as given. */
  json: Record<string, unknown>
  text: string
  contextId?: string
  skill?: string
  metadata?: Record<string, unknown>
}

export class TaskClosedError extends Error {}

/** The conformance suite's scenario for a message, when its messageId names one. */
const scenarioOf = (msg: IncomingMessage, taskId: string, contextId: string) =>
  conformanceScenario(msg.json.messageId, { taskId, contextId })

/** Texts of earlier messages in a context, oldest first, so later messages see earlier ones. */
async function contextHistory(scope: Scope, contextId: string): Promise<string[]> {
  const rows = await tenantQuery(scope, (db) =>
    db
      .select({ history: tasks.history })
      .from(tasks)
      .where(eq(tasks.contextId, contextId))
      .orderBy(tasks.createdAt)
      .limit(50),
  )
  return rows.flatMap((r) =>
    (r.history as { parts?: { text?: string }[] }[]).map((m) =>
      (m.parts ?? []).map((p) => p.text ?? '').join(' '),
    ),
  )
}

/**
 * How long a message answered in the background (a stream, returnImmediately) waits for its
 * agent before the task is stored without the answer. An agent that answers from the message
 * alone (arithmetic, the router's help) takes microseconds: its answer goes in the task's own
 * insert, one write instead of two. One that calls a model or reports progress is not waited
 * for beyond this.
 */
const QUICK_MS = 5

/** A task a message started. */
export interface Started {
  task: TaskRow
  /**
   * Set when the agent answered before the task was stored: the task as submitted and the
   * events of its creation, which a stream shows in that order.
   */
  answeredAtOnce?: { submitted: TaskRow; events: TaskEvent[] }
}

/**
 * A new message for the built-in agents: creates its task and, unless `background`, answers
 * it before returning (task and events persisted in one transaction). In the background the
 * task is returned `submitted` and answered after the response, unless the agent answers
 * within QUICK_MS.
 */
export async function startTask(
  scope: Scope,
  msg: IncomingMessage,
  background: boolean,
): Promise<Started> {
  const id = crypto.randomUUID()
  const contextId = msg.contextId || crypto.randomUUID()
  const json = { ...msg.json, taskId: id, contextId }
  const history = msg.contextId ? await contextHistory(scope, contextId) : []
  const base = {
    id,
    contextId,
    title: msg.text.slice(0, 120),
    prompt: msg.text,
    agentType: 'builtin',
    metadata: { source: 'a2a', ...(msg.skill ? { skill: msg.skill } : {}) },
    createdBy: scope.principal.subject,
    history: [json],
  }
  await admitTask(scope, msg.text)
  const scenario = scenarioOf(msg, id, contextId)
  if (scenario) {
    const task = { ...base, targetAgentName: scenario.agent }
    if (!background) return stored(scope, task, await playedAtOnce(scenario.steps))
    const started = await stored(scope, task)
    scope.waitUntil(answerHere(scope, started.task, () => scenario.steps))
    return started
  }
  const asked = askedOf(msg, history, id, contextId)
  if (!background) {
    const { agentId, changes } = await answered(scope, asked)
    return stored(scope, { ...base, targetAgentName: agentId }, changes)
  }
  // The agent starts now; its progress, if it reports any, waits for the task to be stored.
  const task = deferred<TaskRow>()
  const gaveUp = deferred<undefined>()
  const early = answered(scope, asked, async (text) => {
    gaveUp.resolve(undefined)
    await report(scope, await task.promise, text)
  })
  const quick = await withinMs(
    Promise.race([early.catch(() => undefined), gaveUp.promise]),
    QUICK_MS,
  )
  if (quick) {
    const created = await stored(scope, { ...base, targetAgentName: quick.agentId }, quick.changes)
    task.resolve(created.task) // progress reported late is refused: the task is finished
    const submitted = submittedView(created)
    return { task: created.task, answeredAtOnce: { submitted, events: created.events } }
  }
  let started: Changed
  try {
    started = await stored(scope, base)
  } catch (err) {
    task.reject(err) // the agent's next progress report fails it: there is no task
    throw err
  }
  scope.waitUntil(answerHere(scope, started.task, () => stepsOf(early)))
  task.resolve(started.task)
  return started
}

/** A new task stored (with the changes already made to it) and announced. */
async function stored(scope: Scope, input: NewTask, changes: TaskChange[] = []): Promise<Changed> {
  const created = await insertTask(scope, input, changes)
  await announce(scope, created.task, created.events, { fresh: true })
  return created
}

/** What an agent is asked: the message, its context's earlier texts, and whose task it is. */
const askedOf = (
  msg: IncomingMessage,
  history: string[],
  taskId: string,
  contextId: string,
): Asked => ({ text: msg.text, skill: msg.skill, history, taskId, contextId })

/**
 * A task answered in its insert, as it was at its first event (submitted): the user's message
 * and nothing after it. Its time stays: the insert stamps the row and every event with one.
 */
function submittedView({ task, events }: Changed): TaskRow {
  const first = events[0]
  return {
    ...task,
    status: 'submitted',
    statusMessage: null,
    history: task.history.slice(0, 1),
    artifacts: [],
    result: null,
    error: null,
    lastSeq: first ? first.seq : task.lastSeq,
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((yes, no) => {
    resolve = yes
    reject = no
  })
  promise.catch(() => {}) // rejected with nobody waiting is not an unhandled error
  return { promise, resolve, reject }
}

const stepsOf = async (answer: ReturnType<typeof answered>): Promise<ConformanceStep[]> =>
  (await answer).changes.map((change) => ({ change }))

/** A message to an existing task (e.g. the answer to input-required): appended, then answered. */
export async function continueTask(
  scope: Scope,
  task: TaskRow,
  msg: IncomingMessage,
  background: boolean,
) {
  if (isTerminal(task.status)) throw new TaskClosedError(`Task ${task.id} is ${task.status}`)
  const json = { ...msg.json, taskId: task.id, contextId: task.contextId }
  const appended = await applyChange(scope, task.id, { messages: [json] })
  if (!appended) throw new TaskClosedError(`Task ${task.id} is no longer open`)
  await announce(scope, appended.task, appended.events)
  const history = await contextHistory(scope, task.contextId)
  const steps = () => stepsFor(scope, appended.task, msg, history)
  if (background) {
    scope.waitUntil(answerHere(scope, appended.task, steps))
    return appended.task
  }
  return (await continueWith(scope, appended.task, await steps())) ?? appended.task
}

/** What the agent does to a task it answers after it was stored: a scenario's, or its reply's. */
async function stepsFor(scope: Scope, task: TaskRow, msg: IncomingMessage, history: string[]) {
  const scenario = scenarioOf(msg, task.id, task.contextId)
  if (scenario) return scenario.steps
  const asked = askedOf(msg, history, task.id, task.contextId)
  return stepsOf(answered(scope, asked, (text) => report(scope, task, text)))
}

/** Progress an agent reports while working reaches streaming callers as status updates. */
async function report(scope: Scope, task: TaskRow, text: string) {
  const change = {
    state: 'working' as const,
    statusMessage: agentMessage(text, undefined, task.id, task.contextId),
  }
  const applied = await applyChange(scope, task.id, change)
  if (applied) await announce(scope, applied.task, applied.events)
}

/** The agent answers after the response, its events also told to this isolate's stream. */
async function answerHere(
  scope: Scope,
  task: TaskRow,
  steps: () => ConformanceStep[] | Promise<ConformanceStep[]>,
) {
  const feed = openLocalFeed(scope.tenantId, task.id)
  try {
    return await continueWith(scope, task, await steps())
  } finally {
    endLocalFeed(scope.tenantId, task.id, feed)
  }
}

/** The agent's steps applied to the stored task: each run of changes in one round trip. */
async function continueWith(scope: Scope, task: TaskRow, steps: ConformanceStep[]) {
  let latest: TaskRow | undefined = task
  for (const run of runsOf(steps)) {
    if ('waitMs' in run) {
      await pause(run.waitMs)
      continue
    }
    const applied = await applyChanges(scope, task.id, run.changes)
    // Announced change by change: a push notification carries the task as that change left it.
    for (const a of applied) await announce(scope, a.task, a.events)
    latest = applied.at(-1)?.task ?? latest
    if (applied.length < run.changes.length) return latest // canceled meanwhile: leave it so
  }
  return latest
}

/** Steps as runs of changes with no pause between them, and the pauses. */
function runsOf(steps: ConformanceStep[]): ({ changes: TaskChange[] } | { waitMs: number })[] {
  const runs: ({ changes: TaskChange[] } | { waitMs: number })[] = []
  for (const step of steps) {
    const open = runs.at(-1)
    if ('waitMs' in step) runs.push(step)
    else if (open && 'changes' in open) open.changes.push(step.change)
    else runs.push({ changes: [step.change] })
  }
  return runs
}

/** A scenario's changes for a task that is answered before the response: its pauses first. */
async function playedAtOnce(steps: ConformanceStep[]): Promise<TaskChange[]> {
  const changes: TaskChange[] = []
  for (const step of steps) {
    if ('waitMs' in step) await pause(step.waitMs)
    else changes.push(step.change)
  }
  return changes
}
