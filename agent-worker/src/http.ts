/** The worker's and the client's one way to call the server's REST API. */

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

export class Server {
  readonly base: string
  constructor(private readonly opts: ServerOptions) {
    this.base = opts.server.replace(/\/+$/, '')
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { 'User-Agent': 'codetether-worker', ...extra }
    if (this.opts.token) h.Authorization = `Bearer ${this.opts.token}`
    return h
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: this.headers(
        body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      // Not JSON: keep the text for the error message.
    }
    if (!res.ok) throw new HttpError(res.status, parsed, `${method} ${path}`)
    return parsed as T
  }

  get = <T = unknown>(path: string) => this.request<T>('GET', path)
  post = <T = unknown>(path: string, body: unknown, headers?: Record<string, string>) =>
    this.request<T>('POST', path, body, headers)
  put = <T = unknown>(path: string, body: unknown) => this.request<T>('PUT', path, body)
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
