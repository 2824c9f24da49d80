import { StreamResponse } from '@a2a-js/sdk'
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { Hono } from 'hono'
import { requirePrincipal } from '../../auth/middleware'
import { type AppContext, type AppEnv, principalOf } from '../../context'
import { ackMessages, conversationMessages, readInbox } from '../../domain/bus/messages'
import {
  heartbeat,
  listAgentsPage,
  registerAgent,
  removeAgent,
  requireAgent,
} from '../../domain/bus/registry'
import { delegateToRemote, registerRemoteAgent, streamRemote } from '../../domain/bus/remote'
import {
  askAgent,
  publishEvent,
  senderOf,
  sendMessage,
  subscribeAgent,
} from '../../domain/bus/service'
import { listSubscriptions } from '../../domain/bus/subscriptions'
import { leasedSse, openStream } from '../../domain/limits/open-streams'
import { restTaskView } from '../../domain/task-model/rest-view'
import { badRequest, validationHook, zodDetails } from '../../lib/errors'
import { agentBusOf } from '../../lib/live-objects'
import { sseResponse } from '../../lib/sse'
import { body, route } from './openapi'
import {
  Ack,
  AgentAnswer,
  AgentSaved,
  Ask,
  BusAgent,
  BusMessage,
  Delegate,
  Event,
  EventPublished,
  InboxAcked,
  MessageSent,
  Name,
  Register,
  RegisterRemote,
  Send,
  Subscriptions,
  SubscriptionsChanged,
} from './schemas/agent'
import { RestTask } from './schemas/task'
import { scopeOf } from './scope'

/** /v1/agents: the registry, direct messages, inboxes, events and remote A2A agents. */
export const agentsApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const NameParam = z.object({ name: Name })
const Limit = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) })
const payloadOf = (c: AppContext, b: { from?: string; text?: string; body?: unknown }) => {
  if (b.body === undefined && b.text === undefined) throw badRequest('body or text is required')
  return { from: senderOf(principalOf(c), b.from), body: b.body ?? { text: b.text } }
}

const Page = z.object({
  role: Name.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** The name the previous page ended with (its Link rel="next" carries it). */
  after: Name.optional(),
})

/**
 * One page of the listing. The reply stays the array it always was; the next page, when there
 * is one, is in the Link header (rel="next", as RFC 8288 and GitHub do).
 */
async function agentsPage(c: AppContext, q: z.infer<typeof Page>) {
  const { agents, next } = await listAgentsPage(scopeOf(c), q)
  if (next !== null) {
    const url = new URL(c.req.url)
    url.searchParams.set('limit', String(q.limit))
    url.searchParams.set('after', next)
    c.header('Link', `<${url.pathname}${url.search}>; rel="next"`)
  }
  return agents
}

agentsApi.openapi(
  route(
    'get',
    '/',
    { query: Page },
    z.array(BusAgent),
    'Agents (the next page, if any, in the Link header)',
  ),
  async (c) => c.json(await agentsPage(c, c.req.valid('query')), 200),
)

agentsApi.openapi(route('post', '/', body(Register), AgentSaved), async (c) => {
  const b = c.req.valid('json')
  const agent = await registerAgent(scopeOf(c), { ...b, models: b.models_supported })
  return c.json({ success: true as const, agent }, 200)
})

agentsApi.openapi(route('post', '/remote', body(RegisterRemote), AgentSaved), async (c) => {
  const { url, name } = c.req.valid('json')
  const agent = await registerRemoteAgent(scopeOf(c), url, name)
  return c.json({ success: true as const, agent }, 200)
})

agentsApi.openapi(route('post', '/events', body(Event), EventPublished), async (c) => {
  const b = c.req.valid('json')
  const from = senderOf(principalOf(c), b.from)
  const published = await publishEvent(scopeOf(c), {
    from,
    topic: b.topic,
    body: b.data ?? b.body ?? (b.text === undefined ? {} : { text: b.text }),
    conversationId: b.conversation_id,
  })
  return c.json({ success: true as const, ...published }, 200)
})

agentsApi.openapi(
  route(
    'get',
    '/conversations/{id}',
    { params: z.object({ id: z.string().min(1).max(200) }), query: Limit },
    z.array(BusMessage),
    "The conversation's messages, oldest first",
  ),
  async (c) => {
    const s = scopeOf(c)
    const { id } = c.req.valid('param')
    return c.json(await conversationMessages(s, id, c.req.valid('query').limit), 200)
  },
)

agentsApi.openapi(route('get', '/{name}', { params: NameParam }, BusAgent), async (c) =>
  c.json(await requireAgent(scopeOf(c), c.req.valid('param').name), 200),
)

agentsApi.openapi(
  route('delete', '/{name}', { params: NameParam }, z.object({ success: z.literal(true) })),
  async (c) => {
    await removeAgent(scopeOf(c), c.req.valid('param').name)
    return c.json({ success: true as const }, 200)
  },
)

agentsApi.openapi(
  route('post', '/{name}/heartbeat', { params: NameParam }, AgentSaved),
  async (c) => {
    const agent = await heartbeat(scopeOf(c), c.req.valid('param').name)
    return c.json({ success: true as const, agent }, 200)
  },
)

