import { homedir } from 'node:os'
import type { Settings } from '../config.js'
import { chooseSandbox } from '../executors/bwrap.js'
import { codingCliExecutors } from '../executors/coding-cli.js'
import { type ExecutorChoice, executors, pick, usable } from '../executors/index.js'
import { privatePaths } from '../executors/private-paths.js'
import { killGroup } from '../executors/process.js'
import type { Executor, ServerApproval, TaskSpec } from '../executors/types.js'
import type { components } from '../generated/rest-api.js'
import { answer, Server, sleep } from '../http.js'
import { bold, log } from '../log.js'
import { type DiscoveredModel, modelSources } from '../models/index.js'
import { claudeStore } from '../sessions/claude-store.js'
import { codexStore } from '../sessions/codex-store.js'
import { llmStore } from '../sessions/llm-store.js'
import { opencodeStore } from '../sessions/opencode-store.js'
import { SessionSync } from '../sessions/sync.js'
import { Backlog, type Granted, type Wish } from './backlog.js'
import { lockStateDir, workerIdentity } from './identity.js'
import { Presence } from './presence.js'
import { type Running, recoverLeftovers, runTask, scratchDir } from './runner.js'
import { type OfferedTask, TaskFeed } from './task-feed.js'

type WorkerClaim = components['schemas']['WorkerClaim']

const VERSION_CAPABILITIES = ['codetether-worker', 'build', 'command']

/**
 * The worker: registers itself and its codebases, holds the task feed, claims what it can
 * run up to its concurrency, and on SIGTERM stops taking work, lets running tasks finish
 * for a grace period, hands back the rest and flushes everything it owes the server.
 */
export class Worker {
  readonly id: string
  private readonly server: Server
  private readonly backlog = new Backlog()
  private readonly running = new Map<string, Running>()
  private readonly stopping = new AbortController()
  private readonly beating = new AbortController()
  private readonly choice: ExecutorChoice
  private readonly executors: Map<string, Executor>
  private feed?: TaskFeed
  private starting?: Promise<void>
  private unlock?: () => void
  private readonly sessions: SessionSync
  private readonly sources: ReturnType<typeof modelSources>
  /** What the providers this machine has keys for offer (discovered at start). */
  private models: DiscoveredModel[] = []
  private readonly presence: Presence

  /** `configFlag`: the --config file given, hidden from tasks like the default one. */
  constructor(
    private readonly s: Settings,
    configFlag?: string,
  ) {
    this.id = workerIdentity(s.stateDir)
    this.server = new Server({ server: s.server, token: s.token })
    this.sources = modelSources(process.env)
    this.presence = new Presence(
      this.server,
      this.id,
      s,
      () => ({ capabilities: this.capabilities, agents: this.agents, models: this.models }),
      // Registered again (a heartbeat's 404) while tasks still run in the grace, not after.
      this.beating.signal,
    )
    this.choice = {
      configured: s.executor,
      defaultModel: s.model,
      sessionsDir: `${s.stateDir}/sessions`,
      // Keys the user gave opencode serve the LLM loop too (child processes never see keys).
      env: this.sources.llmEnv,
      sandbox: chooseSandbox(
        s.sandbox,
        s.sandboxRead,
        process.env,
        (msg) => log.warn(msg),
        privatePaths(s, process.env, configFlag),
      ),
      host: {
        roots: () => s.codebases,
        register: (path, name, description) =>
          this.presence.registerCodebase(path, name, description),
      },
    }
    this.executors = executors(this.choice)
    this.sessions = new SessionSync(
      this.server,
      this.id,
      [
        llmStore(this.choice.sessionsDir),
        claudeStore(homedir()),
        codexStore(process.env),
        opencodeStore(process.env),
      ],
      () => this.presence.codebases,
      () => this.running.size > 0,
    )
  }

  private get capabilities() {
    return [...new Set([...VERSION_CAPABILITIES, ...usable(this.choice), ...this.s.capabilities])]
  }

  /** The coding CLIs installed here: the agents a task may be sent to (target_agent_name). */
  private get agents() {
    return Object.keys(codingCliExecutors).filter((n) => usable(this.choice).includes(n))
  }

  /** Starts once; a stop waits for the start to be over before it unlocks the state dir. */
  start(): Promise<void> {
    this.starting ??= this.begin()
    return this.starting
  }

  private async begin() {
    this.unlock = lockStateDir(this.s.stateDir)
    log.info(
      `worker ${bold(this.id)} (${this.s.name}) → ${this.server.base}, sandbox ${this.choice.sandbox.name}`,
    )
    await recoverLeftovers(
      this.deps(),
      (pgid) => {
        killGroup(pgid, 'SIGKILL')
      },
      this.stopping.signal,
    )
    this.models = await this.sources.discover(usable(this.choice))
    await this.presence.untilRegistered(this.stopping.signal)
    if (this.stopping.signal.aborted) return
    await this.presence.handBack()
    this.feed = new TaskFeed(
      this.server,
      {
        workerId: this.id,
        name: this.s.name,
        codebaseIds: () => this.presence.codebaseIds(),
        capabilities: this.capabilities,
        agents: this.agents,
      },
      {
        offer: (t) => this.offer(t),
        cancel: (id, reason) => {
          const r = this.running.get(id)
          if (r) log.info(`task ${bold(id)}: ${reason} by the server, stopping`)
          r?.stop('cancelled')
        },
        connected: () =>
          this.presence.connected().catch((e) => log.warn(`re-register: ${e.message}`)),
      },
      this.s.pollSeconds,
    )
    this.feed.start(this.stopping.signal)
    // Beyond the stop, until the last task is done: heartbeats hold the running tasks' leases.
    void this.presence.heartbeats(this.beating.signal, () => [
      ...this.running.keys(),
      ...this.backlog.inFlight(),
    ])
    void this.sessions.run(this.stopping.signal)
  }

