/**
 * Keeps the server's copy of this worker's sessions current: every store's sessions of each
 * codebase it serves, and the messages of those that changed since the last pass. A pass
 * runs every minute, every two seconds while a task runs, and right after a task ends.
 * Upserts are idempotent, so a restarted worker simply syncs everything once more.
 */
import { type Server, sleep } from '../http.js'
import { log } from '../log.js'
import { redactMessage } from './redact.js'
import type { SessionStore } from './types.js'

const IDLE_MS = 60_000
const BUSY_MS = 2_000

export class SessionSync {
  private readonly synced = new Map<string, number>()
  private passing: Promise<void> | undefined
  private again = false

  constructor(
    private readonly server: Server,
    private readonly workerId: string,
    private readonly stores: SessionStore[],
    /** codebase id → path, as the worker registered them */
    private readonly codebases: () => Map<string, string>,
    private readonly busy: () => boolean,
  ) {}

  /** The background loop, until `signal` aborts. */
  async run(signal: AbortSignal) {
    while (!signal.aborted) {
      await this.pass()
      await sleep(this.busy() ? BUSY_MS : IDLE_MS, signal)
    }
  }

  /** One pass now (a task just ended); joins a pass already running. */
  pass(): Promise<void> {
    if (this.passing) {
      this.again = true
      return this.passing
    }
    this.passing = this.syncAll()
      .catch((err) => log.warn(`session sync: ${(err as Error).message}`))
      .finally(() => {
        this.passing = undefined
        if (this.again) {
          this.again = false
          void this.pass()
        }
      })
    return this.passing
  }

  private async syncAll() {
    for (const [codebaseId, path] of this.codebases()) {
      for (const store of this.stores) {
        const found = store.list(path)
        if (!found.length) continue
        const changed = found.filter(
          (f) => (this.synced.get(key(store, f.session.id)) ?? -1) < f.changedAt,
        )
        if (!changed.length) continue
        // In batches: the server bounds a request and the sessions synced per minute, and a
        // refused batch leaves the ones before it synced, so the next pass goes on from there.
        for (let i = 0; i < changed.length; i += BATCH) {
          const batch = changed.slice(i, i + BATCH)
          await this.server.api.POST('/v1/agent/codebases/{id}/sessions/sync', {
            params: { path: { id: codebaseId } },
            body: { worker_id: this.workerId, sessions: batch.map((f) => f.session) },
          })
          for (const f of batch) {
            const messages = store.messages(path, f.session.id).map(redactMessage)
            if (messages.length) {
              await this.server.api.POST('/v1/agent/codebases/{id}/sessions/{sid}/messages/sync', {
                params: { path: { id: codebaseId, sid: f.session.id } },
                body: { worker_id: this.workerId, messages },
              })
            }
            this.synced.set(key(store, f.session.id), f.changedAt)
          }
        }
      }
    }
  }
}

/** Sessions per sync request. */
const BATCH = 100

const key = (store: SessionStore, id: string) => `${store.name}:${id}`
