import { readEvents, setWatched, type TaskEvent } from '../src/domain/task-model/events'
import { isTerminalEvent } from '../src/domain/task-model/states'
import { STREAM_VIEWS, type StreamView, viewText } from '../src/domain/task-model/stream-views'
import { configOf, type Env } from '../src/env'
import { SSE_KEEPALIVE } from '../src/lib/sse'
import { databaseOf } from '../src/storage/postgres/client'
import { type Channel, Fanout } from './fanout'
import { LiveObject } from './live-object'

/** A subscriber's place: its view, and the next seq it must receive (all below were sent). */
interface Place {
  view: StreamView
  next: number
  /** Deliveries to one subscriber run one after another, in seq order. */
  chain: Promise<void>
}
type Subscriber = Channel<Place>

const RING_SIZE = 256
const encoder = new TextEncoder()

/**
 * One per task: fans the task's events out to every subscriber, each exactly once and in
 * order. Events are committed to Postgres before they are published here, so a subscriber
 * that is behind (it reconnected with Last-Event-ID, or an event overtook another on its way
 * here) is filled in from a ring of recent events or from task_events: no gap, no duplicate.
 *
 * Named `tenant/task`. `subscribe(after, view)` streams the events with seq > after in that
 * view (stream-views.ts); the stream ends after a terminal status. An event is written once
 * per view, whatever the number of subscribers.
 */
export class TaskStream extends LiveObject<Env> {
  protected override readonly kind = 'task-stream'
  private ring: TaskEvent[] = []
  /**
   * SSE views go straight to clients through proxies that drop quiet connections, so they
   * get keepalives; NDJSON readers in the Worker send their own. The last one out clears
   * the task's flag, so later changes skip this object.
   */
  private readonly subscribers = new Fanout<Place>({
    keepalive: (sub) => (sub.meta.view === 'ndjson' ? undefined : SSE_KEEPALIVE),
    left: () => {
      if (this.subscribers.size === 0) this.syncWatched().catch(() => {})
    },
  })
  /** What this object last wrote to the task's `watched` flag (undefined: not since start). */
  private flagged: boolean | undefined
  /** Writes of the flag run one after another, each writing the state at its turn. */
  private flagging: Promise<void> = Promise.resolve()
  /** Each event's bytes per view, written once (undefined: the view does not show it). */
  private readonly written = new WeakMap<TaskEvent, Map<StreamView, Uint8Array | undefined>>()

  /**
   * Called by the app after the events' transaction committed, when the task is watched.
   * With nobody left to tell, the flag is cleared so later changes skip this object.
   */
  async publish(events: TaskEvent[]): Promise<void> {
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      this.remember(event)
      for (const sub of this.subscribers) this.deliver(sub, event)
    }
    if (this.subscribers.size === 0) await this.syncWatched().catch(() => {})
  }

  subscriberCount(): number {
    return this.subscribers.size
  }

  /** The task's events after `after`, in `view`: replay, then live, ending after a terminal one. */
  async subscribe(after: number, view: StreamView): Promise<ReadableStream<Uint8Array>> {
    if (!Number.isInteger(after) || after < 0) throw new Error('after must be a whole number ≥ 0')
    if (!STREAM_VIEWS.includes(view)) throw new Error(`view must be one of ${STREAM_VIEWS}`)
    const place: Place = { view, next: after + 1, chain: Promise.resolve() }
    const { channel: sub, readable } = this.subscribers.open(place)
    // Flag the task watched, then catch up on everything committed so far; live events
    // queue behind this on the chain. If either fails the stream errors, and the client
    // resumes from its last event.
    place.chain = this.syncWatched()
      .then(() => this.catchUp(sub, Number.POSITIVE_INFINITY))
      .catch((err) => this.subscribers.abort(sub, err))
    return readable
  }

  /** The tenant and task this object serves, from its name. */
  private get task(): { tenantId: string; taskId: string } {
    const [tenantId = '', taskId = ''] = this.name.split('/')
    return { tenantId, taskId }
  }

  private syncWatched(): Promise<void> {
    const turn = this.flagging.then(async () => {
      const watched = this.subscribers.size > 0
      if (this.flagged === watched) return
      const { tenantId, taskId } = this.task
      await setWatched({ db: databaseOf(configOf(this.env)), tenantId }, taskId, watched)
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
    const place = sub.meta
    place.chain = place.chain
      .then(async () => {
        if (sub.closed || event.seq < place.next) return
        if (event.seq > place.next) await this.catchUp(sub, event.seq - 1)
        if (event.seq === place.next) await this.send(sub, event)
      })
      .catch((err) => this.subscribers.abort(sub, err))
  }

  /** Sends sub every event from sub.next up to `upTo`, from the ring when it has them. */
  private async catchUp(sub: Subscriber, upTo: number) {
    const place = sub.meta
    while (!sub.closed && place.next <= upTo) {
      const first = this.ring[0]
      const events =
        first && first.seq <= place.next
          ? this.ring.filter((e) => e.seq >= place.next && e.seq <= upTo)
          : await this.load(place.next - 1, upTo)
      if (events.length === 0) return
      for (const event of events) {
        // Retention removed the events before this one (a finished task keeps its last).
        if (event.seq > place.next) place.next = event.seq
        if (event.seq === place.next) await this.send(sub, event)
      }
    }
  }

  private load(after: number, upTo: number): Promise<TaskEvent[]> {
    const { tenantId, taskId } = this.task
    const bound = Number.isFinite(upTo) ? upTo : undefined
    return readEvents({ db: databaseOf(configOf(this.env)), tenantId }, taskId, after, {
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
      const text = viewText(view, this.task.taskId, event)
      views.set(view, text === undefined ? undefined : encoder.encode(text))
    }
    return views.get(view)
  }

  private async send(sub: Subscriber, event: TaskEvent) {
    const bytes = this.bytesOf(sub.meta.view, event)
    if (bytes && !(await this.subscribers.write(sub, bytes))) return // the reader went away
    sub.meta.next = event.seq + 1
    if (isTerminalEvent(event)) await this.subscribers.close(sub)
  }
}
