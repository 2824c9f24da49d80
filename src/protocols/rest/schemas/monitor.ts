import { z } from '@hono/zod-openapi'
import { MESSAGE_TYPES } from '../../../domain/monitor/message-types'
import { taskStatuses } from '../../../storage/postgres/statuses'
import { BusMessage } from './agent'

/** A message of the monitor's log (`MonitorMessage`); its id is also its SSE id. */
export const MonitorMessage = z
  .object({
    id: z.string(),
    type: z.enum(MESSAGE_TYPES),
    agent_name: z.string().nullable(),
    content: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    response_time: z.number().nullable(),
    tokens: z.number().nullable(),
    error: z.string().nullable(),
    timestamp: z.iso.datetime(),
  })
  .openapi('MonitorMessage')

export const MonitorCount = z
  .object({ count: z.number().int(), type: z.enum(MESSAGE_TYPES).nullable() })
  .openapi('MonitorCount')

/** `monitorStats`: upstream's figures plus the dashboard's. */
export const MonitorStats = z
  .object({
    total_messages: z.number(),
    tool_calls: z.number(),
    errors: z.number(),
    tokens: z.number(),
    avg_response_time: z.number().openapi({ description: 'Seconds, to the millisecond' }),
    active_agents: z.number(),
    interventions: z.number(),
    workers_online: z.number(),
    codebases: z.number(),
    tasks_by_status: z
      .record(z.string(), z.number())
      .openapi({ description: "Upstream's status names to task counts" }),
  })
  .openapi('MonitorStats')

export const MonitorAgent = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['builtin', 'local', 'remote']),
    role: z.string(),
    description: z.string(),
    status: z.enum(['online', 'offline']),
    messages_count: z.number(),
    last_seen: z.iso.datetime().nullable(),
  })
  .openapi('MonitorAgent')

const when = z.iso.datetime()

/**
 * A task as stored (the row itself, camelCase): what answering a task hands back. Not the
 * REST view, so it has its own name.
 */
export const StoredTask = z
  .object({
    tenantId: z.string(),
    id: z.string(),
    contextId: z.string(),
    workspaceId: z.string().nullable(),
    title: z.string(),
    prompt: z.string(),
    agentType: z.string(),
    status: z.enum(taskStatuses),
    priority: z.number().int(),
    targetAgentName: z.string().nullable(),
    targetWorkerId: z.string().nullable(),
    requiredCapabilities: z.array(z.string()),
    modelRef: z.string().nullable(),
    deadlineAt: when.nullable(),
    workerId: z.string().nullable(),
    leaseExpiresAt: when.nullable(),
    attempt: z.number().int(),
    maxAttempts: z.number().int(),
    result: z.string().nullable(),
    error: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    lastSeq: z.number().int(),
    /** A2A v1.0 JSON, as the protocol defines it. */
    history: z.array(z.unknown()),
    artifacts: z.array(z.unknown()),
    statusMessage: z.unknown().nonoptional().openapi({ description: 'An A2A Message, or null' }),
    statusAt: when,
    pushConfigs: z.number().int(),
    outputMark: z.number().int(),
    outputBytes: z.number().int(),
    watched: z.boolean(),
    createdBy: z.string().nullable(),
    createdAt: when,
    updatedAt: when,
    startedAt: when.nullable(),
    completedAt: when.nullable(),
  })
  .openapi('MonitorStoredTask')

/** `intervene`: the answered task, or the message put in the agent's inbox. */
export const Intervened = z
  .union([
    z.object({ success: z.literal(true), delivered_to: z.literal('task'), task: StoredTask }),
    z.object({ success: z.literal(true), delivered_to: z.literal('agent'), message: BusMessage }),
  ])
  .openapi('MonitorIntervened')
