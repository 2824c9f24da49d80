import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { homedir, hostname } from 'node:os'
import { basename, join } from 'node:path'
import type { Settings } from '../config.js'
import { realPathOf } from '../executors/sandbox.js'
import { answer, HttpError, type Server, sleep } from '../http.js'
import { bold, log } from '../log.js'
import type { DiscoveredModel } from '../models/index.js'
import { PRIVATE } from '../private-fs.js'

/** What the worker offers, as the server lists it: read at each registration. */
export interface Offering {
  capabilities: string[]
  agents: string[]
  models: DiscoveredModel[]
}

type Named = { name: string; description: string }

const addedFile = (stateDir: string) => join(stateDir, 'added-codebases.json')

/** The codebases tasks registered in earlier runs, those still directories here. */
function loadAdded(stateDir: string): Map<string, Named> {
  const added = new Map<string, Named>()
  const file = addedFile(stateDir)
  if (!existsSync(file)) return added
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Partial<Named>>
    for (const [path, n] of Object.entries(kept)) {
      if (!existsSync(path) || !statSync(path).isDirectory()) {
        log.warn(`${path}, registered by a task, is gone: not served any more`)
        continue
      }
      added.set(path, {
        name: String(n.name ?? basename(path)),
        description: String(n.description ?? ''),
      })
    }
  } catch (err) {
    log.warn(`${file}: ${(err as Error).message}; codebases tasks registered are not served`)
  }
  return added
}

/** A codebase as it is registered. */
interface Wanted {
  path: string
  name: string
  description: string
  /** The home directory, for tasks that name no codebase. */
  global?: boolean
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
  /**
   * Codebases registered by a task (register_codebase, clone_repo): registered again too, on
   * a reconnect and after a restart.
   */
  private readonly added: Map<string, Named>
  /** The registration under way, if one is: a stop waits for it before unregistering. */
  private registering?: Promise<void>
  private connects = 0

  constructor(
    private readonly server: Server,
    private readonly id: string,
    private readonly s: Settings,
    private readonly offering: () => Offering,
    /** Once aborted, nothing more is registered: the worker's work is done and it leaves. */
    private readonly leaving: AbortSignal,
  ) {
    this.added = loadAdded(s.stateDir)
  }

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

  /**
   * The worker and its codebases, registered anew: ids the server no longer gives (a
   * workspace deleted meanwhile) are dropped. Every codebase is tried; the first refusal is
   * thrown after the others are registered.
   */
  register(): Promise<void> {
    const registering = this.registerAll()
    this.registering = registering.catch(() => {})
    return registering
  }

  /** Until any registration under way is over. */
  async settled(): Promise<void> {
    await this.registering
  }

  /**
   * The task stream (re)connected. It named the codebases known when it connected: after a
   * reconnect they are registered again, and the stream told the ids they have now. The first
   * connect follows the registration at start, so it needs neither.
   */
  async connected(): Promise<void> {
    if (this.connects++ === 0) return
    await this.registerAndRoute()
  }

  /** Registered anew, and the open stream told what did register, even if some did not. */
  private async registerAndRoute() {
    try {
      await this.register()
    } finally {
      await this.route()
    }
  }

  private async registerAll() {
    if (this.leaving.aborted) return
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
    const wanted: Wanted[] = [
      ...this.s.codebases.map((path) => ({ path, name: basename(path), description: '' })),
      ...[...this.added]
        .filter(([path]) => !this.s.codebases.includes(path))
        .map(([path, named]) => ({ path, ...named })),
    ]
    if (this.s.global) {
      const home = realPathOf(homedir())
      const description = `${this.s.name}'s home directory`
      wanted.push({ path: home, name: 'global', description, global: true })
    }
    const fresh = new Map<string, string>()
    let refused: Error | undefined
    for (const w of wanted) {
      if (this.leaving.aborted) return
      try {
        fresh.set(await this.registerPath(w), w.path)
        if (w.global) this.globalPath = w.path
      } catch (err) {
        // Kept under the id it had: a server away for a moment drops no codebase here.
        const before = [...this.codebases].find(([, path]) => path === w.path)
        if (before) fresh.set(...before)
        log.warn(`registering ${w.path}: ${(err as Error).message}`)
        refused ??= err as Error
      }
    }
    // A codebase a task registered meanwhile (not in `wanted`) keeps its id.
    const paths = new Set(wanted.map((w) => w.path))
    for (const [id, path] of this.codebases) if (!paths.has(path)) fresh.set(id, path)
    this.codebases.clear()
    for (const [id, path] of fresh) this.codebases.set(id, path)
    if (refused) throw refused
  }

  /** A codebase a task registers: routed to this worker's open stream at once. */
  async registerCodebase(path: string, name: string, description: string) {
    const id = await this.registerPath({ path, name, description })
    this.codebases.set(id, path)
    if (!this.s.codebases.includes(path)) {
      this.added.set(path, { name, description })
      writeFileSync(
        addedFile(this.s.stateDir),
        JSON.stringify(Object.fromEntries(this.added)),
        PRIVATE,
      )
    }
    await this.route()
    return id
  }

  private async registerPath({ path, name, description, global }: Wanted) {
    const res = await answer(
      this.server.api.POST('/v1/agent/codebases', {
        body: { name, path, description, worker_id: this.id, ...(global ? { global } : {}) },
      }),
    )
    // Without a worker_id the server would queue the registration instead (`pending`).
    const id = 'workspace' in res ? res.workspace.id : undefined
    if (!id) throw new Error(`registering ${path} returned no id`)
    return id
  }

  /** The open task stream told which codebases it is sent tasks of (none open: nothing to do). */
  private async route() {
    try {
      await answer(
        this.server.api.PUT('/v1/worker/codebases', {
          headers: { 'X-Worker-ID': this.id },
          body: { worker_id: this.id, codebases: this.codebaseIds() },
        }),
      )
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 404))
        log.warn(`routing codebases to the task stream: ${(err as Error).message}`)
    }
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
        // The server forgot this worker (unregistered, or its row lost): register it anew.
        if (err instanceof HttpError && err.status === 404)
          await this.registerAndRoute().catch(() => {})
      }
    }
  }
}
