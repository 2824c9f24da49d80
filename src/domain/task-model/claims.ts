import { type SQL, sql } from 'drizzle-orm'
import { type Tenancy, tenantQuery } from '../../storage/postgres/tenant'
import { type Changed, changeArgs, changedOf, type TaskChange, taskChangeCall } from './store'

/**
 * A worker's wish for work: the pending tasks it was offered and could run, and how many of
 * them it has room for. The server claims up to `max` of them, best by priority and age.
 */
export interface ClaimWish {
  workerId: string
  taskIds: string[]
  max: number
  /** What "online" means for a codebase's owner (app.eligible_for). */
  onlineSeconds: number
  leaseSeconds: number
}

/** What came of a wish: the claims made, and the named tasks no longer pending at all. */
export interface Claims {
  claims: Changed[]
  gone: string[]
}

/** The one claim change, so that a claim of many is each a claim of one. */
const claimChange = (w: ClaimWish): TaskChange => ({
  state: 'working',
  onlyFrom: ['submitted'],
  claimBy: w.workerId,
  leaseSeconds: w.leaseSeconds,
})

/** app.claim_tasks (migration 0024): eligibility is its select's, the rows locked there. */
function claimSql(w: ClaimWish): SQL {
  const { change, events, guard } = changeArgs(claimChange(w))
  const ids = JSON.stringify(w.taskIds)
  return sql`app.claim_tasks(${w.workerId},
    array(select jsonb_array_elements_text(${ids}::jsonb)), ${w.max}::int, ${w.onlineSeconds}::int,
    ${change}::jsonb, ${events}::jsonb, ${guard}::jsonb)`
}

function claimsOf(reply: unknown): Claims {
  const r = reply as { claims: unknown[]; gone: string[] }
  return {
    claims: r.claims.map(changedOf).filter((c): c is Changed => c !== undefined),
    gone: r.gone,
  }
}

/** Claims up to `max` of the named tasks for the worker, in one statement. */
export async function claimMany(t: Tenancy, w: ClaimWish): Promise<Claims> {
  const { rows } = await tenantQuery(t, (db) => db.execute(sql`select ${claimSql(w)} as c`))
  return claimsOf((rows[0] as { c: unknown }).c)
}

/**
 * A change to one task (a worker's result) and, only if it was made, a claim of the next:
 * one statement, so a worker reports and gets new work in one round trip.
 */
export async function changeThenClaim(
  t: Tenancy,
  taskId: string,
  change: TaskChange,
  w: ClaimWish,
): Promise<{ changed?: Changed; next: Claims }> {
  // A CTE of a volatile function runs once, before the select that reads it.
  const { rows } = await tenantQuery(t, (db) =>
    db.execute(sql`with done as (select ${taskChangeCall(taskId, change)} as r)
      select done.r, case when done.r->>'task' is not null then ${claimSql(w)} end as c
        from done`),
  )
  const row = rows[0] as { r: unknown; c: unknown }
  const changed = changedOf(row.r)
  return { changed, next: changed ? claimsOf(row.c) : { claims: [], gone: [] } }
}