  private deps() {
    return {
      server: this.server,
      workerId: this.id,
      stateDir: this.s.stateDir,
      approval: this.s.autoApprove,
      choice: this.choice,
      executors: this.executors,
      // The report of a finished task claims the next one in the same request.
      next: {
        want: () => (this.stopping.signal.aborted ? undefined : this.backlog.take(1)),
        got: (wish: Wish, granted: Granted | undefined) =>
          this.run(this.backlog.settle(wish, granted, true)),
      },
    }
  }

  /** An advisory offer: queued locally, claimed when a slot is free. */
  private offer(t: OfferedTask) {
    if (this.stopping.signal.aborted || this.running.has(t.id) || this.backlog.has(t.id)) return
    if (!this.presence.pathOf(t.codebase_id)) return
    // A task this worker has no executor for is left to one that has.
    if (typeof pick(this.spec(t, 0, []), this.choice, this.executors) === 'string') return
    this.backlog.add(t)
    this.pump()
  }

  /** Free slots and offers waiting: one claim naming the best offers, for all those slots. */
  private pump() {
    while (!this.stopping.signal.aborted) {
      const free = this.s.concurrency - this.running.size - this.backlog.reserved
      const wish = this.backlog.take(free)
      if (!wish) return
      void this.claim(wish)
    }
  }

  private async claim(wish: Wish) {
    let granted: Granted | undefined
    try {
      granted = await answer(
        this.server.api.POST('/v1/worker/tasks/claims', {
          headers: { 'X-Worker-ID': this.id },
          body: { task_ids: wish.offers.map((o) => o.id), max: wish.max },
        }),
      )
    } catch (err) {
      // Polling offers them again.
      log.warn(`claiming ${wish.offers.length} offered task(s): ${(err as Error).message}`)
    }
    this.run(this.backlog.settle(wish, granted))
    this.pump()
  }

  /** Claimed tasks: each runs, and its slot goes to the backlog when it is done. */
  private run(claimed: { offer: OfferedTask; claim: WorkerClaim }[]) {
    for (const { offer, claim } of claimed) {
      // Claimed while stopping: handed straight back to the queue, not run unwatched.
      if (this.stopping.signal.aborted) {
        void this.server.api
          .POST('/v1/worker/tasks/release', {
            headers: { 'X-Worker-ID': this.id },
            body: { task_id: offer.id, worker_id: this.id, attempt: claim.attempt },
          })
          .catch(() => {}) // else its lease lapses and the reaper requeues it
        continue
      }
      const spec = this.spec({ ...offer, ...claim.task }, claim.attempt, claim.approvals)
      const running = runTask(this.deps(), spec)
      this.running.set(offer.id, running)
      void running.done.finally(() => {
        this.running.delete(offer.id)
        this.pump()
        void this.sessions.pass() // the conversation the task just had, at once
      })
    }
  }

  /** What an executor sees of an offered or claimed task. */
  private spec(t: OfferedTask, attempt: number, approvals: ServerApproval[]): TaskSpec {
    const meta = t.metadata ?? {}
    return {
      id: t.id,
      attempt,
      title: t.title ?? '',
      prompt: t.prompt ?? '',
      agentType: t.agent_type ?? 'build',
      targetAgent: t.target_agent_name ?? undefined,
      model: t.model_ref ? t.model_ref.replace(':', '/') : undefined,
      metadata: meta,
      codebaseId: t.codebase_id,
      codebasePath: this.presence.pathOf(t.codebase_id) ?? scratchDir(this.s.stateDir, t.id),
      resumeSessionId: sessionIdOf(meta.resume_session_id),
      approvals,
    }
  }

  /** SIGTERM: no new work; running tasks get `graceMs` to finish, then are handed back. */
  async stop(graceMs: number) {
    if (this.stopping.signal.aborted) return
    this.stopping.abort()
    this.backlog.clear()
    const all = [...this.running.values()]
    if (all.length)
      log.info(`stopping: waiting up to ${graceMs / 1000} s for ${all.length} task(s)`)
    const graceOver = new AbortController()
    await Promise.race([Promise.all(all.map((r) => r.done)), sleep(graceMs, graceOver.signal)])
    graceOver.abort()
    for (const r of this.running.values()) r.stop('shutdown')
    // What cannot be sent in 10 s more (the server is away) waits in the journal.
    const flushOver = new AbortController()
    await Promise.race([Promise.all(all.map((r) => r.done)), sleep(10_000, flushOver.signal)])
    for (const r of this.running.values()) r.abandon()
    await Promise.all(all.map((r) => r.done))
    this.beating.abort()
    // A registration under way (a reconnect's) lands before the unregister, not after it.
    await Promise.race([this.presence.settled(), sleep(3000, flushOver.signal)])
    await Promise.race([
      this.server.api
        .POST('/v1/agent/workers/{id}/unregister', { params: { path: { id: this.id } } })
        .catch(() => {}),
      sleep(3000, flushOver.signal),
    ])
    flushOver.abort()
    // Journals a start is still replaying are its to finish before another run may take them.
    await this.starting?.catch(() => {})
    this.unlock?.()
  }
}

/**
 * A session id as the coding CLIs and the LLM loop name them (UUIDs, `ses_…`, `llm-…`). It
 * becomes a CLI argument and a file name, so anything else (a leading `-` would be read as
 * a flag such as `--mcp-config`, a `/` as a path) is no session id and is not passed on.
 */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/
const sessionIdOf = (v: unknown) =>
  typeof v === 'string' && SESSION_ID.test(v) && !v.includes('..') ? v : undefined
