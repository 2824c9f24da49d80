import type { paths } from '../generated/rest-api.js'
import { answer, type HttpError, isUnreachable, type Server, sleep } from '../http.js'
import { log } from '../log.js'
import type { Granted, Wish } from './backlog.js'
import type { Entry, Outcome, TaskJournal } from './journal.js'

/** What the worker tells the server when a task's run is over. */
type Release =
  paths['/v1/worker/tasks/release']['post']['requestBody']['content']['application/json']

/** A finished task's report may claim the worker's next work in the same round trip. */
export interface NextWork {
  /** Offers for the slot this task frees, if any wait. */
  want(): Wish | undefined
  /** What came of them (undefined: the report failed, and may ask again when retried). */
  got(wish: Wish, granted: Granted | undefined): void
}

const MAX_BATCH_LINES = 200
const MAX_BATCH_BYTES = 256 * 1024

/**
 * Sends a task's journal to the server in order: output in batches as it is produced, then
 * the outcome. A server that is down is retried with backoff until it answers; nothing is
 * acknowledged before the server stored it. A refusal (the task was cancelled, requeued or
 * its lease lost) drops the output the server will never take and tells the runner to stop.
 */
export class Delivery {
  private wake: (() => void) | undefined
  private failures = 0
  private readonly abandoned = new AbortController()
  /** Resolves when everything is delivered, or when abandoned (the rest stays in the journal). */
  readonly settled: Promise<void>

  constructor(
    private readonly server: Server,
    private readonly workerId: string,
    private readonly journal: TaskJournal,
    private readonly onRefused: (reason: string) => void,
    private readonly next?: NextWork,
  ) {
    this.settled = this.run()
  }

  /** New entries in the journal. */
  kick() {
    this.wake?.()
  }

  /** Stops trying (shutdown with the server away): the journal keeps the rest for next start. */
  abandon() {
    this.abandoned.abort()
    this.wake?.()
  }

  private async run() {
    while (!this.abandoned.signal.aborted) {
      const pending = this.journal.pending()
      if (pending.length === 0) {
        if (this.journal.finished) return
        await new Promise<void>((resolve) => {
          this.wake = resolve
        })
        this.wake = undefined
        continue
      }
      try {
        this.journal.ack(await this.send(pending))
        this.failures = 0
      } catch (err) {
        if (isUnreachable(err)) {
          const wait = Math.min(5000, 200 * 2 ** this.failures++)
          if (this.failures === 1) log.warn(`server unreachable, keeping output: ${message(err)}`)
          await sleep(wait, this.abandoned.signal)
          continue
        }
        this.refused(pending, err as HttpError)
      }
    }
  }

  /** Sends the oldest entries; answers how many the server now has. */
  private async send(pending: Entry[]): Promise<number> {
    const first = pending[0] as Entry
    const { taskId, attempt } = this.journal.meta
    if ('final' in first) {
      await this.report(first.final)
      return 1
    }
    const batch: { n: number; out: string }[] = []
    let bytes = 0
    for (const e of pending) {
      if (!('n' in e) || batch.length >= MAX_BATCH_LINES || bytes > MAX_BATCH_BYTES) break
      batch.push(e)
      bytes += e.out.length
    }
    await this.server.api.POST('/v1/agent/tasks/{id}/output', {
      params: { path: { id: taskId } },
      body: { worker_id: this.workerId, attempt, line: first.n, lines: batch.map((e) => e.out) },
    })
    return batch.length
  }

  private async report(outcome: Outcome) {
    const { taskId, attempt } = this.journal.meta
    const body: Release = { task_id: taskId, worker_id: this.workerId, attempt }
    if (outcome.status === 'completed')
      Object.assign(body, { status: 'completed', result: outcome.result })
    if (outcome.status === 'failed') Object.assign(body, { status: 'failed', error: outcome.error })
    if (outcome.status === 'input-required')
      Object.assign(body, { status: 'input-required', pending_action: outcome.pending })
    if ('sessionId' in outcome && outcome.sessionId) body.session_id = outcome.sessionId
    // A released task frees no slot for another (it goes back to the queue): no wish then.
    const wish = 'status' in body ? this.next?.want() : undefined
    if (wish) body.claim_next = { task_ids: wish.offers.map((o) => o.id), max: wish.max }
    let granted: Granted | undefined
    try {
      const res = await answer(
        this.server.api.POST('/v1/worker/tasks/release', {
          headers: { 'X-Worker-ID': this.workerId },
          body,
        }),
      )
      granted = { claims: res.claims ?? [], gone: res.gone ?? [] }
    } finally {
      if (wish) this.next?.got(wish, granted)
    }
  }

  private refused(pending: Entry[], err: HttpError) {
    const first = pending[0] as Entry
    const { taskId } = this.journal.meta
    if ('final' in first) {
      // The outcome cannot be recorded (already finished, cancelled or no longer ours):
      // whoever holds the task now decides; there is nothing left to retry.
      log.warn(`task ${taskId}: outcome not recorded: ${err.message}`)
      this.journal.ack(1)
      return
    }
    if (err.status === 409 || err.status === 404) {
      this.journal.dropOutput()
      this.onRefused(err.message)
      return
    }
    if (err.status === 413 && limitOf(err) === 'task_output_bytes') {
      // The task's output is full: the work goes on and its outcome is still reported, but
      // every later line would be refused the same way, so none is kept or sent.
      log.warn(
        `task ${taskId}: output limit reached, the rest of its output is dropped: ${err.message}`,
      )
      this.journal.closeOutput()
      return
    }
    // A batch the server calls malformed would block every later line: skip it, loudly.
    log.error(`task ${taskId}: output refused, skipped: ${err.message}`)
    this.journal.ack(1)
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** The limit a refusal names (the server's overLimit: error.details.limit). */
const limitOf = (err: HttpError) =>
  (err.body as { error?: { details?: { limit?: unknown } } } | undefined)?.error?.details?.limit
