import { eq } from 'drizzle-orm'
import { admitTask } from '../domain/limits/tasks'
import { endLocalFeed, openLocalFeed } from '../domain/live/local-feed'
import { announce } from '../domain/live/publish'
import type { Scope } from '../domain/scope'
import { isTerminal } from '../domain/task-model/states'
import {
  applyChange,
  applyChanges,
  insertTask,
  type TaskChange,
  type TaskRow,
} from '../domain/task-model/store'
import { log } from '../lib/log'
import { tasks } from '../storage/postgres/schema'
import { tenantQuery } from '../storage/postgres/tenant'
import { askOnBus, busAgentWithSkill } from './bus-agents'
import { type ConformanceStep, conformanceScenario } from './conformance'
import { runEdgeAgent } from './edge-context'
import { agentMessage } from './message'
import { helpReply, pickAgent } from './registry'
import type { AgentReply } from './types'

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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The changes a built-in agent's reply makes: working, then its answer as artifact and status. */
function replyChanges(
  reply: AgentReply,
  taskId: string,
  contextId: string,
  agentId: string,
): TaskChange[] {
  const message = agentMessage(reply.text, reply.data, taskId, contextId)
  const artifact = {
    artifactId: crypto.randomUUID(),
    name: `${agentId}-result`,
    parts: message.parts,
  }
  return [
    { state: 'working' },
    {
      artifacts: [artifact],
      messages: [message],
      state: reply.state,
      statusMessage: message,
      result: reply.state === 'failed' ? null : reply.text,
      error: reply.state === 'failed' ? reply.text : null,
    },
  ]
}

async function answer(
  scope: Scope,
  text: string,
  skill: string | undefined,
  history: string[],
  progress?: (text: string) => Promise<void>,
) {
  const agent = pickAgent(text, skill)
  if (!agent) {
    // A skill no edge agent has may belong to an agent on the bus (a remote process).
    const onBus = skill ? await busAgentWithSkill(scope, skill) : undefined
    if (onBus) return { agentId: onBus, reply: await askOnBus(scope, onBus, text) }
    return { agentId: 'router', reply: helpReply() }
  }
  const reply = await runEdgeAgent(scope, agent, { text, history, from: 'a2a' }, progress)
  if (reply.state === 'failed') log.warn('agent failed', { agent: agent.name, text: reply.text })
  return { agentId: agent.name, reply }
}

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
 * A new message for the built-in agents: creates its task and, unless `background`, answers
 * it before returning (task and events persisted in one transaction). In the background the
 * task is returned `submitted` and answered after the response.
 */
export async function startTask(scope: Scope, msg: IncomingMessage, background: boolean) {
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
  if (background) {
    const created = await insertTask(scope, { ...base, targetAgentName: scenario?.agent })
    await announce(scope, created.task, created.events, { fresh: true })
    scope.waitUntil(answerHere(scope, created.task, msg, history))
    return created.task
  }
  const { agentId, changes } = scenario
    ? { agentId: scenario.agent, changes: await playedAtOnce(scenario.steps) }
    : await answered(scope, msg, history, id, contextId)
  const created = await insertTask(scope, { ...base, targetAgentName: agentId }, changes)
  await announce(scope, created.task, created.events, { fresh: true })
  return created.task
}

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
  if (background) {
    scope.waitUntil(answerHere(scope, appended.task, msg, history))
    return appended.task
  }
  return (await continueWith(scope, appended.task, msg, history)) ?? appended.task
}

/** The agent answers after the response, its events also told to this isolate's stream. */
async function answerHere(scope: Scope, task: TaskRow, msg: IncomingMessage, history: string[]) {
  const feed = openLocalFeed(scope.tenantId, task.id)
  try {
    return await continueWith(scope, task, msg, history)
  } finally {
    endLocalFeed(scope.tenantId, task.id, feed)
  }
}

async function continueWith(scope: Scope, task: TaskRow, msg: IncomingMessage, history: string[]) {
  let latest: TaskRow | undefined = task
  // Progress an agent reports while working reaches streaming callers as status updates.
  const progress = async (text: string) => {
    const change = {
      state: 'working' as const,
      statusMessage: agentMessage(text, undefined, task.id, task.contextId),
    }
    const applied = await applyChange(scope, task.id, change)
    if (applied) await announce(scope, applied.task, applied.events)
  }
  const scenario = scenarioOf(msg, task.id, task.contextId)
  const steps: ConformanceStep[] = scenario
    ? scenario.steps
    : (await answered(scope, msg, history, task.id, task.contextId, progress)).changes.map(
        (change) => ({ change }),
      )
  // The changes between two pauses go in one round trip, and their events out together.
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

/** A built-in agent's answer to a message, as the changes it makes to the task. */
async function answered(
  scope: Scope,
  msg: IncomingMessage,
  history: string[],
  taskId: string,
  contextId: string,
  progress?: (text: string) => Promise<void>,
) {
  const { agentId, reply } = await answer(scope, msg.text, msg.skill, history, progress)
  return { agentId, changes: replyChanges(reply, taskId, contextId, agentId) }
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
