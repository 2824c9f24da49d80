/**
 * Why a pending task waits, when the answer is cheap and useful: its codebase is not watched
 * (migration 0023), or it names an agent that no online worker has (app.eligible_for,
 * migration 0021, holds it back for one). Asked for one task at a time, never for a list.
 */
import { and, eq, or, sql } from 'drizzle-orm'
import { workers } from '../../storage/postgres/schema'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'
import type { TaskRow } from '../task-model/store'
import { heldBy } from './watch'
import { onlineWorker } from './workers'

export async function waitingFor(scope: Scope, t: TaskRow): Promise<string | null> {
  if (t.status !== 'submitted') return null
  const held = await heldBy(scope, t)
  if (held) return held
  const name = t.targetAgentName
  if (!name || t.metadata.fallback === 'any') return null
  // The same test of "has the agent" as eligible_for's: a CLI in agents (a name or upstream's
  // object with a name), or the worker's own name.
  const hasIt = or(
    eq(workers.name, name),
    sql`exists (select 1 from jsonb_array_elements(${workers.agents}) a
                 where coalesce(a->>'name', a #>> '{}') = ${name})`,
  )
  const found = await tenantQuery(scope, (db) =>
    db.select({ id: workers.id }).from(workers).where(and(onlineWorker, hasIt)).limit(1),
  )
  if (found.length) return null
  return `No online worker has agent ${name}: the task waits for one (metadata "fallback": "any" lets any worker take it)`
}
