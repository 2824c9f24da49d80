import { fireDueJobs } from '../src/cron/fire'
import { configOf } from '../src/env'
import { purgeExpired } from '../src/hygiene/retention'
import { log } from '../src/lib/log'
import { formatSse } from '../src/lib/sse'
import { type TaskAvailable, taskAvailable } from '../src/queue/dispatch'
import { reap } from '../src/queue/reaper'
import type { WorkspaceEvent } from '../src/queue/workspace-events'
import { listTasks } from '../src/tasks/store'
import { TenantObject } from './tenant-object'

/** A UI watching one workspace's tasks. */
interface Watcher {
  workspaceId: string
  writer: WritableStreamDefaultWriter<Uint8Array>
}

interface Connection {
  workerId: string
  agentName: string
  codebases: string[]
  capabilities: string[]
  /** The coding CLIs it has (X-Agents): a task sent to one of them may go to it. */
  agents: string[]
  writer: WritableStreamDefaultWriter<Uint8Array>
  seq: number
}

const HEARTBEAT_MS = 25_000
const encoder = new TextEncoder()

/** Push is advisory, so this mirrors the claim's rules loosely; the claim decides. */
function eligible(c: Connection, t: TaskAvailable): boolean {
  if (t.target_worker_id && t.target_worker_id !== c.workerId) return false
  if (t.target_agent_name && t.metadata.fallback !== 'any') {
    const name = t.target_agent_name
    if (name !== c.agentName && !c.agents.includes(name)) return false
  }
  if (!t.required_capabilities.every((cap) => c.capabilities.includes(cap))) return false
  return t.codebase_id === 'global' || c.codebases.includes(t.codebase_id)
}

/**
 * One per tenant: the task streams of connected workers (`GET /v1/worker/tasks/stream`),
 * pushing `task_available` to eligible workers at once and replaying pending work on
 * connect; its alarm is the lease reaper.
 */
export class WorkerHub extends TenantObject {
  protected override readonly kind = 'worker-hub'
  private readonly connections = new Set<Connection>()
  private readonly watchers = new Set<Watcher>()
  private heartbeat: ReturnType<typeof setInterval> | undefined

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/workspace') return this.watchWorkspace(url)
    const list = (name: string) =>
      (url.searchParams.get(name) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    await this.bind(url.searchParams.get('tenant') ?? '')
    const { readable, writable } = new IdentityTransformStream() // native: no JS per chunk
    const conn: Connection = {
      workerId: url.searchParams.get('worker') ?? crypto.randomUUID(),
      agentName: url.searchParams.get('agent') ?? '',
      codebases: list('codebases'),
      capabilities: list('capabilities'),
      agents: list('agents'),
      writer: writable.getWriter(),
      seq: Number(url.searchParams.get('after') ?? 0) || 0,
    }
    this.connections.add(conn)
    conn.writer.closed.catch(() => this.drop(conn))
    this.startHeartbeat()
    await this.watch(this.tenantId as string)
    this.ctx.waitUntil(this.greet(conn))
    return new Response(readable, { headers: { 'content-type': 'text/event-stream' } })
  }

  /** A new or requeued pending task. */
  async notify(tenantId: string, task: TaskAvailable): Promise<number> {
    await this.bind(tenantId)
    let sent = 0
    for (const conn of this.connections) {
      if (eligible(conn, task)) {
        await this.send(conn, 'task_available', task)
        sent++
      }
    }
    return sent
  }

  /** An event for one worker's streams (e.g. task_cancelled); how many received it. */
  async tell(tenantId: string, workerId: string, event: string, data: unknown): Promise<number> {
    await this.bind(tenantId)
    let sent = 0
    for (const conn of this.connections) {
      if (conn.workerId === workerId) {
        await this.send(conn, event, data)
        sent++
      }
    }
    return sent
  }

  /** Changes of a workspace's tasks, for the UIs watching it. */
  async workspaceEvents(
    tenantId: string,
    workspaceId: string,
    events: WorkspaceEvent[],
  ): Promise<void> {
    await this.bind(tenantId)
    for (const w of this.watchers) {
      if (w.workspaceId !== workspaceId) continue
      for (const e of events)
        await this.write(w.writer, e.event, e.data, () => this.watchers.delete(w))
    }
  }

  private async watchWorkspace(url: URL): Promise<Response> {
    await this.bind(url.searchParams.get('tenant') ?? '')
    const { readable, writable } = new IdentityTransformStream() // native: no JS per chunk
    const watcher: Watcher = {
      workspaceId: url.searchParams.get('workspace') ?? '',
      writer: writable.getWriter(),
    }
    this.watchers.add(watcher)
    watcher.writer.closed.catch(() => this.watchers.delete(watcher))
    this.startHeartbeat()
    this.ctx.waitUntil(
      this.write(watcher.writer, 'connected', { codebase_id: watcher.workspaceId }, () =>
        this.watchers.delete(watcher),
      ),
    )
    return new Response(readable, { headers: { 'content-type': 'text/event-stream' } })
  }

