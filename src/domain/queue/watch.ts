import { and, eq, sql } from 'drizzle-orm'
import { notFound } from '../../lib/errors'
import { tasks, workspaces } from '../../storage/postgres/schema'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'
import { listTasks } from '../task-model/queries'
import type { TaskRow } from '../task-model/store'
import { dispatch } from './dispatch'

/**
 * Watch mode (upstream §2.7), meaning whether a codebase's queue runs by itself. Watched (the
 * default): its tasks go to its workers as they are queued. Stopped: they wait (running ones
 * finish; a triggered one still runs, app.eligible_for, migration 0023) until watch starts
 * again, which hands them out at once. `interval` is upstream's polling period for local
 * agents, kept and reported for its clients; here tasks are pushed, not polled for.
 */
export async function setWatch(scope: Scope, id: string, on: boolean, interval: number) {
  const rows = await tenantQuery(scope, (db) =>
    db
      .update(workspaces)
      .set({
        status: on ? 'watching' : 'stopped',
        agentConfig: sql`${workspaces.agentConfig} || ${JSON.stringify({ watch_interval: interval })}::jsonb`,
        updatedAt: sql`now()`,
      })
      .where(eq(workspaces.id, id))
      .returning({ id: workspaces.id }),
  )
  if (rows.length === 0) throw notFound(`Workspace ${id}`)
  if (on) await offerWaiting(scope, id)
  return watchStatus(scope, id)
}

/** The codebase's queued tasks, offered to its connected workers now (the claim decides). */
async function offerWaiting(scope: Scope, id: string) {
  const waiting = await listTasks(scope, { workspaceId: id, status: 'submitted', limit: 500 })
  await Promise.all(waiting.map((task) => dispatch(scope.env, scope.tenantId, task)))
}

/** A trigger runs its task also when the codebase is stopped (as app.eligible_for reads it). */
const triggered = (t: Pick<TaskRow, 'metadata'>) => String(t.metadata.triggered) === 'true'

/** Whether a queued task waits on its codebase's watch, given the codebase's status. */
export const waitsForWatch = (status: string, t: Pick<TaskRow, 'metadata'>) =>
  status === 'stopped' && !triggered(t)

/** Why a queued task waits on its codebase: null when that is watched or the task triggered. */
export async function heldBy(scope: Scope, t: TaskRow) {
  const workspaceId = t.workspaceId
  if (!workspaceId || triggered(t)) return null
  const [row] = await tenantQuery(scope, (db) =>
    db
      .select({ name: workspaces.name })
      .from(workspaces)
      .where(and(eq(workspaces.id, workspaceId), eq(workspaces.status, 'stopped'))),
  )
  return row
    ? `Codebase ${row.name} is not watched: its tasks wait until watch/start (trigger runs one now)`
    : null
}

export async function watchStatus(scope: Scope, id: string) {
  const [row] = await tenantQuery(scope, (db) =>
    db
      .select({
        status: workspaces.status,
        config: workspaces.agentConfig,
        pending: sql<number>`(select count(*)::int from ${tasks} where ${and(eq(tasks.workspaceId, id), eq(tasks.status, 'submitted'))})`,
        running: sql<number>`(select count(*)::int from ${tasks} where ${and(eq(tasks.workspaceId, id), eq(tasks.status, 'working'))})`,
      })
      .from(workspaces)
      .where(eq(workspaces.id, id)),
  )
  if (!row) throw notFound(`Workspace ${id}`)
  return {
    watch_mode: row.status !== 'stopped',
    status: row.status,
    interval: Number((row.config as { watch_interval?: number }).watch_interval ?? 5),
    pending_tasks: row.pending,
    running_tasks: row.running,
  }
}
