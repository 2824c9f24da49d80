/** The worker's and the client's one way to call the server's REST API. */

import createClient, { type Client } from 'openapi-fetch'
import type { paths } from './generated/rest-api.js'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    const detail =
      (body as { error?: { message?: string } })?.error?.message ??
      (typeof body === 'string' ? body.slice(0, 200) : '')
    super(`${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`)
  }
}

/** The server could not be reached or did not answer in time: worth retrying later. */
export const isUnreachable = (err: unknown) =>
  !(err instanceof HttpError) || err.status >= 500 || err.status === 429

export interface ServerOptions {
  server: string
  token?: string
  /** Per-request time limit. */
  timeoutMs?: number
}

/** The REST API's client, typed from its OpenAPI document (`npm run types:api`). */
export type Api = Client<paths>

export class Server {
  readonly base: string
  /** Every JSON call to the server: paths, bodies and answers checked against the API's types. */
  readonly api: Api
  constructor(private readonly opts: ServerOptions) {
    this.base = opts.server.replace(/\/+$/, '')
    const timeoutMs = opts.timeoutMs ?? 30_000
    this.api = createClient<paths>({
      baseUrl: this.base,
      headers: this.headers(),
      fetch: (request) => fetch(request, { signal: AbortSignal.timeout(timeoutMs) }),
    })
    this.api.use({
      async onResponse({ request, response }) {
        if (response.ok) return undefined
        const text = await response.clone().text()
        let body: unknown = text
        try {
          body = text ? JSON.parse(text) : undefined
        } catch {
          // Not JSON: keep the text for the error message.
        }
        throw new HttpError(
          response.status,
          body,
          `${request.method} ${new URL(request.url).pathname}`,
        )
      },
    })
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { 'User-Agent': 'codetether-worker', ...extra }
    if (this.opts.token) h.Authorization = `Bearer ${this.opts.token}`
    return h
  }
}

/**
 * A typed call's answer: its body. Every answer but a 2xx has thrown an HttpError by then (the
 * client's response hook), so what is left is the success case.
 */
export async function answer<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T
}

/** Exponential backoff with full jitter, capped: 1 s, 2 s, 4 s … up to `capMs`. */
export function backoff(attempt: number, baseMs = 1000, capMs = 60_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16))
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