  private async write(
    writer: WritableStreamDefaultWriter<Uint8Array>,
    event: string,
    data: unknown,
    onGone: () => void,
  ) {
    try {
      await writer.write(encoder.encode(formatSse({ event, data })))
    } catch {
      onGone()
    }
  }

  /** New routing for a connected worker's streams (PUT /v1/worker/codebases). */
  async route(tenantId: string, workerId: string, codebases: string[]): Promise<number> {
    await this.bind(tenantId)
    let updated = 0
    for (const conn of this.connections) {
      if (conn.workerId === workerId) {
        conn.codebases = codebases
        updated++
      }
    }
    return updated
  }

  /**
   * Keeps the alarm set while leases may be running or cron jobs wait; `at` (epoch ms) brings
   * it forward, e.g. to a cron job's next slot.
   */
  async watch(tenantId: string, at?: number): Promise<void> {
    await this.bind(tenantId)
    const current = await this.ctx.storage.getAlarm()
    const wanted = at ?? Date.now() + this.intervalMs()
    if (current === null || wanted < current) await this.ctx.storage.setAlarm(wanted)
  }

  connectedWorkers() {
    return [...this.connections].map((c) => ({
      worker_id: c.workerId,
      agent_name: c.agentName,
      codebases: c.codebases,
      capabilities: c.capabilities,
    }))
  }

  override async alarm(): Promise<void> {
    const tenantId = await this.storedTenant()
    if (!tenantId) return
    try {
      const { requeued, failed } = await reap(this.scope())
      for (const task of requeued) await this.notify(tenantId, taskAvailable(task))
      if (requeued.length || failed.length)
        log.info('reaper', {
          tenant_id: tenantId,
          requeued: requeued.length,
          failed: failed.length,
        })
    } catch (err) {
      log.error('reaper failed', { tenant_id: tenantId, error: err as Error })
    }
    let nextCron: Date | null = null
    try {
      nextCron = await fireDueJobs(this.scope())
    } catch (err) {
      log.error('cron tick failed', { tenant_id: tenantId, error: err as Error })
    }
    await this.purgeHourly(tenantId)
    // Look again at the reaper's interval, or sooner when a cron job is due sooner.
    const reaperAt = Date.now() + this.intervalMs()
    await this.ctx.storage.setAlarm(
      Math.max(Date.now(), Math.min(reaperAt, nextCron?.getTime() ?? reaperAt)),
    )
  }

  /** Retention (task output and events of finished tasks), at most once an hour per tenant. */
  private async purgeHourly(tenantId: string) {
    const last = (await this.ctx.storage.get<number>('purgedAt')) ?? 0
    if (Date.now() - last < 3600_000) return
    await this.ctx.storage.put('purgedAt', Date.now())
    try {
      const purged = await purgeExpired(this.scope())
      if (purged.output || purged.events || purged.pushes)
        log.info('retention', { tenant_id: tenantId, ...purged })
    } catch (err) {
      log.error('retention failed', { tenant_id: tenantId, error: err as Error })
    }
  }

  private intervalMs() {
    return configOf(this.env).REAPER_INTERVAL_SECONDS * 1000
  }

  /** `connected`, then every pending task this worker may take. */
  private async greet(conn: Connection) {
    await this.send(conn, 'connected', { worker_id: conn.workerId, agent_name: conn.agentName })
    try {
      const scope = this.scope()
      const pending = await listTasks(scope.db, scope.tenantId, {
        statuses: ['submitted'],
        limit: 200,
      })
      for (const row of pending.reverse()) {
        const task = taskAvailable(row)
        if (eligible(conn, task)) await this.send(conn, 'task_available', task)
      }
    } catch (err) {
      log.warn('pending replay failed', { worker_id: conn.workerId, error: err as Error })
    }
  }

  private async send(conn: Connection, event: string, data: unknown) {
    conn.seq++
    try {
      await conn.writer.write(encoder.encode(formatSse({ event, id: conn.seq, data })))
    } catch {
      this.drop(conn)
    }
  }

  private drop(conn: Connection) {
    if (!this.connections.delete(conn)) return
    conn.writer.close().catch(() => {})
    if (this.connections.size === 0 && this.watchers.size === 0 && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat)
      this.heartbeat = undefined
    }
  }

  private startHeartbeat() {
    if (this.heartbeat !== undefined) return
    this.heartbeat = setInterval(() => {
      for (const conn of this.connections)
        void this.send(conn, 'heartbeat', { timestamp: new Date().toISOString() })
    }, HEARTBEAT_MS)
  }
}
