/**
 * Server-sent events over fetch, so the request can carry the Authorization header (an
 * EventSource cannot). Reconnects with backoff and resumes with Last-Event-ID, as EventSource
 * would; the server's retry is honoured. Parsing is eventsource-parser's (CRLF, comments,
 * multi-line data), as everywhere else here.
 */
import { type EventSourceMessage, EventSourceParserStream } from 'eventsource-parser/stream'
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

  /** One event; true when it is the last (`endOn`). */
  const deliver = (e: EventSourceMessage) => {
    if (e.id !== undefined) lastId = e.id
    let data: unknown = e.data
    try {
      data = JSON.parse(e.data)
    } catch {}
    opts.onMessage({ event: e.event ?? 'message', id: e.id, data })
    return (e.event ?? 'message') === opts.endOn
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
        const events = res.body
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(
            new EventSourceParserStream({
              onRetry: (ms) => {
                delay = ms
              },
            }),
          )
          .getReader()
        for (;;) {
          const { done, value } = await events.read()
          if (done) break
          if (deliver(value)) {
            stopped = true
            setState('closed')
            await events.cancel()
            return
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
