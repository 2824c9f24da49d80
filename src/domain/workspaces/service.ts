import { and, eq, inArray, sql } from 'drizzle-orm'
import { badRequest, forbidden, notFound } from '../../lib/errors'
import { workers, workspaces } from '../../storage/postgres/schema'
import { type Tenancy, tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'
import { forgetTasks } from '../task-model/read-cache'
import { normalisePath } from './path'

export type WorkspaceRow = typeof workspaces.$inferSelect

/** A workspace as REST serves it (upstream's snake_case "codebase"). */
export function workspaceView(w: WorkspaceRow) {
  return {
    id: w.id,
    name: w.name,
    path: w.path,
    description: w.description,
    worker_id: w.workerId,
    agent_config: w.agentConfig,
    status: w.status,
    aliases: w.aliases,
    git_url: w.gitUrl,
    git_branch: w.gitBranch,
    global: w.isGlobal,
    created_at: w.createdAt.toISOString(),
    updated_at: w.updatedAt.toISOString(),
  }
}

export function listWorkspaces(t: Tenancy, filter: { path?: string } = {}) {
  const path = filter.path === undefined ? undefined : requirePath(filter.path)
  return tenantQuery(t, (db) =>
    db
      .select()
      .from(workspaces)
      .where(path === undefined ? undefined : eq(workspaces.path, path))
      .orderBy(workspaces.createdAt),
  )
}

/**
 * `global`: the address of the tasks that belong to no workspace (upstream's pseudo-codebase).
 * Any worker that serves a global codebase (its own row, `global: true`) takes them and runs
 * them there. The address is not a row, so it is served as this view.
 */
export const GLOBAL_WORKSPACE = {
  id: 'global',
  name: 'global',
  path: '/',
  description: 'Tasks for any worker, in no particular codebase',
  worker_id: null,
  agent_config: {},
  status: 'active',
  aliases: [] as string[],
  git_url: null,
  git_branch: null,
  global: true,
  created_at: new Date(0).toISOString(),
  updated_at: new Date(0).toISOString(),
}

export async function getWorkspace(t: Tenancy, id: string) {
  const [row] = await tenantQuery(t, (db) =>
    db.select().from(workspaces).where(eq(workspaces.id, id)),
  )
  if (!row) throw notFound(`Workspace ${id}`)
  return row
}

export interface RegisterWorkspace {
  name: string
  path: string
  description?: string
  agentConfig?: Record<string, unknown>
  workerId: string
  gitUrl?: string
  gitBranch?: string
  /** The worker's global codebase (its home directory): one per worker, `global-<worker>`. */
  global?: boolean
  /**
   * A worker token registering: it may claim a path nobody serves or its own, never take one
   * over from another worker (a person's credential may move a path between workers).
   */
  keepOwner?: boolean
  /** The caller may register workers (workers:connect): a global codebase may come first. */
  mayRegisterWorker?: boolean
}

/** The id of a worker's global codebase. */
export const globalWorkspaceId = (workerId: string) => `global-${workerId}`

/**
 * A worker registering a path it serves: one row per normalised path, so a worker that
 * registers again (or another worker taking over the path) updates it in place. A global
 * codebase is one row per worker instead (two machines' homes may share a path).
 */
export async function registerWorkspace(t: Tenancy, input: RegisterWorkspace) {
  const path = requirePath(input.path)
  const [worker] = await tenantQuery(t, (db) =>
    input.global && input.mayRegisterWorker
      ? // The original CodeTether's worker registers its global codebase before itself: the
        // worker is then a bare row until its own registration fills it in.
        db
          .insert(workers)
          .values({
            tenantId: t.tenantId,
            id: input.workerId,
            name: input.workerId,
            status: 'offline',
          })
          .onConflictDoUpdate({
            target: [workers.tenantId, workers.id],
            set: { id: input.workerId },
          })
          .returning({ id: workers.id })
      : db.select({ id: workers.id }).from(workers).where(eq(workers.id, input.workerId)),
  )
  if (!worker) throw notFound(`Worker ${input.workerId}`)
  const values = {
    tenantId: t.tenantId,
    name: input.name,
    path,
    description: input.description ?? '',
    agentConfig: input.agentConfig ?? {},
    workerId: input.workerId,
    gitUrl: input.gitUrl ?? null,
    gitBranch: input.gitBranch ?? null,
    isGlobal: input.global === true,
  }
  if (values.isGlobal) {
    const [own] = await tenantQuery(t, (db) =>
      db
        .insert(workspaces)
        .values({ ...values, id: globalWorkspaceId(input.workerId) })
        .onConflictDoUpdate({
          target: [workspaces.tenantId, workspaces.id],
          set: { ...values, updatedAt: sql`now()` },
        })
        .returning(),
    )
    if (!own) throw new Error('workspace upsert returned no row')
    return own
  }
  const [row] = await tenantQuery(t, (db) =>
    db
      .insert(workspaces)
      .values(values)
      .onConflictDoUpdate({
        target: [workspaces.tenantId, workspaces.path],
        targetWhere: sql`not ${workspaces.isGlobal}`,
        set: { ...values, updatedAt: sql`now()` },
        setWhere: input.keepOwner
          ? sql`${workspaces.workerId} is null or ${workspaces.workerId} = ${input.workerId}`
          : undefined,
      })
      .returning(),
  )
  if (!row && input.keepOwner) throw forbidden(`${path} is served by another worker`)
  if (!row) throw new Error('workspace upsert returned no row')
  return row
}

/** Most finished tasks of a deleted workspace cleared from the edge cache at once. */
const FORGET_AT_ONCE = 5000

/**
 * Deletes a workspace and, with it (ON DELETE CASCADE), its tasks; its finished tasks leave
 * the edge cache here at once (read-cache.ts).
 */
export async function deleteWorkspace(scope: Scope, id: string) {
  if (id === 'global')
    throw badRequest(
      "global is the address of every worker's global codebase: delete one by its id (global-<worker id>), or run the worker with --no-global",
    )
  // Both read the snapshot from before the delete.
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`
      with finished as (
        select id from tasks
         where workspace_id = ${id} and status in ('completed', 'failed', 'canceled', 'rejected')
         limit ${FORGET_AT_ONCE}),
      gone as (delete from workspaces where id = ${id} returning id)
      select (select count(*)::int from gone) as deleted,
             (select coalesce(json_agg(id), '[]'::json) from finished) as tasks`),
  )
  const row = rows[0] as { deleted: number; tasks: string[] }
  if (row.deleted === 0) throw notFound(`Workspace ${id}`)
  scope.waitUntil(forgetTasks(scope.tenantId, row.tasks))
}

function requirePath(raw: string): string {
  const path = normalisePath(raw)
  if (!path) throw badRequest(`path must be absolute: ${JSON.stringify(raw)}`)
  return path
}

/**
 * Of the codebases a worker names for its routing, those it serves (and `global`): a worker
 * token is offered only its own codebases' work, whatever its headers say.
 */
export async function servedBy(t: Tenancy, workerId: string, ids: string[]) {
  const wanted = ids.filter((id) => id && id !== 'global').slice(0, 500)
  const rows = wanted.length
    ? await tenantQuery(t, (db) =>
        db
          .select({ id: workspaces.id })
          .from(workspaces)
          .where(and(eq(workspaces.workerId, workerId), inArray(workspaces.id, wanted))),
      )
    : []
  const own = new Set(rows.map((r) => r.id))
  return ids.filter((id) => id === 'global' || own.has(id))
}