agentsApi.openapi(
  route('post', '/{name}/messages', { params: NameParam, ...body(Send) }, MessageSent),
  async (c) => {
    const b = c.req.valid('json')
    const message = await sendMessage(scopeOf(c), {
      to: c.req.valid('param').name,
      ...payloadOf(c, b),
      conversationId: b.conversation_id,
      replyTo: b.reply_to,
    })
    return c.json({ success: true as const, message }, 200)
  },
)

/** Sends and waits for the reply; `stream` relays a remote agent's A2A events as SSE. */
agentsApi.openapi(
  route(
    'post',
    '/{name}/ask',
    { params: NameParam, ...body(Ask) },
    AgentAnswer,
    "The reply (with `stream`: the remote agent's A2A events as text/event-stream)",
  ),
  async (c) => {
    const b = c.req.valid('json')
    const scope = scopeOf(c)
    const { name } = c.req.valid('param')
    const payload = payloadOf(c, b)
    if (b.stream) {
      const agent = await requireAgent(scope, name)
      if (agent.kind !== 'remote') throw badRequest('stream is for remote agents')
      const text = typeof b.text === 'string' ? b.text : JSON.stringify(payload.body)
      const lease = await openStream(scope, c.req.raw.signal)
      const events = streamRemote(scope, name, text)
      return sseResponse(
        (async function* () {
          for await (const ev of events) yield { data: StreamResponse.toJSON(ev) }
        })(),
        { lease, kind: 'agent' },
      ) as never
    }
    const answer = await askAgent(
      scope,
      { to: name, ...payload, conversationId: b.conversation_id },
      b.timeout_ms,
    )
    // Taken apart so the compiler sees reply null on the failure branch.
    const { sent, reply } = answer
    if (!reply)
      return c.json(
        { success: false as const, error: 'No reply in time' as const, sent, reply },
        200,
      )
    return c.json({ success: true as const, sent, reply }, 200)
  },
)

agentsApi.openapi(
  route('post', '/{name}/tasks', { params: NameParam, ...body(Delegate) }, RestTask),
  async (c) => {
    const task = await delegateToRemote(
      scopeOf(c),
      c.req.valid('param').name,
      c.req.valid('json').text,
    )
    return c.json(restTaskView(task), 200)
  },
)

agentsApi.openapi(
  route(
    'get',
    '/{name}/inbox',
    { params: NameParam, query: Limit },
    z.array(BusMessage),
    'Unacknowledged messages, oldest first',
  ),
  async (c) => {
    const s = scopeOf(c)
    const { name } = c.req.valid('param')
    return c.json(await readInbox(s, name, { limit: c.req.valid('query').limit }), 200)
  },
)

agentsApi.openapi(
  route('post', '/{name}/inbox/ack', { params: NameParam, ...body(Ack) }, InboxAcked),
  async (c) => {
    const s = scopeOf(c)
    const acked = await ackMessages(s, c.req.valid('param').name, c.req.valid('json').ids)
    return c.json({ success: true as const, acked }, 200)
  },
)

/** The agent's messages as SSE: its unacknowledged inbox first, then live ones (id = message id). */
agentsApi.get('/:name/stream', async (c) => {
  const scope = scopeOf(c)
  const name = c.req.param('name')
  return leasedSse(scope, c.req.raw.signal, 'agent_inbox', () =>
    agentBusOf(c.env, scope.tenantId, name).listen(name),
  )
})

const Pattern = z.object({ pattern: z.string().min(1).max(300) })

agentsApi.openapi(
  route('get', '/{name}/subscriptions', { params: NameParam }, Subscriptions),
  async (c) => {
    const { name } = c.req.valid('param')
    return c.json({ agent: name, patterns: await listSubscriptions(scopeOf(c), name) }, 200)
  },
)

agentsApi.openapi(
  route(
    'post',
    '/{name}/subscriptions',
    { params: NameParam, ...body(Pattern) },
    SubscriptionsChanged,
  ),
  async (c) => {
    const { name } = c.req.valid('param')
    const patterns = await subscribeAgent(scopeOf(c), name, c.req.valid('json').pattern, true)
    return c.json({ success: true as const, agent: name, patterns }, 200)
  },
)

agentsApi.openapi(
  route(
    'delete',
    '/{name}/subscriptions',
    { params: NameParam, query: Pattern },
    SubscriptionsChanged,
  ),
  async (c) => {
    const { name } = c.req.valid('param')
    const patterns = await subscribeAgent(scopeOf(c), name, c.req.valid('query').pattern, false)
    return c.json({ success: true as const, agent: name, patterns }, 200)
  },
)

/** Upstream's `GET /agents` (which answered 500 once any agent registered): the same listing. */
export const legacyAgentsApi = new Hono<AppEnv>()
legacyAgentsApi.get('/agents', requirePrincipal(), async (c) => {
  const q = Page.safeParse(c.req.query())
  if (!q.success) throw badRequest('Invalid query', zodDetails(q.error))
  return c.json(await agentsPage(c, q.data))
})
