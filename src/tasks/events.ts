import { and, asc, eq, gt, lte } from 'drizzle-orm'
import type { Database } from '../db/client'
import { taskEvents, tasks } from '../db/schema'
import { withTenant } from '../db/tenant'

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
}

export function eventFromRow(row: typeof taskEvents.$inferSelect): TaskEvent {
  return {
    seq: row.seq,
    kind: row.kind as TaskEventKind,
    payload: row.payload as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
  }
}

/** Events after `afterSeq` (and up to `upToSeq`), oldest first. */
export async function readEvents(
  db: Database,
  tenantId: string,
  taskId: string,
  afterSeq: number,
  upToSeq?: number,
  limit = 1000,
): Promise<TaskEvent[]> {
  const rows = await withTenant(db, tenantId, (tx) =>
    tx
      .select()
      .from(taskEvents)
      .where(
        and(
          eq(taskEvents.taskId, taskId),
          gt(taskEvents.seq, afterSeq),
          upToSeq === undefined ? undefined : lte(taskEvents.seq, upToSeq),
        ),
      )
      .orderBy(asc(taskEvents.seq))
      .limit(limit),
  )
  return rows.map(eventFromRow)
}

/**
 * Marks whether the task has live subscribers. The row lock orders it against every change
 * of the task (which returns the flag): a subscriber that sets it and then reads the events
 * it missed either sees a change, or that change sees the flag and is published to it.
 */
export async function setWatched(
  db: Database,
  tenantId: string,
  taskId: string,
  watched: boolean,
): Promise<void> {
  await withTenant(db, tenantId, (tx) =>
    tx.update(tasks).set({ watched }).where(eq(tasks.id, taskId)),
  )
}
