import { and, asc, eq, gt, lt, lte, sql } from 'drizzle-orm'
import { taskEvents, tasks } from '../../storage/postgres/schema'
import { type Tenancy, tenantQuery } from '../../storage/postgres/tenant'

/**
 * One change of a task, in order. `seq` is strictly increasing and gap-free per task.
 * Payloads of A2A kinds are A2A v1.0 JSON: `status` {status}, `artifact` {artifact, append?,
 * lastChunk?}, `message` {message} (a message added to the history); `output` is a line of
 * worker output.
 */
export type TaskEventKind = 'status' | 'artifact' | 'message' | 'output'

export interface TaskEvent {
  seq: number
  kind: TaskEventKind
  payload: Record<string, unknown>
  createdAt: string
  /** The payload's size as stored (its JSON text), when read with a byte budget. */
  bytes?: number
}

/** An `output` event's payload: one line as the holder sent it (queue/lease.ts appendOutput). */
export type OutputLine = {
  output: string
  worker_id: string
  /** When the server stored it (toISOString). */
  timestamp: string
  /** The claim's attempt, when the worker sent it. */
  attempt?: number
  /** The worker's 1-based number of the line within the attempt, when it numbers its lines. */
  line?: number
}

/** The line an `output` event holds: appendOutput is the only writer of that kind. */
export const outputLineOf = (event: TaskEvent) => event.payload as OutputLine

export function eventFromRow(
  row: Pick<typeof taskEvents.$inferSelect, 'seq' | 'kind' | 'payload' | 'createdAt'>,
): TaskEvent {
  return {
    seq: row.seq,
    kind: row.kind as TaskEventKind,
    payload: row.payload as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
  }
}

/**
 * Events after `afterSeq` (and up to `upToSeq`), oldest first: at most `limit` of them, and
 * only of `kind` when given (a page of output is then full even between status events).
 * With `maxBytes`, also no event once the payloads before it reach that many bytes (the first
 * always comes): each event then carries its `bytes`, so a caller can tell a page cut by size.
 */
export async function readEvents(
  t: Tenancy,
  taskId: string,
  afterSeq: number,
  opts: { upToSeq?: number; limit?: number; kind?: TaskEventKind; maxBytes?: number } = {},
): Promise<TaskEvent[]> {
  const { upToSeq, limit = 1000, kind, maxBytes } = opts
  const where = and(
    eq(taskEvents.taskId, taskId),
    gt(taskEvents.seq, afterSeq),
    upToSeq === undefined ? undefined : lte(taskEvents.seq, upToSeq),
    kind === undefined ? undefined : eq(taskEvents.kind, kind),
  )
  if (maxBytes === undefined) {
    const rows = await tenantQuery(t, (db) =>
      db.select().from(taskEvents).where(where).orderBy(asc(taskEvents.seq)).limit(limit),
    )
    return rows.map(eventFromRow)
  }
  // Sizes are measured in the statement, so events past the budget never leave Postgres (a
  // page of large lines would otherwise fill the Worker's memory before it could cut it).
  const size = sql<number>`octet_length(${taskEvents.payload}::text)`
  const rows = await tenantQuery(t, (db) => {
    const page = db
      .select({
        seq: taskEvents.seq,
        kind: taskEvents.kind,
        payload: taskEvents.payload,
        createdAt: taskEvents.createdAt,
        bytes: size.mapWith(Number).as('bytes'),
        before:
          sql`coalesce(sum(${size}) over (order by ${taskEvents.seq} rows between unbounded preceding and 1 preceding), 0)`.as(
            'before',
          ),
      })
      .from(taskEvents)
      .where(where)
      .orderBy(asc(taskEvents.seq))
      .limit(limit)
      .as('page')
    return db.select().from(page).where(lt(page.before, maxBytes)).orderBy(asc(page.seq))
  })
  return rows.map((r) => ({ ...eventFromRow(r), bytes: r.bytes }))
}

/**
 * Marks whether the task has live subscribers. The row lock orders it against every change
 * of the task (which returns the flag): a subscriber that sets it and then reads the events
 * it missed either sees a change, or that change sees the flag and is published to it.
 */
export async function setWatched(t: Tenancy, taskId: string, watched: boolean): Promise<void> {
  await tenantQuery(t, (db) => db.update(tasks).set({ watched }).where(eq(tasks.id, taskId)))
}
