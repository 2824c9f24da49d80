import { z } from 'zod'

/**
 * Shapes of the params the SDK's transports decode without checking (fromJSON fills
 * defaults), so that a wrong type is a -32602 naming the field rather than a silent default.
 */
const object = z.record(z.string(), z.unknown())

const v03Part = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string() }),
  z.object({
    kind: z.literal('file'),
    file: z.object({ uri: z.string().optional(), bytes: z.string().optional() }),
  }),
  z.object({ kind: z.literal('data'), data: object }),
])
const v10Part = z
  .object({
    text: z.string().optional(),
    raw: z.string().optional(),
    url: z.string().optional(),
    data: z.unknown().optional(),
  })
  .refine((p) => [p.text, p.raw, p.url, p.data].filter((v) => v !== undefined).length === 1, {
    message: 'a part has exactly one of text, raw, url or data',
  })

const message = (part: z.ZodType, roles: [string, ...string[]]) =>
  z.object({
    messageId: z.string().min(1),
    role: z.enum(roles),
    parts: z.array(part).min(1),
    taskId: z.string().optional(),
    contextId: z.string().optional(),
    metadata: object.optional(),
  })

const configuration = z
  .object({
    historyLength: z.number().int().min(0).optional(),
    blocking: z.boolean().optional(),
    returnImmediately: z.boolean().optional(),
    acceptedOutputModes: z.array(z.string()).optional(),
  })
  .optional()

const sendV03 = z.object({
  message: message(v03Part, ['user', 'agent']),
  configuration,
  metadata: object.optional(),
})
const sendV10 = z.object({
  message: message(v10Part, ['ROLE_USER', 'ROLE_AGENT', 'user', 'agent']),
  configuration,
  metadata: object.optional(),
})
const taskId = z.object({
  id: z.string().min(1),
  historyLength: z.number().int().min(0).optional(),
})

// A Map: a method named `constructor` or `__proto__` must find nothing, not Object's own.
const schemas = new Map<string, z.ZodType>(
  Object.entries({
    'message/send': sendV03,
    'message/stream': sendV03,
    'tasks/get': taskId,
    'tasks/cancel': taskId,
    'tasks/resubscribe': taskId,
    SendMessage: sendV10,
    SendStreamingMessage: sendV10,
    GetTask: taskId,
    CancelTask: taskId,
    SubscribeToTask: taskId,
    ListTasks: z.object({
      pageSize: z.number().int().min(1).max(100).optional(),
      pageToken: z.string().optional(),
      contextId: z.string().optional(),
      status: z.string().optional(),
      historyLength: z.number().int().min(0).optional(),
      statusTimestampAfter: z.string().optional(),
      includeArtifacts: z.boolean().optional(),
    }),
  }),
)

/** `undefined` when fine; else a message naming the first offending field. */
export function checkParams(method: string, params: unknown): string | undefined {
  const schema = schemas.get(method)
  if (!schema) return undefined
  const result = schema.safeParse(params ?? {})
  if (result.success) return undefined
  const issue = result.error.issues[0]
  const path = ['params', ...(issue?.path ?? [])].join('.')
  return `Invalid params: ${path}: ${issue?.message ?? 'invalid'}`
}

/**
 * Every method each version answers (the SDK's transports' switch). Anything else is -32601
 * before params are looked at, including names every object inherits (`constructor`).
 */
const METHODS = {
  '0.3': new Set([
    'message/send',
    'message/stream',
    'tasks/get',
    'tasks/cancel',
    'tasks/resubscribe',
    'tasks/pushNotificationConfig/set',
    'tasks/pushNotificationConfig/get',
    'tasks/pushNotificationConfig/list',
    'tasks/pushNotificationConfig/delete',
    'agent/getAuthenticatedExtendedCard',
  ]),
  '1.0': new Set([
    'SendMessage',
    'SendStreamingMessage',
    'GetTask',
    'ListTasks',
    'CancelTask',
    'SubscribeToTask',
    'CreateTaskPushNotificationConfig',
    'GetTaskPushNotificationConfig',
    'DeleteTaskPushNotificationConfig',
    'ListTaskPushNotificationConfigs',
    'GetExtendedAgentCard',
  ]),
}

export const isA2aMethod = (version: '0.3' | '1.0', method: string) => METHODS[version].has(method)
