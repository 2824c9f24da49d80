import type { TaskEvent } from '../task-model/events'

/**
 * The events of a task a built-in agent answers in this isolate, for the stream that asked
 * for it (SendStreamingMessage): read here, they need no TaskStream subscription, the
 * costliest part of such a stream. Every change announced in this isolate while the agent
 * works reaches it (the agent's, a cancel's); the reader takes them in seq order and, when the
 * feed ends short of what it waits for, goes on from the TaskStream, which replays the rest
 * from task_events. Anyone else follows the task through its TaskStream.
 */
export class LocalFeed {
  /** A feed of events already made (a task answered in its own insert): ended. */
  static of(events: TaskEvent[]): LocalFeed {
    const feed = new LocalFeed()
    feed.push(events)
    feed.end()
    return feed
  }

  private readonly bySeq = new Map<number, TaskEvent>()
  private ended = false
  private wake: (() => void) | undefined

  push(events: TaskEvent[]) {
    for (const e of events) this.bySeq.set(e.seq, e)
    this.wake?.()
  }

  end() {
    this.ended = true
    this.wake?.()
  }

  /**
   * The events after `afterSeq` in seq order, as they come, until the agent is done or
   * `signal` aborts; a gap (a change announced elsewhere) waits for the end.
   */
  async *read(afterSeq: number, signal?: AbortSignal): AsyncGenerator<TaskEvent> {
    const stop = () => this.wake?.()
    signal?.addEventListener('abort', stop)
    try {
      for (let next = afterSeq + 1; ; ) {
        for (let e = this.bySeq.get(next); e; e = this.bySeq.get(++next)) yield e
        if (this.ended || signal?.aborted) return
        await new Promise<void>((resolve) => {
          this.wake = resolve
        })
        this.wake = undefined
      }
    } finally {
      signal?.removeEventListener('abort', stop)
    }
  }
}

const feeds = new Map<string, LocalFeed>()
const keyOf = (tenantId: string, taskId: string) => `${tenantId}/${taskId}`

/** A feed for a task about to be answered here, open until the agent is done. */
export function openLocalFeed(tenantId: string, taskId: string): LocalFeed {
  const feed = new LocalFeed()
  feeds.set(keyOf(tenantId, taskId), feed)
  return feed
}

/** The feed of a task being answered in this isolate, if it is. */
export const localFeedOf = (tenantId: string, taskId: string) => feeds.get(keyOf(tenantId, taskId))

/** The agent is done: the feed ends and is dropped. */
export function endLocalFeed(tenantId: string, taskId: string, feed: LocalFeed) {
  feed.end()
  const key = keyOf(tenantId, taskId)
  if (feeds.get(key) === feed) feeds.delete(key)
}
