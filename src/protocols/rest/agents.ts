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
import { restTaskView } from '../../domain/tasks/rest-view'
import { badRequest, validationHook, zodDetails } from '../../lib/errors'
import { agentBusOf } from '../../lib/live-objects'
import { sseResponse } from '../../lib/sse'
import { body, untypedRoute } from './openapi'
import { scopeOf } from './scope'

/** /v1/agents: the registry, direct messages, inboxes, events and remote A2A agents. */
export const agentsApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const Name = z.string().min(1).max(200)
const NameParam = z.object({ name: Name })
const Payload = {
  /** The sending agent (default: `user:<your subject>`). */
  from: Name.optional(),
  text: z.string().max(100_000).optional(),
  body: z.unknown().optional(),
  conversation_id: z.string().max(200).optional(),
}
const payloadOf = (c: AppContext, b: { from?: string; text?: string; body?: unknown }) => {
  if (b.body === undefined && b.text === undefined) throw badRequest('body or text is required')
  return { from: senderOf(principalOf(c), b.from), body: b.body ?? { text: b.text } }
}

const Register = z
  .object({
    name: Name.regex(/^[^\s/]+$/, 'role:instance, without spaces or slashes'),
    description: z.string().max(2000).optional(),
    url: z.url().max(2000).optional(),
    capabilities: z.record(z.string(), z.unknown()).optional(),
    models_supported: z.array(z.string().max(200)).max(200).optional(),
  })
  .openapi('RegisterAgent')

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

agentsApi.openapi(untypedRoute('get', '/', { query: Page }), async (c) =>
  c.json(await agentsPage(c, c.req.valid('query')), 200),
)

agentsApi.openapi(untypedRoute('post', '/', body(Register)), async (c) => {
  const b = c.req.valid('json')
  const agent = await registerAgent(scopeOf(c), { ...b, models: b.models_supported })
  return c.json({ success: true, agent }, 200)
})

agentsApi.openapi(
  untypedRoute(
    'post',
    '/remote',
    body(z.object({ url: z.url().max(2000), name: Name.optional() })),
  ),
  async (c) => {
    const { url, name } = c.req.valid('json')
    return c.json({ success: true, agent: await registerRemoteAgent(scopeOf(c), url, name) }, 200)
  },
)

const Event = z
  .object({ ...Payload, topic: z.string().min(1).max(300), data: z.unknown().optional() })
  .openapi('AgentEvent')

agentsApi.openapi(untypedRoute('post', '/events', body(Event)), async (c) => {
  const b = c.req.valid('json')
  const from = senderOf(principalOf(c), b.from)
  const published = await publishEvent(scopeOf(c), {
    from,
    topic: b.topic,
    body: b.data ?? b.body ?? (b.text === undefined ? {} : { text: b.text }),
    conversationId: b.conversation_id,
  })
  return c.json({ success: true, ...published }, 200)
})

