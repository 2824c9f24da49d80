import { and, count, desc, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { cronJobs, cronRuns, tasks } from '../db/schema'
import { withTenant } from '../db/tenant'
import { notFound } from '../lib/errors'
import { nextSlot, type Schedule } from './schedule'

export type CronJob = typeof cronJobs.$inferSelect
export type CronRun = typeof cronRuns.$inferSelect

export interface CronJobInput {
  name: string
  description?: string
  cronExpression: string
  timezone: string
  taskTemplate: Record<string, unknown>
  enabled: boolean
}

export const scheduleOf = (j: Pick<CronJob, 'cronExpression' | 'timezone'>): Schedule => ({
  expression: j.cronExpression,
  timezone: j.timezone,
})

/** Where an enabled job fires next (from now); null when disabled. */
const nextFor = (j: Pick<CronJob, 'cronExpression' | 'timezone' | 'enabled'>) =>
  j.enabled ? nextSlot(scheduleOf(j), new Date()) : null

export async function createJob(db: Database, tenantId: string, input: CronJobInput, by: string) {
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx
      .insert(cronJobs)
      .values({ tenantId, ...input, nextRunAt: nextFor(input), createdBy: by })
      .returning(),
  )
  return row as CronJob
}

export async function getJob(db: Database, tenantId: string, id: string): Promise<CronJob> {
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx.select().from(cronJobs).where(eq(cronJobs.id, id)),
  )
  if (!row) throw notFound(`Cron job ${id}`)
  return row
}

export async function listJobs(db: Database, tenantId: string, page: number, pageSize: number) {
  const [rows, [total]] = await withTenant(db, tenantId, (tx) =>
    tx.batch([
      tx
        .select()
        .from(cronJobs)
        .orderBy(desc(cronJobs.createdAt), cronJobs.id)
        .limit(pageSize)
        .offset((page - 1) * pageSize),
      tx.select({ n: count() }).from(cronJobs),
    ]),
  )
  return { items: rows, total: total?.n ?? 0 }
}

/** Changes a job; a new schedule or enabling it recomputes the next slot from now. */
export async function updateJob(
  db: Database,
  tenantId: string,
  id: string,
  change: Partial<CronJobInput>,
): Promise<CronJob> {
  const job = { ...(await getJob(db, tenantId, id)), ...change }
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx
      .update(cronJobs)
      .set({ ...change, nextRunAt: nextFor(job), updatedAt: new Date() })
      .where(eq(cronJobs.id, id))
      .returning(),
  )
  if (!row) throw notFound(`Cron job ${id}`)
  return row
}

export async function deleteJob(db: Database, tenantId: string, id: string) {
  const rows = await withTenant(db, tenantId, (tx) =>
    tx.delete(cronJobs).where(eq(cronJobs.id, id)).returning({ id: cronJobs.id }),
  )
  if (rows.length === 0) throw notFound(`Cron job ${id}`)
}

/** A job's runs, newest first, each with its task's outcome. */
export async function listRuns(db: Database, tenantId: string, jobId: string, limit: number) {
  return withTenant(db, tenantId, (tx) =>
    tx
      .select({ run: cronRuns, task: tasks })
      .from(cronRuns)
      .leftJoin(tasks, and(eq(tasks.tenantId, cronRuns.tenantId), eq(tasks.id, cronRuns.taskId)))
      .where(eq(cronRuns.cronjobId, jobId))
      .orderBy(desc(cronRuns.startedAt))
      .limit(limit),
  )
}
