/** The tenant's synced sessions summed up: in all, and per project (upstream's runtime view). */
import { sql } from 'drizzle-orm'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'

export async function sessionTotals(scope: Scope) {
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`select count(*)::int as sessions, count(distinct coalesce(project_id, workspace_id))::int as projects,
                          max(synced_at) as synced_at from sessions`),
  )
  return rows[0] as { sessions: number; projects: number; synced_at: string | null }
}

/** A project as Postgres answers it (raw SQL: times in Postgres' own text form). */
export type SessionProject = {
  id: string
  codebase_id: string
  directory: string | null
  sessions: number
  updated_at: string
}

/** A project is the worker's project id, or the codebase for sessions without one. */
export async function sessionProjects(scope: Scope) {
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute<SessionProject>(sql`select coalesce(project_id, workspace_id) as id, workspace_id as codebase_id,
                          max(directory) as directory, count(*)::int as sessions, max(updated_at) as updated_at
                     from sessions group by 1, 2 order by max(updated_at) desc`),
  )
  return rows
}
