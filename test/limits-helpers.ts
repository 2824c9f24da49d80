/** What the limits suites share: JSON calls, setting a tenant's limits, refusals, held streams. */
import assert from 'node:assert/strict'
import { api } from './helpers'

// biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
export type Json = any

/** A call as `token`; the reply's status, headers and JSON body ({} when empty). */
export async function call(
  token: string,
  method: string,
  path: string,
  json?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await api(path, { method, token, json, headers })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Json }
}

/** The tenant's limits set to `values` (each test lowers only its own); the table after. */
export async function setLimits(token: string, values: Record<string, number | null>) {
  const r = await call(token, 'PUT', '/v1/limits', values)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body.limits as Json[]
}

/** A refusal naming `limit`, with the status its kind takes. */
/**
 * Waits out the last seconds of a wall-clock minute. The per-minute limits are sliding windows
 * over clock-aligned minutes (Upstash's), whose estimate lets a request through again right
 * after a boundary: a test that spends a limit and then expects refusals must not straddle one.
 */
export async function awayFromMinuteBoundary(needMs = 15_000) {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 200))
}

export function refusedBy(r: { status: number; body: Json }, limit: string, status: 413 | 429) {
  assert.equal(r.status, status, JSON.stringify(r.body))
  assert.equal(r.body.error.details.limit, limit)
  assert.match(r.body.error.message, new RegExp(limit))
}

export interface Held {
  status: number
  body: Json
  close(): void
}

const held: AbortController[] = []

/** Opens an event stream and holds it open until closed (or closeHeld); a refusal is read as JSON. */
export async function holdStream(
  token: string,
  path: string,
  init: RequestInit = {},
): Promise<Held> {
  const abort = new AbortController()
  const res = await api(path, { token, signal: abort.signal, ...init })
  const close = () => abort.abort()
  if (res.headers.get('content-type')?.includes('text/event-stream')) {
    held.push(abort)
    return { status: res.status, body: undefined, close }
  }
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : {}, close }
}

/** Closes every stream still held (a file's `after`). */
export function closeHeld() {
  for (const a of held.splice(0)) a.abort()
}
