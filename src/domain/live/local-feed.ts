import type { TaskEvent } from '../task-model/events'

/**
 * The events of a task a built-in agent answers in this isolate, for the stream that asked
 * for it (SendStreamingMessage): read here, they need no TaskStream subscription, the
 * costliest part of such a stream. Anyone else follows the task through its TaskStream, which
 * replays what it missed from task_events.
 */
export class LocalFeed {
  private readonly events: TaskEvent[] = []
  private ended = false
  private wake: (() => void) | undefined

  push(events: TaskEvent[]) {
    this.events.push(...events)
    this.wake?.()
  }

  end() {
    this.ended = true
    this.wake?.()
  }

  /** The events after `afterSeq`, as they come, until the agent is done or `signal` aborts. */
  async *read(afterSeq: number, signal?: AbortSignal): AsyncGenerator<TaskEvent> {
    let next = 0
    for (;;) {
      while (next < this.events.length) {
        const event = this.events[next++] as TaskEvent
        if (event.seq > afterSeq) yield event
      }
      if (this.ended || signal?.aborted) return
      await new Promise<void>((resolve) => {
        this.wake = resolve
        signal?.addEventListener('abort', () => resolve(), { once: true })
      })
      this.wake = undefined
    }
  }
}

const feeds = new Map<string, LocalFeed>()
const keyOf = (tenantId: string, taskId: string) => `${tenantId}/${taskId}`

/** A feed for a task about to be answered here; the request that streams it takes it. */
export function openLocalFeed(tenantId: string, taskId: string): LocalFeed {
  const feed = new LocalFeed()
  feeds.set(keyOf(tenantId, taskId), feed)
  return feed
}

/** The feed of a task answered here, once: the one stream that asked for it. */
export function takeLocalFeed(tenantId: string, taskId: string): LocalFeed | undefined {
  const key = keyOf(tenantId, taskId)
  const feed = feeds.get(key)
  feeds.delete(key)
  return feed
}

/** The agent is done: the feed ends, and is dropped if no stream took it. */
export function endLocalFeed(tenantId: string, taskId: string, feed: LocalFeed) {
  feed.end()
  const key = keyOf(tenantId, taskId)
  if (feeds.get(key) === feed) feeds.delete(key)
}
