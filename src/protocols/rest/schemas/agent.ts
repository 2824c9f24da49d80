import { z } from '@hono/zod-openapi'

/** An agent's name: `role:instance`, or a built-in's id. */
export const Name = z.string().min(1).max(200)

/** What a message or event carries: `body` (any JSON), or `text` for `{text}`. */
const Payload = {
  /** The sending agent (default: `user:<your subject>`). */
  from: Name.optional(),
  text: z.string().max(100_000).optional(),
  body: z.unknown().optional(),
  conversation_id: z.string().max(200).optional(),
}

export const Register = z
  .object({
    name: Name.regex(/^[^\s/]+$/, 'role:instance, without spaces or slashes'),
    description: z.string().max(2000).optional(),
    url: z.url().max(2000).optional(),
    capabilities: z.record(z.string(), z.unknown()).optional(),
    models_supported: z.array(z.string().max(200)).max(200).optional(),
  })
  .openapi('RegisterAgent')

/** A remote A2A agent by its URL (its card names it unless `name` does). */
export const RegisterRemote = z
  .object({ url: z.url().max(2000), name: Name.optional() })
  .openapi('RegisterRemoteAgent')

/** A task for a remote agent. */
export const Delegate = z.object({ text: z.string().min(1).max(100_000) })

export const Ack = z.object({ ids: z.array(z.uuid()).min(1).max(500) })

export const Event = z
  .object({ ...Payload, topic: z.string().min(1).max(300), data: z.unknown().optional() })
  .openapi('AgentEvent')

export const Send = z.object({ ...Payload, reply_to: z.uuid().optional() }).openapi('AgentMessage')

export const Ask = z
  .object({
    ...Payload,
    timeout_ms: z.number().int().min(100).max(60_000).default(15_000),
    stream: z.boolean().default(false),
  })
  .openapi('AskAgent')

/** An agent of the registry as `AgentView` serves it: built-in, registered or remote. */
export const BusAgent = z
  .object({
    name: z.string(),
    role: z.string(),
    instance_id: z.string().nullable(),
    kind: z.enum(['builtin', 'local', 'remote']),
    description: z.string(),
    url: z.string().nullable(),
    /** What the agent declared (a remote one: its card's capabilities): free-form. */
    capabilities: z.record(z.string(), z.unknown()),
    models_supported: z.array(z.string()),
    last_seen: z.iso.datetime().nullable().openapi({ description: 'null for built-in agents' }),
    online: z.boolean(),
  })
  .openapi('BusAgent')

/** A message of an agent's inbox as `messageView` (and SSE, MCP) serves it. */
export const BusMessage = z
  .object({
    id: z.string(),
    to: z.string(),
    from: z.string(),
    kind: z.enum(['direct', 'event']),
    topic: z.string().nullable(),
    conversation_id: z.string().nullable(),
    reply_to: z.string().nullable(),
    // Free-form (whatever the sender sent), yet always sent: nonoptional keeps it required.
    body: z.unknown().nonoptional(),
    created_at: z.iso.datetime(),
    deliveries: z.number().int(),
  })
  .openapi('BusMessage')

export const AgentSaved = z
  .object({ success: z.literal(true), agent: BusAgent })
  .openapi('BusAgentSaved')

export const EventPublished = z
  .object({
    success: z.literal(true),
    id: z.string().nullable().openapi({ description: "The first recipient's copy; null if none" }),
    recipients: z.array(z.string()),
  })
  .openapi('BusEventPublished')

export const MessageSent = z
  .object({ success: z.literal(true), message: BusMessage })
  .openapi('BusMessageSent')

/** `askAgent`'s outcome: the reply, or none in time. */
export const AgentAnswer = z
  .union([
    z.object({
      success: z.literal(true),
      sent: z.string().nullable().openapi({ description: 'The id of the message asked' }),
      reply: z.object({ text: z.string(), body: z.unknown().nonoptional(), from: z.string() }),
    }),
    z.object({
      success: z.literal(false),
      error: z.literal('No reply in time'),
      sent: z.string().nullable(),
      reply: z.null(),
    }),
  ])
  .openapi('BusAgentAnswer')

export const InboxAcked = z
  .object({
    success: z.literal(true),
    acked: z.number().int().openapi({ description: 'Messages newly acknowledged' }),
  })
  .openapi('BusInboxAcked')

export const Subscriptions = z
  .object({ agent: z.string(), patterns: z.array(z.string()) })
  .openapi('BusSubscriptions')

export const SubscriptionsChanged = Subscriptions.extend({ success: z.literal(true) }).openapi(
  'BusSubscriptionsChanged',
)
