/**
 * Server-sent events over fetch, so the request can carry the Authorization header (an
 * EventSource cannot). Reconnects with backoff and resumes with Last-Event-ID, as EventSource
 * would; the server's retry is honoured.
 */
import { authHeaders } from './api'

export type StreamState = 'connecting' | 'open' | 'closed'

export interface SseMessage {
  event: string
  id?: string
  data: unknown
}

export interface SseOptions {
  onMessage(m: SseMessage): void
  onState?(s: StreamState): void
  /** Stop for good after this event (e.g. `done`); the stream ends without reconnecting. */
  endOn?: string
}

export function openStream(url: string, opts: SseOptions): () => void {
  const abort = new AbortController()
  let lastId: string | undefined
  let delay = 500
  let stopped = false
  // After the caller closes the stream, its old loop must not report states any more:
  // a new stream may already be live.
  let cancelled = false
  const setState = (st: StreamState) => {
    if (!cancelled) opts.onState?.(st)
  }

  const parse = (block: string) => {
    let event = 'message'
    let id: string | undefined
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue
      const i = line.indexOf(':')
      const field = i < 0 ? line : line.slice(0, i)
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '')
      if (field === 'event') event = value
      else if (field === 'id') id = value
      else if (field === 'data') data.push(value)
      else if (field === 'retry' && /^\d+$/.test(value)) delay = Number(value)
    }
    if (id !== undefined) lastId = id
    if (!data.length) return false
    let parsed: unknown = data.join('\n')
    try {
      parsed = JSON.parse(parsed as string)
    } catch {}
    opts.onMessage({ event, id, data: parsed })
    return event === opts.endOn
  }

  const run = async () => {
    while (!stopped) {
      setState('connecting')
      try {
        const headers: Record<string, string> = { ...authHeaders(), Accept: 'text/event-stream' }
        if (lastId) headers['Last-Event-ID'] = lastId
        const res = await fetch(url, { headers, credentials: 'same-origin', signal: abort.signal })
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`)
        setState('open')
        delay = 500
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          buffer += value.replace(/\r\n?/g, '\n')
          let end = buffer.indexOf('\n\n')
          while (end >= 0) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            if (parse(block)) {
              stopped = true
              setState('closed')
              await reader.cancel()
              return
            }
            end = buffer.indexOf('\n\n')
          }
        }
      } catch {
        if (stopped) break
      }
      if (stopped) break
      setState('connecting')
      await new Promise((r) => setTimeout(r, delay))
      delay = Math.min(delay * 2, 15_000)
    }
    setState('closed')
  }
  void run()
  return () => {
    cancelled = true
    stopped = true
    abort.abort()
  }
}
