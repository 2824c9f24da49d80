/**
 * The one front door for new tasks, whoever asks: A2A, REST, MCP, cron or a delegation. Work
 * for a worker (a request that names a workspace, a coding agent, a model or a worker: its
 * `routing`) is queued for the workers; a message without routing goes to the built-in agents,
 * which answer inside the edge app. Protocol adapters translate their request into this one
 * and never decide who runs it.
 */
import { conformanceMessage } from '../../agents/conformance'
import { type IncomingMessage, type Started, startTask } from '../../agents/execute'
import { agentMessage } from '../../agents/message'
import { createQueuedTask } from '../queue/tasks'
import type { Scope } from '../scope'
import type { NewTask, TaskRow } from '../task-model/store'
import type { QueueRouting } from './routing'

export interface TaskRequest {
  message: IncomingMessage
  /** Set: the task is a worker's (routing.ts reads it from a protocol's metadata). */
  routing?: QueueRouting
  /** For the queue: what the task row carries besides its routing. */
  task?: Pick<NewTask, 'id' | 'title' | 'priority' | 'metadata' | 'deadlineAt' | 'history'>
  /** For a built-in agent: answer later (the task is returned working) or before returning. */
  background?: boolean
}

export async function createTask(scope: Scope, req: TaskRequest): Promise<TaskRow> {
  return (await started(scope, req)).task
}

async function started(scope: Scope, req: TaskRequest): Promise<Started> {
  if (!req.routing) return startTask(scope, req.message, req.background ?? false)
  const id = req.task?.id ?? crypto.randomUUID()
  const contextId = req.message.contextId ?? crypto.randomUUID()
  const task = await createQueuedTask(scope, {
    title: req.message.text.slice(0, 120),
    ...req.task,
    id,
    contextId,
    prompt: req.message.text,
    history: req.task?.history ?? [{ ...req.message.json, taskId: id, contextId }],
    ...req.routing,
  })
  return { task }
}

/** What a message gets: its task, or, from an agent that answers without one, a message. */
export type MessageOutcome = Started | { message: Record<string, unknown> }

/** A new message (A2A's SendMessage): like createTask, but an agent may answer it directly. */
export async function sendMessage(scope: Scope, req: TaskRequest): Promise<MessageOutcome> {
  const direct = req.routing ? undefined : conformanceMessage(req.message.json.messageId)
  if (direct) {
    const contextId = req.message.contextId ?? crypto.randomUUID()
    return { message: agentMessage(direct, undefined, undefined, contextId) }
  }
  return started(scope, req)
}
