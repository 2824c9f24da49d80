/**
 * `codetether agent run`: one agent definition as a process. It registers on the tenant's
 * agent bus, keeps itself listed, and reads its stream: the unacknowledged inbox first, then
 * live messages. Each direct message is handled and answered with `reply_to`; each event goes
 * to the handlers its setup subscribed; both are acknowledged only after, so a process killed
 * mid-way gets them again on restart (duplicates are dropped by id).
 */

import {
  type AgentContext,
  type AgentDefinition,
  type EventHandler,
  runAgent,
  skillsOf,
  topicFor,
} from '@codetether/agent-kit'
import { mcpAccess } from '@codetether/agent-kit/mcp'
import { bodyText, topicMatches } from '@codetether/agent-kit/wire'
import { EventSourceParserStream } from 'eventsource-parser/stream'
import { answer, backoff, type Server, sleep } from '../http.js'
import { log } from '../log.js'

interface BusMessage {
  id: string
  reply_to: string | null
  from: string
  kind: 'direct' | 'event'
  topic: string | null
  conversation_id: string | null
  body: unknown
}

const HEARTBEAT_MS = 60_000
const enc = encodeURIComponent

export interface RemoteAgentOptions {
  server: Server
  /** Run under another name than the definition's (e.g. beside the same agent in the edge app). */
  name?: string
  mcpServers: string[]
  timeoutMs?: number
}

export function remoteContext(o: RemoteAgentOptions, me: string) {
  const handlers = new Map<string, EventHandler>()
  const mcp = mcpAccess(o.mcpServers, (msg) => log.warn(msg))
  const { api } = o.server
  const ctx: AgentContext<{ server: Server }> = {
    agent: me,
    async send(to, message, opts) {
      const timeout = opts?.timeoutMs ?? 20_000
      const r = await answer(
        api.POST('/v1/agents/{name}/ask', {
          params: { path: { name: to } },
          body: { from: me, text: message, timeout_ms: timeout },
        }),
      )
      if (!r.success) throw new Error(`${to} did not answer within ${Math.round(timeout / 1000)} s`)
      return r.reply.text
    },
    async tell(to, message) {
      await api.POST('/v1/agents/{name}/messages', {
        params: { path: { name: to } },
        body: { from: me, text: message },
      })
    },
    async publish(eventType, data) {
      await api.POST('/v1/agents/events', {
        body: { from: me, topic: topicFor(me, eventType), data },
      })
    },
    async subscribe(agent, eventType, handler) {
      const pattern = topicFor(agent, eventType)
      handlers.set(pattern, handler)
      await api.POST('/v1/agents/{name}/subscriptions', {
        params: { path: { name: me } },
        body: { pattern },
      })
    },
    async unsubscribe(agent, eventType) {
      const pattern = topicFor(agent, eventType)
      handlers.delete(pattern)
      await api.DELETE('/v1/agents/{name}/subscriptions', {
        params: { path: { name: me }, query: { pattern } },
      })
    },
    progress: async () => {},
    mcp,
    platform: { server: o.server },
  }
  return { ctx, handlers, close: () => mcp.close() }
}

/** Runs until `signal` aborts; reconnects whenever the stream drops. */
export async function runRemoteAgent(
  def: AgentDefinition,
  o: RemoteAgentOptions,
  signal: AbortSignal,
) {
  const me = o.name ?? def.name
  const { ctx, handlers, close } = remoteContext(o, me)
  const { api } = o.server
  const register = () =>
    api.POST('/v1/agents', {
      body: {
        name: me,
        description: def.description,
        capabilities: { skills: skillsOf(def), process: true },
      },
    })
  await register()
  await def.setup?.(ctx as AgentContext)
  log.info(`agent ${me} listening on ${o.server.base}`)
  const seen = new Set<string>()

  const handle = async (m: BusMessage) => {
    if (seen.has(m.id)) return
    if (m.reply_to) {
      // A reply to one of our own sends: the server already handed it to the waiting send().
    } else if (m.kind === 'event') {
      for (const [pattern, handler] of handlers) {
        if (m.topic && topicMatches(pattern, m.topic)) {
          await Promise.resolve(handler(m.body, { topic: m.topic, from: m.from })).catch((err) =>
            log.warn(`${me}: event handler for ${m.topic} failed: ${(err as Error).message}`),
          )
        }
      }
    } else {
      const reply = await runAgent(
        def,
        {
          text: bodyText(m.body),
          data: m.body,
          from: m.from,
          conversationId: m.conversation_id ?? undefined,
          history: [],
        },
        ctx as AgentContext,
        o.timeoutMs,
      )
      await api.POST('/v1/agents/{name}/messages', {
        params: { path: { name: m.from } },
        body: {
          from: me,
          reply_to: m.id,
          conversation_id: m.conversation_id ?? m.id,
          body: {
            text: reply.text,
            state: reply.state,
            ...(reply.data ? { data: reply.data } : {}),
          },
        },
      })
    }
    await api.POST('/v1/agents/{name}/inbox/ack', {
      params: { path: { name: me } },
      body: { ids: [m.id] },
    })
    seen.add(m.id)
  }

  const beat = setInterval(() => {
    api.POST('/v1/agents/{name}/heartbeat', { params: { path: { name: me } } }).catch((err) => {
      if ((err as { status?: number }).status === 404) void register().catch(() => {})
    })
  }, HEARTBEAT_MS)
  try {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const res = await fetch(`${o.server.base}/v1/agents/${enc(me)}/stream`, {
          headers: o.server.headers({ Accept: 'text/event-stream' }),
          signal,
        })
        if (!res.ok || !res.body) throw new Error(`stream: HTTP ${res.status}`)
        attempt = 0
        const events = res.body
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(new EventSourceParserStream())
        for await (const e of events) {
          if (e.event === 'message') await handle(JSON.parse(e.data) as BusMessage)
        }
      } catch (err) {
        if (signal.aborted) break
        log.warn(`${me}: ${(err as Error).message}; reconnecting`)
      }
      await sleep(backoff(attempt, 500, 15_000), signal)
    }
  } finally {
    clearInterval(beat)
    await close()
  }
}
