import { databaseOf } from '../src/db/client'
import { configOf, type Env } from '../src/env'
import { readEvents, setWatched, type TaskEvent } from '../src/tasks/events'
import { isTerminalEvent } from '../src/tasks/states'
import { STREAM_VIEWS, type StreamView, viewText } from '../src/tasks/stream-views'
import { LiveObject } from './live-object'

interface Subscriber {
  writer: WritableStreamDefaultWriter<Uint8Array>
  view: StreamView
  /** The next seq this subscriber must receive; everything below it was sent. */
  next: number
  /** Deliveries to one subscriber run one after another, in seq order. */
  chain: Promise<void>
  closed: boolean
}

const RING_SIZE = 256
const KEEPALIVE_MS = 15_000
const encoder = new TextEncoder()
const keepalive = encoder.encode(': keepalive\n\n')

/**
 * One per task: fans the task's events out to every subscriber, each exactly once and in
 * order. Events are committed to Postgres before they are published here, so a subscriber
 * that is behind (it reconnected with Last-Event-ID, or an event overtook another on its way
 * here) is filled in from a ring of recent events or from task_events: no gap, no duplicate.
 *
 * GET /subscribe?tenant=&task=&after=N[&view=ndjson|output-sse] streams the events with
 * seq > N in that view (stream-views.ts); the stream ends after a terminal status. An event is
 * written once per view, whatever the number of subscribers.
 */
export class TaskStream extends LiveObject<Env> {
  protected override readonly kind = 'task-stream'
  private ring: TaskEvent[] = []
  private readonly subscribers = new Set<Subscriber>()
  private tenantId: string | undefined
  private taskId: string | undefined
  /** What this object last wrote to the task's `watched` flag (undefined: not since start). */
  private flagged: boolean | undefined
  /** Writes of the flag run one after another, each writing the state at its turn. */
  private flagging: Promise<void> = Promise.resolve()
  /** Each event's bytes per view, written once (undefined: the view does not show it). */
  private readonly written = new WeakMap<TaskEvent, Map<StreamView, Uint8Array | undefined>>()
  private keepalives: ReturnType<typeof setInterval> | undefined

