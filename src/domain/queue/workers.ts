import { and, desc, eq, gt, inArray, lt, or, sql } from 'drizzle-orm'
import { workerHubOf } from '../../lib/live-objects'
import { log } from '../../lib/log'
import { tasks, workers } from '../../storage/postgres/schema'
import { tenantBatch, tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'

export type WorkerRow = typeof workers.$inferSelect

/** A worker seen within this window is online (upstream's A2A_WORKER_ACTIVE_WINDOW_SECONDS). */
export const ONLINE_WINDOW_SECONDS = 300

/** The SQL condition "this worker is online": not marked offline, and seen within the window. */
export const onlineWorker = sql`(${workers.status} <> 'offline' and ${workers.lastSeenAt} > now() - make_interval(secs => ${ONLINE_WINDOW_SECONDS}::int))`

export interface WorkerRegistration {
  id: string
  name: string
  hostname?: string
  capabilities: string[]
  models: unknown[]
  agents: unknown[]
}

/** The id of a model a worker reported: a name, or upstream's object with an id. */
export function modelIdOf(m: unknown): string | undefined {
  const id = typeof m === 'string' ? m : (m as { id?: unknown } | null)?.id
  return typeof id === 'string' && id ? id : undefined
}

/** The models a worker reported, in the form the claim compares them (app.eligible_for). */
export const modelKeys = (models: unknown[]): string[] =>
  models.flatMap((m) => {
    const id = modelIdOf(m)
    return id ? [modelKey(id)] : []
  })

/** A model id or a task's model_ref, as the claim compares them: every '/' read as ':'. */
export const modelKey = (id: string) => id.replaceAll('/', ':')

/** The model keys of a registered worker; none for one not registered (it can take none). */
export async function workerModelKeys(scope: Scope, workerId: string): Promise<string[]> {
  const [row] = await tenantQuery(scope, (db) =>
    db.select({ models: workers.models }).from(workers).where(eq(workers.id, workerId)),
  )
  return modelKeys(row?.models ?? [])
}

/** Registers or refreshes a worker (workers re-register on every reconnect). */
export async function registerWorker(scope: Scope, w: WorkerRegistration): Promise<WorkerRow> {
  const values = {
    tenantId: scope.tenantId,
    id: w.id,
    name: w.name,
    hostname: w.hostname ?? null,
    capabilities: w.capabilities,
    models: w.models,
    agents: w.agents,
    status: 'online' as const,
  }
  const [row] = await tenantQuery(scope, (db) =>
    db
      .insert(workers)
      .values(values)
      .onConflictDoUpdate({
        target: [workers.tenantId, workers.id],
        set: { ...values, lastSeenAt: sql`now()` },
      })
      .returning(),
  )
  if (!row) throw new Error('worker upsert returned no row')
  await tellHubModels(scope, w)
  return row
}

/**
 * An open stream of the worker offers it tasks by the models it had when it connected: a
 * worker that registers again (new keys, another CLI logged in) is offered by its new ones.
 * Offers are advisory, so a hub that cannot be told is logged, not fatal: the claim decides.
 */
async function tellHubModels(scope: Scope, w: Pick<WorkerRegistration, 'id' | 'models'>) {
  try {
    await workerHubOf(scope.env, scope.tenantId, w.id).update(w.id, { models: modelKeys(w.models) })
  } catch (err) {
    log.warn('worker hub not told of new models', { worker_id: w.id, error: err as Error })
  }
}

/**
 * Marks the worker seen and extends the leases of the tasks it holds. Undefined when the
 * worker is unknown: upstream's 404 "register again".
 */
export async function heartbeat(
  scope: Scope,
  workerId: string,
  leaseSeconds: number,
  running?: string[],
) {
  // A worker that says what it runs keeps only those leases. A task granted to it that it
  // does not run (it was killed mid-claim and restarted) gets its lease ended, so the reaper
  // requeues it; the grace covers a claim whose answer is still on its way.
  const extended = sql`now() + make_interval(secs => ${leaseSeconds}::int)`
  const listed = running === undefined ? undefined : inArray(tasks.id, running)
  const forgotten = lt(tasks.statusAt, sql`now() - interval '30 seconds'`)
  // One round trip: an unknown worker holds no working task, so the second is a no-op then.
  const [rows] = await tenantBatch(scope, (db) => [
    db
      .update(workers)
      .set({
        lastSeenAt: sql`now()`,
        status: sql`case when ${workers.status} = 'offline' then 'online' else ${workers.status} end`,
      })
      .where(eq(workers.id, workerId))
      .returning(),
    db
      .update(tasks)
      .set({
        leaseExpiresAt: listed
          ? sql`case when ${listed} then ${extended} else now() end`
          : extended,
      })
      .where(
        and(
          eq(tasks.workerId, workerId),
          eq(tasks.status, 'working'),
          listed && or(listed, forgotten),
        ),
      ),
  ])
  return rows[0]
}

export async function unregisterWorker(scope: Scope, workerId: string): Promise<boolean> {
  const rows = await tenantQuery(scope, (db) =>
    db.delete(workers).where(eq(workers.id, workerId)).returning({ id: workers.id }),
  )
  // Unregistered, it can claim nothing for a model: its open streams are offered none.
  if (rows.length > 0) await tellHubModels(scope, { id: workerId, models: [] })
  return rows.length > 0
}

export async function getWorker(scope: Scope, workerId: string): Promise<WorkerRow | undefined> {
  const [row] = await tenantQuery(scope, (db) =>
    db.select().from(workers).where(eq(workers.id, workerId)),
  )
  return row
}

/** Workers, most recently seen first; offline ones older than `hideAfterHours` are hidden. */
export function listWorkers(scope: Scope, opts: { onlineOnly: boolean; hideAfterHours: number }) {
  const seen = sql`now() - make_interval(secs => ${opts.hideAfterHours * 3600}::int)`
  return tenantQuery(scope, (db) =>
    db
      .select()
      .from(workers)
      .where(opts.onlineOnly ? onlineWorker : gt(workers.lastSeenAt, seen))
      .orderBy(desc(workers.lastSeenAt)),
  )
}

export function workerView(w: WorkerRow) {
  const online =
    w.status !== 'offline' && Date.now() - w.lastSeenAt.getTime() < ONLINE_WINDOW_SECONDS * 1000
  return {
    worker_id: w.id,
    name: w.name,
    hostname: w.hostname,
    capabilities: w.capabilities,
    models: w.models,
    agents: w.agents,
    status: online ? w.status : 'offline',
    is_online: online,
    registered_at: w.registeredAt.toISOString(),
    last_seen: w.lastSeenAt.toISOString(),
  }
}

/** The models online workers advertise, once each (first seen first). */
/** A model as the first online worker reported it, and every online worker that offers it. */
export type OnlineModel = Record<string, unknown> & {
  id: string
  workers: { worker_id: string; name: string }[]
}

export async function onlineModels(scope: Scope): Promise<OnlineModel[]> {
  const rows = await listWorkers(scope, { onlineOnly: true, hideAfterHours: 24 })
  const byId = new Map<string, OnlineModel>()
  for (const w of rows) {
    for (const m of w.models) {
      const id = modelIdOf(m)
      if (!id) continue
      const reported = typeof m === 'string' ? {} : (m as Record<string, unknown>)
      const model = byId.get(id) ?? { ...reported, id, workers: [] }
      model.workers.push({ worker_id: w.id, name: w.name })
      byId.set(model.id, model)
    }
  }
  return [...byId.values()]
}
