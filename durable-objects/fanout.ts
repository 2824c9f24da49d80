import { KEEPALIVE_MS } from '../src/lib/sse'

/** One open stream of a live object, with what the object keeps about its reader. */
export interface Channel<M> {
  readonly meta: M
  readonly writer: WritableStreamDefaultWriter<Uint8Array>
  closed: boolean
}

export interface FanoutHooks<M> {
  /** What a channel says every KEEPALIVE_MS (undefined: nothing, e.g. NDJSON read in the Worker). */
  keepalive?: (channel: Channel<M>) => Uint8Array | undefined
  /** After a channel left, however it left (closed, aborted, its reader gone). */
  left?: (channel: Channel<M>) => void
}

/**
 * The open streams of a live object: each a native stream (no JavaScript per chunk), written
 * in its own order, kept alive while open, and removed exactly once when it closes, fails,
 * or its reader goes away (a cancelled reader shows as a failed write, or as the writer's
 * `closed` rejecting).
 */
export class Fanout<M> implements Iterable<Channel<M>> {
  private readonly channels = new Set<Channel<M>>()
  private keepalives: ReturnType<typeof setInterval> | undefined

  constructor(private readonly hooks: FanoutHooks<M> = {}) {}

  /** A new channel and the stream its reader gets (what the object's RPC method returns). */
  open(meta: M): { channel: Channel<M>; readable: ReadableStream<Uint8Array> } {
    const { readable, writable } = new IdentityTransformStream()
    const channel: Channel<M> = { meta, writer: writable.getWriter(), closed: false }
    this.channels.add(channel)
    channel.writer.closed.catch(() => this.leave(channel))
    this.keepAlive()
    return { channel, readable }
  }

  get size(): number {
    return this.channels.size
  }

  [Symbol.iterator](): Iterator<Channel<M>> {
    return this.channels.values()
  }

  /** Writes to one channel; false (and the channel gone) when its reader went away. */
  async write(channel: Channel<M>, bytes: Uint8Array): Promise<boolean> {
    if (channel.closed) return false
    try {
      await channel.writer.write(bytes)
      return true
    } catch {
      this.leave(channel)
      return false
    }
  }

  /** Ends a channel's stream normally. */
  async close(channel: Channel<M>): Promise<void> {
    if (this.leave(channel)) await channel.writer.close().catch(() => {})
  }

  /** Ends a channel's stream with an error: its reader sees the stream fail and resumes. */
  async abort(channel: Channel<M>, err: unknown): Promise<void> {
    if (this.leave(channel)) await channel.writer.abort(err).catch(() => {})
  }

  private leave(channel: Channel<M>): boolean {
    if (channel.closed) return false
    channel.closed = true
    this.channels.delete(channel)
    if (this.channels.size === 0 && this.keepalives !== undefined) {
      clearInterval(this.keepalives)
      this.keepalives = undefined
    }
    this.hooks.left?.(channel)
    return true
  }

  private keepAlive() {
    const { keepalive } = this.hooks
    if (!keepalive || this.keepalives !== undefined) return
    this.keepalives = setInterval(() => {
      for (const channel of this.channels) {
        const bytes = keepalive(channel)
        if (bytes) void this.write(channel, bytes)
      }
    }, KEEPALIVE_MS)
  }
}
