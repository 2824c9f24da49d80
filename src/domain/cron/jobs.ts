import { and, count, desc, eq } from 'drizzle-orm'
import { notFound } from '../../lib/errors'
import { schedulerOf } from '../../lib/live-objects'
import { cronJobs, cronRuns, tasks } from '../../storage/postgres/schema'
import { type Tenancy, tenantBatch, tenantQuery } from '../../storage/postgres/tenant'
import { insertWithin } from '../limits/count'
import { limitsOf } from '../limits/settings'
import { assertSize, type Limits } from '../limits/table'
import type { Scope } from '../scope'
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

/** A template's prompt (or the description standing in for it) within prompt_bytes. */
function assertTemplate(limits: Limits, template: Record<string, unknown> | undefined) {
  const prompt = template?.prompt || template?.description
  if (typeof prompt === 'string') {
    assertSize('prompt_bytes', limits.prompt_bytes, prompt, 'Prompt template of a cron job')
  }
}

/** A new job, within the tenant's cron_jobs and prompt_bytes limits. */
export async function createJob(scope: Scope, input: CronJobInput) {
  const limits = await limitsOf(scope)
  assertTemplate(limits, input.taskTemplate)
  const { tenantId } = scope
  const rows = await insertWithin(
    scope,
    { name: 'cron_jobs', max: limits.cron_jobs, table: cronJobs },
    (db) =>
      db
        .insert(cronJobs)
        .values({
          tenantId,
          ...input,
          nextRunAt: nextFor(input),
          createdBy: scope.principal.subject,
        })
        .returning(),
  )
  await jobsChanged(scope)
  return rows[0] as CronJob
}

/** The tenant's scheduler reads the jobs now and sleeps until the next slot. */
const jobsChanged = (scope: Scope) => schedulerOf(scope.env, scope.tenantId).wake('cron')

export async function getJob(t: Tenancy, id: string): Promise<CronJob> {
  const [row] = await tenantQuery(t, (db) => db.select().from(cronJobs).where(eq(cronJobs.id, id)))
  if (!row) throw notFound(`Cron job ${id}`)
  return row
}

export async function listJobs(t: Tenancy, page: number, pageSize: number) {
  const [rows, [total]] = await tenantBatch(t, (db) => [
    db
      .select()
      .from(cronJobs)
      .orderBy(desc(cronJobs.createdAt), cronJobs.id)
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: count() }).from(cronJobs),
  ])
  return { items: rows, total: total?.n ?? 0 }
}

/** Changes a job; a new schedule or enabling it recomputes the next slot from now. */
export async function updateJob(
  scope: Scope,
  id: string,
  change: Partial<CronJobInput>,
): Promise<CronJob> {
  if (change.taskTemplate) assertTemplate(await limitsOf(scope), change.taskTemplate)
  const job = { ...(await getJob(scope, id)), ...change }
  const [row] = await tenantQuery(scope, (db) =>
    db
      .update(cronJobs)
      .set({ ...change, nextRunAt: nextFor(job), updatedAt: new Date() })
      .where(eq(cronJobs.id, id))
      .returning(),
  )
  if (!row) throw notFound(`Cron job ${id}`)
  await jobsChanged(scope)
  return row
}

export async function deleteJob(t: Tenancy, id: string) {
  const rows = await tenantQuery(t, (db) =>
    db.delete(cronJobs).where(eq(cronJobs.id, id)).returning({ id: cronJobs.id }),
  )
  if (rows.length === 0) throw notFound(`Cron job ${id}`)
}

/** A job's runs, newest first, each with its task's outcome. */
export async function listRuns(t: Tenancy, jobId: string, limit: number) {
  return tenantQuery(t, (db) =>
    db
      .select({ run: cronRuns, task: tasks })
      .from(cronRuns)
      .leftJoin(tasks, and(eq(tasks.tenantId, cronRuns.tenantId), eq(tasks.id, cronRuns.taskId)))
      .where(eq(cronRuns.cronjobId, jobId))
      .orderBy(desc(cronRuns.startedAt))
      .limit(limit),
  )
}
