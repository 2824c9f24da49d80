import { TtlCache } from '../src/auth/ttl-cache'
import type { WorkspaceEvent } from '../src/domain/live/workspace-events'
import { type TaskAvailable, taskAvailable, watchLeases } from '../src/domain/queue/dispatch'
import { modelKey } from '../src/domain/queue/workers'
import { listTasks } from '../src/domain/task-model/queries'
import { configOf } from '../src/env'
import { schedulerOf } from '../src/lib/live-objects'
import { log } from '../src/lib/log'
import { SSE_KEEPALIVE, sseBytes } from '../src/lib/sse'
import { type Channel, Fanout } from './fanout'
import { TenantObject } from './tenant-object'

/** A connected worker's task stream, as it introduced itself. */
export interface WorkerLine {
  workerId: string
  agentName: string
  codebases: string[]
  capabilities: string[]
  /** The coding CLIs it has (X-Agents): a task sent to one of them may go to it. */
  agents: string[]
  /** The models it registered (modelKeys): a task for a model goes to those that have it. */
  models: string[]
  /** The last event id it saw (Last-Event-ID): ids go on from there. */
  after: number
}

/**
 * Per stream: its routing and models (changed by PUT /v1/worker/codebases and by a new
 * registration) and its event ids.
 */
type Line = WorkerLine & { seq: number }

/** Push is advisory, so this mirrors the claim's rules loosely; the claim decides. */
function eligible(c: Line, t: TaskAvailable): boolean {
  if (t.target_worker_id && t.target_worker_id !== c.workerId) return false
  if (t.target_agent_name && t.metadata.fallback !== 'any') {
    const name = t.target_agent_name
    if (name !== c.agentName && !c.agents.includes(name)) return false
  }
  if (!t.required_capabilities.every((cap) => c.capabilities.includes(cap))) return false
  if (t.model_ref && !c.models.includes(modelKey(t.model_ref))) return false
  return t.codebase_id === 'global' || c.codebases.includes(t.codebase_id)
}

/**
 * One per tenant: the task streams of connected workers (`GET /v1/worker/tasks/stream`),
 * pushing `task_available` to eligible workers at once and replaying pending work on
 * connect, and the UIs watching a workspace's tasks.
 */
export class WorkerHub extends TenantObject {
  protected override readonly kind = 'worker-hub'
  private readonly workers = new Fanout<Line>({
    keepalive: (ch) => this.frame(ch, 'heartbeat', { timestamp: new Date().toISOString() }),
  })
  /** Where the next offer to a large fleet starts among the eligible streams. */
  private turn = 0
  /**
   * The models workers registered lately: a stream that opens as its worker registers read
   * the models before, and must not keep them.
   */
  private readonly registered = new TtlCache<string[]>(60_000, 10_000)
  private readonly watchers = new Fanout<{ workspaceId: string }>({
    keepalive: () => SSE_KEEPALIVE,
  })

  /** A worker's task stream: `connected`, the pending tasks it may take, then live offers. */
  async feed(worker: WorkerLine): Promise<ReadableStream<Uint8Array>> {
    const models = this.registered.get(worker.workerId) ?? worker.models
    const { channel, readable } = this.workers.open({ ...worker, models, seq: worker.after })
    // Workers hold leases from now on: the reaper must be running.
    await watchLeases(this.env, this.tenantId)
    this.ctx.waitUntil(this.greet(channel))
    return readable
  }

  /** A UI's view of one workspace's tasks: `connected`, then their changes. */
  async watchWorkspace(workspaceId: string): Promise<ReadableStream<Uint8Array>> {
    const { channel, readable } = this.watchers.open({ workspaceId })
    this.ctx.waitUntil(
      this.watchers.write(
        channel,
        sseBytes({ event: 'connected', data: { codebase_id: workspaceId } }),
      ),
    )
    return readable
  }

