import { count } from './counters'

/**
 * Server-sent events from an async iterator: `id:` when the item has one, `data: ` with the
 * space (strict parsers need it), a keepalive comment every 15 s, and the iterator closed
 * (its `finally` run) the moment the client goes away. Every stream holds a lease on the
 * open-stream limits (domain/limits/open-streams.ts: openStream, taken before the stream does any
 * work), given back here when it ends, however it ends.
 */
export interface SseItem {
  data: unknown
  id?: string | number
  event?: string
}

/** One open stream's place in the open-stream limits (domain/limits/open-streams.ts takes it). */
export interface StreamLease {
  /** The stream has ended: its place is given back. Safe to call more than once. */
  release(): void
}

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
}

/**
 * Proxies and load balancers drop a connection that stays quiet for about a minute: every
 * live stream (these and the live objects') says something this often while open.
 */
export const KEEPALIVE_MS = 15_000
const encoder = new TextEncoder()

/** What a quiet SSE stream says: a comment. */
export const SSE_KEEPALIVE = encoder.encode(': keepalive\n\n')

export function formatSse(item: SseItem): string {
  let out = ''
  if (item.event) out += `event: ${item.event}\n`
  if (item.id !== undefined) out += `id: ${item.id}\n`
  return `${out}data: ${JSON.stringify(item.data)}\n\n`
}

/** An SSE frame's bytes. */
export const sseBytes = (item: SseItem): Uint8Array => encoder.encode(formatSse(item))

/**
 * Counts a stream as opened now; the function returned counts it closed and gives back its
 * lease, once.
 */
function countStream(kind: string, lease: StreamLease): () => void {
  count('codetether_sse_streams_opened_total', { kind })
  let closed = false
  return () => {
    if (!closed) {
      count('codetether_sse_streams_closed_total', { kind })
      lease.release()
    }
    closed = true
  }
}

/**
 * Bytes of events read from the iterator before the client has taken the ones before. With
 * one event (the default), a stream whose events are all there (an answer made at once) ended
 * only as fast as the runtime wrote them to the socket, and its place in the open-stream
 * limits came back that much later. Counted in bytes, not events: a slow client holds at most
 * this much and one event more, however large the events are. So a stream may give its place
 * back while this much is still on its way to the client.
 */
const READ_AHEAD = new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 })

export function sseResponse(
  items: AsyncIterator<SseItem>,
  opts: {
    /** The stream's place in the open-stream limits (openStream). */
    lease: StreamLease
    onError?: (err: unknown) => SseItem
    /** Called when the client goes away, before the iterator is closed. */
    onCancel?: () => void
    headers?: Record<string, string>
    /** What the stream is, for the subscriber metrics (task_output, a2a, …). */
    kind?: string
  },
): Response {
  let keepalive: ReturnType<typeof setInterval> | undefined
  const close = countStream(opts.kind ?? 'other', opts.lease)
  const stopKeepalive = () => {
    if (keepalive !== undefined) clearInterval(keepalive)
    close()
  }
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        keepalive = setInterval(() => controller.enqueue(SSE_KEEPALIVE), KEEPALIVE_MS)
      },
      async pull(controller) {
        try {
          const next = await items.next()
          if (next.done) {
            stopKeepalive()
            controller.close()
            return
          }
          controller.enqueue(sseBytes(next.value))
        } catch (err) {
          stopKeepalive()
          if (opts.onError) controller.enqueue(sseBytes(opts.onError(err)))
          controller.close()
        }
      },
      async cancel() {
        stopKeepalive()
        opts.onCancel?.()
        await items.return?.(undefined)
      },
    },
    READ_AHEAD,
  )
  return new Response(body, { headers: { ...SSE_HEADERS, ...opts.headers } })
}

/**
 * An SSE body produced elsewhere (a Durable Object's stream), counted like sseResponse's. The
 * bytes are piped natively, with no JavaScript per chunk: the object writes each event once
 * for all its subscribers, and this hop must not undo that.
 */
export function countedSse(
  body: ReadableStream<Uint8Array> | null,
  kind: string,
  lease: StreamLease,
  /**
   * The request's waitUntil. A stream that ends as the response does (an RPC stream from a
   * Durable Object) would otherwise see its end after the request is over, when the runtime
   * no longer runs its code: the count and the lease would never be given back.
   */
  waitUntil: (p: Promise<unknown>) => void,
): Response {
  const close = countStream(kind, lease)
  if (!body) {
    close()
    return new Response(null, { headers: SSE_HEADERS })
  }
  const { readable, writable } = new IdentityTransformStream()
  // Ends with the body, or when the client goes away (which cancels the body in turn).
  waitUntil(body.pipeTo(writable).then(close, close))
  return new Response(readable, { headers: SSE_HEADERS })
}
