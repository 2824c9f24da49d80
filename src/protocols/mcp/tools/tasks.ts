import { z } from 'zod'
import { userMessageJson } from '../../../agents/message'
import { cancelTask } from '../../../domain/queue/cancel'
import type { Scope } from '../../../domain/scope'
import { getTask, listTasks } from '../../../domain/task-model/queries'
import { readTask } from '../../../domain/task-model/read-cache'
import { restTaskView, statesForRest } from '../../../domain/task-model/rest-view'
import { createTask } from '../../../domain/tasks/create'
import { type QueueRouting, routingMetadata } from '../../../domain/tasks/routing'
import { notFound } from '../../../lib/errors'
import { tool } from '../tool'

const taskId = z.string().min(1).max(200).describe('The task id')
const routing = {
  codebase_id: z.string().max(200).optional().describe('Workspace (codebase) the task runs in'),
  priority: z.number().int().min(-1000).max(1000).optional().describe('Higher runs first'),
  model_ref: z.string().max(200).optional().describe('provider/model the worker must use'),
}

/** A message for a worker, as send_message_async, send_to_agent and create_task make it. */
function queueMessage(
  scope: Scope,
  a: {
    message: string
    title?: string
    conversation_id?: string
    codebase_id?: string
    priority?: number
    model_ref?: string
  },
  routing: Partial<QueueRouting> = {},
  deadlineAt: Date | null = null,
  metadata: Record<string, unknown> = {},
) {
  return createTask(scope, {
    message: { json: userMessageJson(a.message), text: a.message, contextId: a.conversation_id },
    routing: {
      workspaceId: a.codebase_id ?? null,
      agentType: 'build',
      modelRef: a.model_ref ?? null,
      targetAgentName: null,
      targetWorkerId: null,
      requiredCapabilities: [],
      ...routing,
    },
    task: {
      title: a.title ?? a.message.slice(0, 120),
      priority: a.priority,
      metadata: { source: 'mcp', ...metadata },
      deadlineAt,
    },
  })
}

