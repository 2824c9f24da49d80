import { AgentCard, type Message, type Part, type Task } from '@a2a-js/sdk'
import {
  Client,
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client'
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client'
import { EventSourceParserStream } from 'eventsource-parser/stream'
import { api, asTenant, connectAsApp, stack } from './helpers'

/** The official client in v1.0 mode, configured from our agent card. */
export async function v1Client(): Promise<Client> {
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory()],
    }),
  )
  return factory.createFromUrl(stack().url)
}

/** The official client forced to v0.3 (it sends A2A-Version: 0.3). */
export async function v03Client(): Promise<Client> {
  const res = await api('/.well-known/agent-card.json', { headers: { 'A2A-Version': '1.0' } })
  const card = AgentCard.fromJSON(await res.json())
  return new Client(new LegacyJsonRpcTransport({ endpoint: `${stack().url}/` }), card)
}

export const userMessage = (text: string, extra: Partial<Message> = {}) =>
  ({
    messageId: crypto.randomUUID(),
    role: 1, // Role.ROLE_USER
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' },
    ],
    contextId: '',
    taskId: '',
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
    ...extra,
  }) as Message

export const partsText = (parts: Part[]) =>
  parts
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .filter(Boolean)
    .join(' ')

export function statusText(task: Task): string {
  return partsText(task.status?.message?.parts ?? [])
}

/** A v0.3 message (`kind`, role `user`) with one text part; `extra` adds or replaces fields. */
export const v03Message = (extra: Record<string, unknown> = {}, text = 'hi') => ({
  kind: 'message',
  role: 'user',
  messageId: crypto.randomUUID(),
  parts: [{ kind: 'text', text }],
  ...extra,
})

/** The same message in v1.0 JSON. */
export const v10Message = (extra: Record<string, unknown> = {}, text = 'hi') => ({
  role: 'ROLE_USER',
  messageId: crypto.randomUUID(),
  parts: [{ text }],
  ...extra,
})

/** A JSON-RPC request body. */
export const rpcBody = (method: string, params: unknown, id: string | number = 1) =>
  ({ jsonrpc: '2.0', id, method, params }) as const

/** JSON-RPC over plain HTTP. */
export async function rpc(method: string, params: unknown, headers: Record<string, string> = {}) {
  const res = await api('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: crypto.randomUUID(), method, params }),
  })
  return { status: res.status, body: await res.json() }
}

/** A task left open (input-required), made directly in the database. */
export async function openTask(): Promise<{ id: string; contextId: string }> {
  const app = await connectAsApp()
  const id = crypto.randomUUID()
  const contextId = crypto.randomUUID()
  const message = {
    messageId: crypto.randomUUID(),
    role: 'ROLE_USER',
    parts: [{ text: 'start' }],
    taskId: id,
    contextId,
  }
  try {
    await asTenant(app, stack().tenantId, async () => {
      await app.query(
        `insert into tasks (tenant_id, id, context_id, status, history, last_seq) values ($1, $2, $3, 'input-required', $4, 1)`,
        [stack().tenantId, id, contextId, JSON.stringify([message])],
      )
      await app.query(
        `insert into task_events (tenant_id, task_id, seq, kind, payload) values ($1, $2, 1, 'status', '{"status":{"state":"input-required"}}')`,
        [stack().tenantId, id],
      )
    })
  } finally {
    await app.end()
  }
  return { id, contextId }
}

/**
 * A2A v1.0 SendStreamingMessage of one text message to the Worker at `base`, unread: the
 * response's body is the SSE stream (readSse).
 */
export function streamMessage(
  base: string,
  text: string,
  opts: { metadata?: Record<string, unknown>; messageId?: string; headers?: HeadersInit } = {},
): Promise<Response> {
  const headers = new Headers(opts.headers)
  headers.set('Content-Type', 'application/json')
  headers.set('A2A-Version', '1.0')
  const message = v10Message(opts.messageId ? { messageId: opts.messageId } : {}, text)
  return fetch(`${base}/`, {
    method: 'POST',
    headers,
    body: JSON.stringify(rpcBody('SendStreamingMessage', { message, metadata: opts.metadata })),
  })
}

export interface SseEvent {
  id?: string
  event?: string
  data: unknown
}

/**
 * Every event of a stream, recorded as it comes: `events` fills while `done` waits for `stop`,
 * the stream's end or a hang-up (which ends it too, with what came).
 */
export function recordSse(res: Response, stop: (e: SseEvent) => boolean = () => false) {
  const events: SseEvent[] = []
  const done = readSse(res, (e) => {
    events.push(e)
    return stop(e)
  }).catch(() => events)
  return { events, done }
}

/** Reads SSE events from a response until `stop` returns true or the stream ends. */
export async function readSse(
  res: Response,
  stop: (e: SseEvent, all: SseEvent[]) => boolean = () => false,
) {
  const events: SseEvent[] = []
  const reader = (res.body as ReadableStream<Uint8Array>)
    // The Workers types' TextDecoderStream takes any BufferSource; a body gives bytes.
    .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .pipeThrough(new EventSourceParserStream())
    .getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return events
      const event: SseEvent = { data: JSON.parse(value.data) }
      if (value.id !== undefined) event.id = value.id
      if (value.event !== undefined) event.event = value.event
      events.push(event)
      if (stop(event, events)) return events
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
}

/** How many transactions wrote a task's events (rows one transaction wrote share its xmin). */
export async function writesOf(taskId: string): Promise<number> {
  const app = await connectAsApp()
  try {
    return await asTenant(app, stack().tenantId, async () => {
      const { rows } = await app.query(
        'select count(distinct xmin::text)::int as n from task_events where task_id = $1',
        [taskId],
      )
      return rows[0].n as number
    })
  } finally {
    await app.end()
  }
}