  /**
   * Called by the app after the events' transaction committed, when the task is watched.
   * With nobody left to tell, the flag is cleared so later changes skip this object.
   */
  async publish(tenantId: string, taskId: string, events: TaskEvent[]): Promise<void> {
    this.bind(tenantId, taskId)
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      this.remember(event)
      for (const sub of this.subscribers) this.deliver(sub, event)
    }
    if (this.subscribers.size === 0) await this.syncWatched().catch(() => {})
  }

  subscriberCount(): number {
    return this.subscribers.size
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const tenantId = url.searchParams.get('tenant')
    const taskId = url.searchParams.get('task')
    const after = Number(url.searchParams.get('after') ?? '0')
    const view = (url.searchParams.get('view') ?? 'ndjson') as StreamView
    if (!tenantId || !taskId || !Number.isInteger(after) || after < 0) {
      return new Response('tenant, task and a non-negative integer after are required', {
        status: 400,
      })
    }
    if (!STREAM_VIEWS.includes(view)) {
      return new Response(`view must be one of ${STREAM_VIEWS.join(', ')}`, { status: 400 })
    }
    this.bind(tenantId, taskId)
    // Native (no JavaScript per chunk): the same bytes go to every subscriber.
    const { readable, writable } = new IdentityTransformStream()
    const sub: Subscriber = {
      writer: writable.getWriter(),
      view,
      next: after + 1,
      chain: Promise.resolve(),
      closed: false,
    }
    this.subscribers.add(sub)
    if (view !== 'ndjson') this.keepAlive()
    // The reader cancelling (client gone) errors the writable side; across the Worker's hop
    // that may show only at the next write. Either way the subscriber is released then.
    sub.writer.closed.catch(() => this.close(sub))
    // Flag the task watched, then catch up on everything committed so far; live events
    // queue behind this on the chain. If either fails the stream errors, and the client
    // resumes from its last event.
    sub.chain = this.syncWatched()
      .then(() => this.catchUp(sub, Number.POSITIVE_INFINITY))
      .catch((err) => this.fail(sub, err))
    const type = view === 'ndjson' ? 'application/x-ndjson' : 'text/event-stream'
    return new Response(readable, { headers: { 'content-type': type } })
  }

  private bind(tenantId: string, taskId: string) {
    if (this.taskId !== undefined && (this.taskId !== taskId || this.tenantId !== tenantId)) {
      throw new Error('TaskStream addressed with another task')
    }
    this.tenantId = tenantId
    this.taskId = taskId
  }

  private syncWatched(): Promise<void> {
    const turn = this.flagging.then(async () => {
      const watched = this.subscribers.size > 0
      if (this.flagged === watched) return
      const db = databaseOf(configOf(this.env))
      await setWatched(db, this.tenantId as string, this.taskId as string, watched)
      this.flagged = watched
    })
    this.flagging = turn.catch(() => {})
    return turn
  }

  private remember(event: TaskEvent) {
    const last = this.ring.at(-1)
    if (last && event.seq <= last.seq) return
    if (last && event.seq !== last.seq + 1) this.ring = [] // keep the ring contiguous
    this.ring.push(event)
    if (this.ring.length > RING_SIZE) this.ring.shift()
  }

  private deliver(sub: Subscriber, event: TaskEvent) {
    sub.chain = sub.chain
      .then(async () => {
        if (sub.closed || event.seq < sub.next) return
        if (event.seq > sub.next) await this.catchUp(sub, event.seq - 1)
        if (event.seq === sub.next) await this.send(sub, event)
      })
      .catch((err) => this.fail(sub, err))
  }

  /** Sends sub every event from sub.next up to `upTo`, from the ring when it has them. */
  private async catchUp(sub: Subscriber, upTo: number) {
    while (!sub.closed && sub.next <= upTo) {
      const first = this.ring[0]
      const events =
        first && first.seq <= sub.next
          ? this.ring.filter((e) => e.seq >= sub.next && e.seq <= upTo)
          : await this.load(sub.next - 1, upTo)
      if (events.length === 0) return
      for (const event of events) {
        // Retention removed the events before this one (a finished task keeps its last).
        if (event.seq > sub.next) sub.next = event.seq
        if (event.seq === sub.next) await this.send(sub, event)
      }
    }
  }

  private load(after: number, upTo: number): Promise<TaskEvent[]> {
    const db = databaseOf(configOf(this.env))
    const bound = Number.isFinite(upTo) ? upTo : undefined
    return readEvents(db, this.tenantId as string, this.taskId as string, after, {
      upToSeq: bound,
    })
  }

  /** The bytes of `event` in `view`, written the first time a subscriber needs them. */
  private bytesOf(view: StreamView, event: TaskEvent): Uint8Array | undefined {
    let views = this.written.get(event)
    if (!views) {
      views = new Map()
      this.written.set(event, views)
    }
    if (!views.has(view)) {
      const text = viewText(view, this.taskId as string, event)
      views.set(view, text === undefined ? undefined : encoder.encode(text))
    }
    return views.get(view)
  }

  /**
   * SSE views go straight to clients through proxies that drop quiet connections: a comment
   * every 15 s while any is open (NDJSON readers in the Worker send their own).
   */
  private keepAlive() {
    this.keepalives ??= setInterval(() => {
      const sse = [...this.subscribers].filter((s) => s.view !== 'ndjson')
      if (sse.length === 0 && this.keepalives !== undefined) {
        clearInterval(this.keepalives)
        this.keepalives = undefined
      }
      for (const sub of sse) sub.writer.write(keepalive).catch(() => this.close(sub))
    }, KEEPALIVE_MS)
  }

  private async send(sub: Subscriber, event: TaskEvent) {
    try {
      const bytes = this.bytesOf(sub.view, event)
      if (bytes) await sub.writer.write(bytes)
      sub.next = event.seq + 1
      if (isTerminalEvent(event)) await this.close(sub)
    } catch {
      await this.close(sub) // the reader went away
    }
  }

  private async fail(sub: Subscriber, err: unknown) {
    if (this.leave(sub)) await sub.writer.abort(err).catch(() => {})
  }

  private async close(sub: Subscriber) {
    if (this.leave(sub)) await sub.writer.close().catch(() => {})
  }

  /** Removes sub once; the last one out clears the flag so later changes skip this object. */
  private leave(sub: Subscriber): boolean {
    if (sub.closed) return false
    sub.closed = true
    this.subscribers.delete(sub)
    if (this.subscribers.size === 0) this.syncWatched().catch(() => {})
    return true
  }
}
