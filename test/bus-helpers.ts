/** The agent bus's REST and SSE, as the bus suites drive it. */
import assert from 'node:assert/strict'
import { readSse } from './a2a-helpers'
import { api } from './helpers'
import { until } from './worker-helpers'

/** This run's suffix: agents of earlier runs in the same database never collide. */
export const run = Math.random().toString(36).slice(2, 8)
export const agentName = (role: string) => `${role}-${run}:1`

export interface BusMessage {
  id: string
  from: string
  to: string
  kind: string
  topic: string | null
  reply_to: string | null
  conversation_id: string | null
  body: { text?: string } & Record<string, unknown>
}

export async function post<T = Record<string, unknown>>(path: string, json: unknown, status = 200) {
  const res = await api(path, { method: 'POST', json })
  const text = await res.text()
  assert.equal(res.status, status, text)
  return JSON.parse(text) as T
}

/** An agent's open stream (on the stack, or the Worker at `base`): every `message` event. */
export function listen(name: string, base = '') {
  const abort = new AbortController()
  const messages: BusMessage[] = []
  let connected = false
  const done = api(`${base}/v1/agents/${encodeURIComponent(name)}/stream`, { signal: abort.signal })
    .then((res) =>
      readSse(res, (e) => {
        if (e.event === 'connected') connected = true
        if (e.event === 'message') messages.push(e.data as BusMessage)
        return false
      }),
    )
    .catch(() => [])
  return {
    messages,
    ready: () => until(`${name} connected`, async () => connected),
    close: async () => {
      abort.abort()
      await done
    },
  }
}

export const register = (name: string) => post('/v1/agents', { name, description: `${name} agent` })
export const send = (to: string, from: string, text: string, extra: Record<string, unknown> = {}) =>
  post<{ message: BusMessage }>(`/v1/agents/${encodeURIComponent(to)}/messages`, {
    from,
    text,
    ...extra,
  })
export const ack = (name: string, ids: string[]) =>
  post(`/v1/agents/${encodeURIComponent(name)}/inbox/ack`, { ids })
