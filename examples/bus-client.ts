/**
 * The examples' client of the server: `call` for any API request, and `busAgent`, an agent on
 * the bus over plain HTTP (registered under a name, reading its stream, an inbox that
 * redelivers until acknowledged; sending, publishing and subscribing).
 * CODETETHER_SERVER (default http://127.0.0.1:8787) and CODETETHER_TOKEN (if auth is on).
 */
import { EventSourceParserStream } from 'eventsource-parser/stream'

const server = (process.env.CODETETHER_SERVER ?? 'http://127.0.0.1:8787').replace(/\/+$/, '')
const headers: Record<string, string> = { 'Content-Type': 'application/json' }
if (process.env.CODETETHER_TOKEN) headers.Authorization = `Bearer ${process.env.CODETETHER_TOKEN}`

export interface BusMessage {
  id: string
  from: string
  kind: 'direct' | 'event'
  topic: string | null
  reply_to: string | null
  body: { text?: string; [k: string]: unknown }
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

export type BusAgent = Awaited<ReturnType<typeof busAgent>>

/** An agent: registered, handling each message once, acknowledging what it handled. */
export async function busAgent(name: string, onMessage: (m: BusMessage) => Promise<void>) {
  const path = `/v1/agents/${encodeURIComponent(name)}`
  await call('POST', '/v1/agents', { name, description: `demo agent ${name}` })
  const abort = new AbortController()
  const res = await fetch(`${server}${path}/stream`, { headers, signal: abort.signal })
  if (!res.ok || !res.body) throw new Error(`${name}'s stream: ${res.status}`)
  const seen = new Set<string>()
  const reading = (async () => {
    const events = res.body
      ?.pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
    for await (const event of events as unknown as AsyncIterable<{
      event?: string
      data: string
    }>) {
      if (event.event !== 'message') continue
      const m = JSON.parse(event.data) as BusMessage
      if (seen.has(m.id)) continue // at-least-once: the same id may come again
      seen.add(m.id)
      await onMessage(m)
      await call('POST', `${path}/inbox/ack`, { ids: [m.id] })
    }
  })().catch(() => {})
  return {
    name,
    /** Sends a direct message; resolves with its id (a reply names it in `reply_to`). */
    send: async (to: string, text: string, replyTo?: string) =>
      (
        await call<{ message: { id: string } }>(
          'POST',
          `/v1/agents/${encodeURIComponent(to)}/messages`,
          { from: name, text, reply_to: replyTo },
        )
      ).message.id,
    publish: (topic: string, data: unknown) =>
      call('POST', '/v1/agents/events', { from: name, topic, data }),
    subscribe: (pattern: string) => call('POST', `${path}/subscriptions`, { pattern }),
    stop: async () => {
      abort.abort()
      await reading
    },
  }
}

/** Resolves when `ready()` holds, checked each time `poke` is called; fails after `ms`. */
export function waitFor(what: string, ready: () => boolean, ms = 30_000) {
  let poke = () => {}
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms / 1000} s`)), ms)
    poke = () => {
      if (!ready()) return
      clearTimeout(timer)
      resolve()
    }
  })
  return { done, poke }
}
