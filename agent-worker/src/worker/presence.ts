import { homedir, hostname } from 'node:os'
import { basename } from 'node:path'
import type { Settings } from '../config.js'
import { realPathOf } from '../executors/sandbox.js'
import { answer, HttpError, type Server, sleep } from '../http.js'
import { bold, log } from '../log.js'
import type { DiscoveredModel } from '../models/index.js'

/** What the worker offers, as the server lists it: read at each registration. */
export interface Offering {
  capabilities: string[]
  agents: string[]
  models: DiscoveredModel[]
}

/**
 * What the server knows of this worker: the worker and its codebases (registered again after
 * each reconnect, so the server's view stays fresh), heartbeats naming what runs here, and
 * the claims an earlier run of it never started, handed back.
 */
export class Presence {
  /** Registered codebases: the server's id → the path here. */
  readonly codebases = new Map<string, string>()
  /** The home directory, once registered as this worker's global codebase. */
  globalPath?: string

  constructor(
    private readonly server: Server,
    private readonly id: string,
    private readonly s: Settings,
    private readonly offering: () => Offering,
  ) {}

  /** The codebases the server may send this worker tasks of: registered ones, and its home. */
  codebaseIds(): string[] {
    return [...this.codebases.keys(), ...(this.s.global ? ['global'] : [])]
  }

  /** Where a task of this codebase runs here, if it is one of this worker's. */
  pathOf(codebaseId: string): string | undefined {
    return codebaseId === 'global' ? this.globalPath : this.codebases.get(codebaseId)
  }

  /** Registers, retrying while the server is away; a refusal (4xx) is thrown. */
  async untilRegistered(signal: AbortSignal) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.register()
      } catch (err) {
        if (err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 429)
          throw err
        if (attempt === 0)
          log.warn(`server not reachable yet (${(err as Error).message}); retrying`)
        await sleep(Math.min(10_000, 500 * 2 ** attempt), signal)
        if (signal.aborted) return
      }
    }
  }

  /**
   * Claims the server made as this worker's last run was stopped, which it never journalled
   * and so never ran: back to the queue now, their attempts unspent, not after their lease.
   */
  async handBack() {
    try {
      const { data } = await this.server.api.POST('/v1/worker/tasks/hand-back', {
        headers: { 'X-Worker-ID': this.id },
        body: { worker_id: this.id },
      })
      for (const id of data?.task_ids ?? []) {
        log.info(`task ${bold(id)}: claimed as the last run stopped, never started; handed back`)
      }
    } catch (err) {
      log.warn(`hand-back: ${(err as Error).message}; those tasks wait for their leases`)
    }
  }

  /** The worker and its codebases. */
  async register() {
    const { capabilities, agents, models: discovered } = this.offering()
    // The configured default first; ids and providers only, never a key.
    const configured = this.s.model ? [{ id: this.s.model, name: this.s.model }] : []
    const models = [...configured, ...discovered.filter((m) => m.id !== this.s.model)]
    await this.server.api.POST('/v1/agent/workers/register', {
      body: {
        worker_id: this.id,
        name: this.s.name,
        hostname: hostname(),
        capabilities,
        models,
        agents,
      },
    })
    for (const path of this.s.codebases) await this.registerCodebase(path, basename(path), '')
    if (this.s.global) {
      const home = realPathOf(homedir())
      await this.registerCodebase(home, 'global', `${this.s.name}'s home directory`, true)
      this.globalPath = home
    }
  }

  async registerCodebase(path: string, name: string, description: string, global = false) {
    const res = await answer(
      this.server.api.POST('/v1/agent/codebases', {
        body: { name, path, description, worker_id: this.id, ...(global ? { global } : {}) },
      }),
    )
    // Without a worker_id the server would queue the registration instead (`pending`).
    const id = 'workspace' in res ? res.workspace.id : undefined
    if (!id) throw new Error(`registering ${path} returned no id`)
    this.codebases.set(id, path)
    return id
  }

  /** Until `signal`: a heartbeat naming `running()`, the first at once. */
  async heartbeats(signal: AbortSignal, running: () => string[]) {
    // The first one at once: a restarted worker tells the server straight away what it no
    // longer runs, whatever its lifetime.
    for (let first = true; !signal.aborted; first = false) {
      if (!first) await sleep(this.s.heartbeatSeconds * 1000, signal)
      if (signal.aborted) return
      try {
        // Naming what runs here lets leases granted to an earlier run of this worker lapse.
        await this.server.api.POST('/v1/agent/workers/{id}/heartbeat', {
          params: { path: { id: this.id } },
          body: { running: running() },
        })
      } catch (err) {
        if (err instanceof HttpError && err.status === 404) await this.register().catch(() => {})
      }
    }
  }
}