export const taskTools = [
  tool({
    name: 'send_message',
    description:
      "Send a message to CodeTether's built-in agents (calculator, analysis, memory, media) and wait for the answer.",
    input: {
      message: z.string().min(1).max(100_000),
      conversation_id: z.string().max(200).optional().describe('Continue this conversation'),
    },
    mutates: true,
    async run({ scope }, a) {
      const task = await createTask(scope, {
        message: {
          json: userMessageJson(a.message),
          text: a.message,
          contextId: a.conversation_id,
        },
      })
      return {
        task_id: task.id,
        conversation_id: task.contextId,
        status: task.status,
        answer: task.result ?? task.error,
      }
    },
  }),
  tool({
    name: 'send_message_async',
    description:
      'Queue a message as a task for a worker; returns at once with the task id to follow.',
    input: {
      message: z.string().min(1).max(1_000_000),
      conversation_id: z.string().max(200).optional(),
      ...routing,
    },
    mutates: true,
    async run({ scope }, a) {
      const task = await queueMessage(scope, a)
      return { task_id: task.id, conversation_id: task.contextId, status: 'pending' }
    },
  }),
  tool({
    name: 'send_to_agent',
    description:
      'Queue a message for one named agent (a coding CLI a worker has, e.g. claude or codex, or a worker registered under that agent name); it waits for that agent unless deadline_seconds passes, or fallback "any" lets any worker take it.',
    input: {
      agent_name: z.string().min(1).max(200),
      fallback: z
        .enum(['any'])
        .optional()
        .describe('"any": any worker may take it when none has the agent'),
      message: z.string().min(1).max(1_000_000),
      deadline_seconds: z
        .number()
        .int()
        .min(1)
        .max(30 * 86400)
        .optional(),
      conversation_id: z.string().max(200).optional(),
      ...routing,
    },
    mutates: true,
    async run({ scope }, a) {
      const task = await queueMessage(
        scope,
        a,
        { targetAgentName: a.agent_name },
        a.deadline_seconds ? new Date(Date.now() + a.deadline_seconds * 1000) : null,
        routingMetadata(a),
      )
      return { task_id: task.id, agent_name: a.agent_name, status: 'pending' }
    },
  }),
  tool({
    name: 'create_task',
    description: 'Create a task for a worker: a title, what to do, and optionally where and how.',
    input: {
      title: z.string().min(1).max(500),
      description: z.string().max(1_000_000).optional().describe('What to do (the prompt)'),
      agent_type: z.string().min(1).max(100).default('build'),
      model: z.string().max(200).optional().describe('Alias of model_ref'),
      ...routing,
    },
    mutates: true,
    async run({ scope }, a) {
      const task = await queueMessage(
        scope,
        { ...a, message: a.description || a.title, model_ref: a.model_ref ?? a.model },
        { agentType: a.agent_type },
      )
      return restTaskView(task)
    },
  }),
  tool({
    name: 'get_task',
    description: 'A task with its status, result or error.',
    input: { task_id: taskId },
    mutates: false,
    async run({ scope }, a) {
      const task = await readTask(scope, a.task_id)
      if (!task) throw notFound(`Task ${a.task_id}`)
      return restTaskView(task)
    },
  }),
  tool({
    name: 'list_tasks',
    description: 'Recent tasks, newest first, optionally by status or codebase.',
    input: {
      status: z
        .enum(['pending', 'working', 'running', 'completed', 'failed', 'cancelled', 'needs_input'])
        .optional(),
      codebase_id: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(200).default(50),
    },
    mutates: false,
    async run({ scope }, a) {
      const rows = await listTasks(scope, {
        statuses: a.status
          ? statesForRest(a.status === 'working' ? 'running' : a.status)
          : undefined,
        workspaceId: a.codebase_id,
        limit: a.limit,
      })
      return { tasks: rows.map(restTaskView) }
    },
  }),
  tool({
    name: 'cancel_task',
    description: 'Cancel a task; a worker running it is told to stop. Cancelling twice is fine.',
    input: { task_id: taskId },
    mutates: true,
    async run({ scope }, a) {
      return restTaskView(await cancelTask(scope, a.task_id))
    },
  }),
  tool({
    name: 'get_task_updates',
    description:
      'Tasks that changed since a time (ISO), or the current state of the given task ids: poll this to follow work.',
    input: {
      since_timestamp: z.iso.datetime({ offset: true }).optional(),
      task_ids: z.array(z.string().min(1).max(200)).max(100).optional(),
    },
    mutates: false,
    async run({ scope }, a) {
      const now = new Date().toISOString()
      if (a.task_ids?.length) {
        const found = await Promise.all(a.task_ids.map((id) => getTask(scope, id)))
        return { updates: found.filter((t) => t !== undefined).map(restTaskView), as_of: now }
      }
      const rows = await listTasks(scope, {
        statusAfter: a.since_timestamp
          ? new Date(a.since_timestamp)
          : new Date(Date.now() - 3600_000),
        limit: 100,
      })
      return { updates: rows.map(restTaskView), as_of: now }
    },
  }),
  tool({
    name: 'get_messages',
    description: 'The messages of a conversation (or of the most recent tasks), oldest first.',
    input: {
      conversation_id: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(500).default(50),
    },
    mutates: false,
    async run({ scope }, a) {
      const rows = await listTasks(scope, {
        contextId: a.conversation_id,
        limit: a.limit,
      })
      const messages = rows
        .reverse()
        .flatMap((t) => [
          ...t.history.map((m) => ({ task_id: t.id, ...(m as Record<string, unknown>) })),
          ...(t.statusMessage
            ? [{ task_id: t.id, ...(t.statusMessage as Record<string, unknown>) }]
            : []),
        ])
      return { messages: messages.slice(-a.limit) }
    },
  }),
]
