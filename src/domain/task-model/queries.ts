import { and, eq, inArray, type SQL, sql } from 'drizzle-orm'
import { atMicros, microsOf } from '../../storage/postgres/micros'
import { taskCounts, tasks } from '../../storage/postgres/schema'
import type { TaskStatus } from '../../storage/postgres/statuses'
import { type Tenancy, tenantQuery } from '../../storage/postgres/tenant'
import type { A2aTaskFields } from './a2a-wire'
import { a2aFieldsFromJson, taskFromJson } from './rows'
import type { TaskRow } from './store'

/** Reads of tasks: one by id, and pages by filter. */

export async function getTask(t: Tenancy, id: string): Promise<TaskRow | undefined> {
  const json = await getTaskJson(t, id)
  return json ? taskFromJson(json) : undefined
}

/** The task row as row_to_json gives it (what the edge cache keeps, read-cache.ts). */
export async function getTaskJson(
  t: Tenancy,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  // Written out: drizzle's select of every column costs ≈ 120 µs to build, and this runs on
  // most task requests.
  const { rows } = await tenantQuery(t, (db) =>
    db.execute(sql`select row_to_json(t) as task from tasks t where t.id = ${id}`),
  )
  return (rows[0] as { task: Record<string, unknown> } | undefined)?.task
}

/** Where a page ended: its last task's status time (microseconds, micros.ts) and id. */
export interface TaskCursor {
  statusUs: string
  id: string
}

export interface TaskFilter {
  id?: string
  contextId?: string
  status?: TaskStatus
  /** Any of these states (REST's names map to several). */
  statuses?: TaskStatus[]
  workspaceId?: string
  workerId?: string
  agentName?: string
  statusAfter?: Date
  /** Further conditions (e.g. what a polling worker may take). */
  where?: SQL
  /** Keyset cursor: tasks strictly older than this (status_at, id). */
  before?: TaskCursor
  limit: number
}

/** The conditions of a filter; listing and counting use the same ones. */
function matching(f: Omit<TaskFilter, 'limit'>): SQL | undefined {
  return and(
    f.id === undefined ? undefined : eq(tasks.id, f.id),
    f.contextId === undefined ? undefined : eq(tasks.contextId, f.contextId),
    f.status === undefined ? undefined : eq(tasks.status, f.status),
    f.statuses === undefined ? undefined : inArray(tasks.status, f.statuses),
    f.workspaceId === undefined ? undefined : eq(tasks.workspaceId, f.workspaceId),
    f.workerId === undefined ? undefined : eq(tasks.workerId, f.workerId),
    f.agentName === undefined ? undefined : eq(tasks.targetAgentName, f.agentName),
    f.statusAfter === undefined ? undefined : sql`${tasks.statusAt} > ${f.statusAfter}`,
    f.where,
    f.before === undefined ? undefined : olderThan(f.before),
  )
}

/** Tasks after the cursor in (status_at, id) descending order. */
function olderThan(c: TaskCursor): SQL {
  const at = atMicros(c.statusUs)
  // The first bound repeats what the row comparison implies: it is the one an index can use.
  return sql`${tasks.statusAt} <= ${at} and (${tasks.statusAt}, ${tasks.id}) < (${at}, ${c.id})`
}

/** A filter's where clause, or none. */
const whereOf = (f: Omit<TaskFilter, 'limit'>) => {
  const where = matching(f)
  return where ? sql`where ${where}` : sql``
}

/** The page's rows (all columns, or those named), sorted and limited, as subquery `page`. */
const pageOf = (f: TaskFilter, columns: SQL = sql`*`) =>
  sql`(select ${columns} from ${tasks} ${whereOf(f)}
    order by ${tasks.statusAt} desc, ${tasks.id} desc limit ${f.limit}) page`

/**
 * The page as row_to_json gives its rows, which skips drizzle's mapping of 35 columns per row
 * (most of a list's CPU in the Worker's profile). The JSON is made for the page's rows only:
 * around the whole select, a plan that sorts (one without statistics yet) made it for every
 * row of the tenant first.
 */
const pageSql = (f: TaskFilter) =>
  sql`select row_to_json(page) as task from ${pageOf(f)} order by page.status_at desc, page.id desc`
const rowsOf = (rows: unknown[]) =>
  rows.map((r) => taskFromJson((r as { task: Record<string, unknown> }).task))

/** Newest status first, with a keyset cursor for the next page. */
export async function listTasks(t: Tenancy, f: TaskFilter): Promise<TaskRow[]> {
  const { rows } = await tenantQuery(t, (db) => db.execute(pageSql(f)))
  return rowsOf(rows)
}

/** What of a task an A2A listing shows besides its status: history and artifacts if asked. */
export interface A2aShown {
  history: boolean
  artifacts: boolean
}

/**
 * A page of tasks as A2A shows them and how many match all pages together, in one statement
 * (one snapshot, so the count and the page agree): the count joined to each row of the page,
 * and once with no row when none matches. Only the columns of an A2A Task are read, artifacts
 * and history only when shown: a listing does not carry every artifact from Postgres to drop
 * it here. The rows come as rows: folding them into one JSON value cost Postgres more than
 * the count and the page together.
 */
export async function a2aTaskPage(
  t: Tenancy,
  f: TaskFilter,
  shown: A2aShown,
): Promise<{ rows: (A2aTaskFields & { cursor: TaskCursor })[]; total: number }> {
  const { before: _, limit: __, ...all } = f
  const filtered = matching(all)
  // With no filter the total is the tenant's kept count (migration 0025), not a scan.
  const total = filtered
    ? sql`select count(*)::int as total from ${tasks} where ${filtered}`
    : sql`select coalesce(sum(${taskCounts.n}), 0)::int as total from ${taskCounts}`
  const columns = sql.raw(
    [
      'id, context_id, status, status_message, status_at, metadata',
      shown.history ? ', history' : '',
      shown.artifacts ? ', artifacts' : '',
    ].join(''),
  )
  const withCursor = sql`${columns}, ${microsOf(sql`status_at`)} as status_us`
  const { rows } = await tenantQuery(t, (db) =>
    db.execute(sql`select counted.total, page.*
      from (${total}) counted
      left join ${pageOf(f, withCursor)} on true
      order by page.status_at desc, page.id desc`),
  )
  const found = rows as ({ total: number } & Record<string, unknown>)[]
  return {
    rows: found
      .filter((r) => r.id != null)
      .map((r) => ({
        ...a2aFieldsFromJson(r),
        cursor: { statusUs: r.status_us as string, id: r.id as string },
      })),
    total: found[0]?.total ?? 0,
  }
}