agentsApi.openapi(
  untypedRoute('get', '/conversations/{id}', {
    params: z.object({ id: z.string().min(1).max(200) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
  }),
  async (c) => {
    const s = scopeOf(c)
    const { id } = c.req.valid('param')
    return c.json(await conversationMessages(s, id, c.req.valid('query').limit), 200)
  },
)

agentsApi.openapi(untypedRoute('get', '/{name}', { params: NameParam }), async (c) =>
  c.json(await requireAgent(scopeOf(c), c.req.valid('param').name), 200),
)

agentsApi.openapi(untypedRoute('delete', '/{name}', { params: NameParam }), async (c) => {
  await removeAgent(scopeOf(c), c.req.valid('param').name)
  return c.json({ success: true }, 200)
})

agentsApi.openapi(untypedRoute('post', '/{name}/heartbeat', { params: NameParam }), async (c) =>
  c.json({ success: true, agent: await heartbeat(scopeOf(c), c.req.valid('param').name) }, 200),
)

const Send = z.object({ ...Payload, reply_to: z.uuid().optional() }).openapi('AgentMessage')

agentsApi.openapi(
  untypedRoute('post', '/{name}/messages', { params: NameParam, ...body(Send) }),
  async (c) => {
    const b = c.req.valid('json')
    const message = await sendMessage(scopeOf(c), {
      to: c.req.valid('param').name,
      ...payloadOf(c, b),
      conversationId: b.conversation_id,
      replyTo: b.reply_to,
    })
    return c.json({ success: true, message }, 200)
  },
)

const Ask = z
  .object({
    ...Payload,
    timeout_ms: z.number().int().min(100).max(60_000).default(15_000),
    stream: z.boolean().default(false),
  })
  .openapi('AskAgent')

/** Sends and waits for the reply; `stream` relays a remote agent's A2A events as SSE. */
agentsApi.openapi(
  untypedRoute('post', '/{name}/ask', { params: NameParam, ...body(Ask) }),
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
    if (!answer.reply) return c.json({ success: false, error: 'No reply in time', ...answer }, 200)
    return c.json({ success: true, ...answer }, 200)
  },
)

agentsApi.openapi(
  untypedRoute('post', '/{name}/tasks', {
    params: NameParam,
    ...body(z.object({ text: z.string().min(1).max(100_000) })),
  }),
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
  untypedRoute('get', '/{name}/inbox', {
    params: NameParam,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
  }),
  async (c) => {
    const s = scopeOf(c)
    const { name } = c.req.valid('param')
    return c.json(await readInbox(s, name, { limit: c.req.valid('query').limit }), 200)
  },
)

agentsApi.openapi(
  untypedRoute('post', '/{name}/inbox/ack', {
    params: NameParam,
    ...body(z.object({ ids: z.array(z.uuid()).min(1).max(500) })),
  }),
  async (c) => {
    const s = scopeOf(c)
    const acked = await ackMessages(s, c.req.valid('param').name, c.req.valid('json').ids)
    return c.json({ success: true, acked }, 200)
  },
)

/** The agent's messages as SSE: its unacknowledged inbox first, then live ones (id = message id). */
agentsApi.get('/:name/stream', async (c) => {
  const scope = scopeOf(c)
  const name = c.req.param('name')
  return leasedSse(scope, c.req.raw.signal, 'agent_inbox', () =>
    agentBusOf(c.env, scope.tenantId).listen(name),
  )
})

const Pattern = z.object({ pattern: z.string().min(1).max(300) })

agentsApi.openapi(
  untypedRoute('get', '/{name}/subscriptions', { params: NameParam }),
  async (c) => {
    const { name } = c.req.valid('param')
    return c.json({ agent: name, patterns: await listSubscriptions(scopeOf(c), name) }, 200)
  },
)

agentsApi.openapi(
  untypedRoute('post', '/{name}/subscriptions', { params: NameParam, ...body(Pattern) }),
  async (c) => {
    const { name } = c.req.valid('param')
    const patterns = await subscribeAgent(scopeOf(c), name, c.req.valid('json').pattern, true)
    return c.json({ success: true, agent: name, patterns }, 200)
  },
)

agentsApi.openapi(
  untypedRoute('delete', '/{name}/subscriptions', { params: NameParam, query: Pattern }),
  async (c) => {
    const { name } = c.req.valid('param')
    const patterns = await subscribeAgent(scopeOf(c), name, c.req.valid('query').pattern, false)
    return c.json({ success: true, agent: name, patterns }, 200)
  },
)

/** Upstream's `GET /agents` (which answered 500 once any agent registered): the same listing. */
export const legacyAgentsApi = new Hono<AppEnv>()
legacyAgentsApi.get('/agents', requirePrincipal(), async (c) => {
  const q = Page.safeParse(c.req.query())
  if (!q.success) throw badRequest('Invalid query', zodDetails(q.error))
  return c.json(await agentsPage(c, q.data))
})