  /**
   * A new or requeued pending task: offered to the eligible streams, at most OFFER_FANOUT of
   * them, taken in turn so that successive tasks go to different workers (one claim takes it;
   * telling a thousand workers costs a thousand writes for one). Those not told find it by
   * polling, or when they connect. How many got it.
   */
  async notify(task: TaskAvailable): Promise<number> {
    const fits = [...this.workers].filter((c) => eligible(c.meta, task))
    const most = configOf(this.env).OFFER_FANOUT
    const told =
      fits.length <= most
        ? fits
        : Array.from(
            { length: most },
            (_, i) => fits[(this.turn + i) % fits.length] as Channel<Line>,
          )
    this.turn = (this.turn + most) % Math.max(fits.length, 1)
    return this.writeTo(told, 'task_available', task)
  }

  /** An event for one worker's streams (e.g. task_cancelled); how many received it. */
  async tell(workerId: string, event: string, data: unknown): Promise<number> {
    const its = [...this.workers].filter((c) => c.meta.workerId === workerId)
    return this.writeTo(its, event, data)
  }

  /** Changes of a workspace's tasks, for the UIs watching it. */
  async workspaceEvents(workspaceId: string, events: WorkspaceEvent[]): Promise<void> {
    const frames = events.map((e) => sseBytes({ event: e.event, data: e.data }))
    const writes: Promise<boolean>[] = []
    for (const w of this.watchers)
      if (w.meta.workspaceId === workspaceId)
        for (const frame of frames) writes.push(this.watchers.write(w, frame))
    await Promise.all(writes)
  }

  /**
   * New routing (PUT /v1/worker/codebases) or models (a registration) for a worker's
   * connected streams; how many it has.
   */
  async update(workerId: string, change: Partial<Pick<Line, 'codebases' | 'models'>>) {
    if (change.models) this.registered.set(workerId, change.models)
    let updated = 0
    for (const { meta } of this.workers) {
      if (meta.workerId !== workerId) continue
      if (change.codebases) meta.codebases = change.codebases
      if (change.models) meta.models = change.models
      updated++
    }
    return updated
  }

  connectedWorkers() {
    return [...this.workers].map(({ meta }) => ({
      worker_id: meta.workerId,
      agent_name: meta.agentName,
      codebases: meta.codebases,
      capabilities: meta.capabilities,
    }))
  }

  /**
   * Before the scheduler, this object's alarm ran the reaper and cron; an alarm set then
   * hands both over to it.
   */
  override async alarm(): Promise<void> {
    if (!this.hasTenant) return
    const scheduler = schedulerOf(this.env, this.tenantId)
    await Promise.all([scheduler.wake('leases'), scheduler.wake('cron')])
  }

  /**
   * Written to every stream at once: a write resolves only when its reader took the bytes,
   * so one stream after another would make the last wait for every reader before it.
   */
  private async writeTo(channels: Channel<Line>[], event: string, data: unknown) {
    await Promise.all(channels.map((c) => this.workers.write(c, this.frame(c, event, data))))
    return channels.length
  }

  /** `connected`, then every pending task this worker may take. */
  private async greet(channel: Channel<Line>) {
    const { meta } = channel
    const hello = { worker_id: meta.workerId, agent_name: meta.agentName }
    await this.workers.write(channel, this.frame(channel, 'connected', hello))
    try {
      const scope = this.scope()
      const pending = await listTasks(scope, {
        statuses: ['submitted'],
        limit: 200,
      })
      for (const row of pending.reverse()) {
        const task = taskAvailable(row)
        if (!eligible(meta, task)) continue
        await this.workers.write(channel, this.frame(channel, 'task_available', task))
      }
    } catch (err) {
      log.warn('pending replay failed', { worker_id: meta.workerId, error: err as Error })
    }
  }

  /** A worker stream's next event, with its id. */
  private frame(channel: Channel<Line>, event: string, data: unknown): Uint8Array {
    channel.meta.seq++
    return sseBytes({ event, id: channel.meta.seq, data })
  }
}
