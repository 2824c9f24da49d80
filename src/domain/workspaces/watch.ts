import { and, eq, sql } from 'drizzle-orm'
import { notFound } from '../../lib/errors'
import { tasks, workspaces } from '../../storage/postgres/schema'
import { type Tenancy, tenantQuery } from '../../storage/postgres/tenant'

/**
 * Watch mode (upstream §2.7) for workspaces served by remote workers: a flag and status
 * `watching`; the workers already receive the workspace's tasks by push or poll.
 */
export async function setWatch(t: Tenancy, id: string, on: boolean, interval: number) {
  const rows = await tenantQuery(t, (db) =>
    db
      .update(workspaces)
      .set({
        status: on ? 'watching' : 'idle',
        agentConfig: sql`${workspaces.agentConfig} || ${JSON.stringify({ watch_interval: interval })}::jsonb`,
        updatedAt: sql`now()`,
      })
      .where(eq(workspaces.id, id))
      .returning({ id: workspaces.id }),
  )
  if (rows.length === 0) throw notFound(`Workspace ${id}`)
  return watchStatus(t, id)
}

export async function watchStatus(t: Tenancy, id: string) {
  const [row] = await tenantQuery(t, (db) =>
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
    watch_mode: row.status === 'watching',
    status: row.status,
    interval: Number((row.config as { watch_interval?: number }).watch_interval ?? 5),
    pending_tasks: row.pending,
    running_tasks: row.running,
  }
}
