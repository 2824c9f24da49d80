import { and, asc, eq, lt, lte, min } from 'drizzle-orm'
import { sqlState } from '../../lib/db-error'
import { ApiError } from '../../lib/errors'
import { log } from '../../lib/log'
import { cronJobs, cronRuns } from '../../storage/postgres/schema'
import { tenantBatch, tenantQuery } from '../../storage/postgres/tenant'
import { createQueuedTask } from '../queue/tasks'
import type { Scope } from '../scope'
import { type CronJob, type CronRun, scheduleOf } from './jobs'
import { lastSlot, nextSlot } from './schedule'

/** A claimed run whose task was not recorded this long after: the claimer died; finish its work. */
const STALE_CLAIM_MS = 60_000

/**
 * Fires the tenant's due jobs, once each. Each slot is claimed by inserting its run (unique per
 * job and slot) and moving the job to its next slot in the same transaction: a second
 * scheduler, a retry or a restart finds the slot taken. Missed slots (downtime) coalesce: a
 * job that missed several fires once, for the latest due slot, and resumes its schedule from
 * now. Answers when the next job is due, for the alarm.
 */
export async function fireDueJobs(scope: Scope, now = new Date()): Promise<Date | null> {
  const due = await tenantQuery(scope, (db) =>
    db
      .select()
      .from(cronJobs)
      .where(and(eq(cronJobs.enabled, true), lte(cronJobs.nextRunAt, now)))
      .orderBy(asc(cronJobs.nextRunAt))
      .limit(100),
  )
  for (const job of due) {
    try {
      const run = await claimSlot(scope, job, now)
      if (run) await dispatchRun(scope, job, run)
    } catch (err) {
      log.error('cron job failed to fire', { cronjob_id: job.id, error: err as Error })
    }
  }
  await finishStaleClaims(scope, now)
  const [next] = await tenantQuery(scope, (db) =>
    db
      .select({ at: min(cronJobs.nextRunAt) })
      .from(cronJobs)
      .where(eq(cronJobs.enabled, true)),
  )
  return next?.at ?? null
}

async function claimSlot(scope: Scope, job: CronJob, now: Date): Promise<CronRun | undefined> {
  const slot = job.nextRunAt as Date
  // The latest slot that is due stands for every one missed before it.
  const due = lastSlot(scheduleOf(job), now)
  const latest = due && due > slot ? due : slot
  const next = nextSlot(scheduleOf(job), now)
  const [claimed] = await tenantBatch(scope, (db) => [
    db
      .insert(cronRuns)
      .values({ tenantId: scope.tenantId, cronjobId: job.id, scheduledFor: latest })
      .onConflictDoNothing()
      .returning(),
    db
      .update(cronJobs)
      .set({ nextRunAt: next, lastRunAt: latest })
      .where(and(eq(cronJobs.id, job.id), eq(cronJobs.nextRunAt, slot))),
  ])
  return claimed[0]
}

/** A run someone asked for by hand (trigger now): a slot of its own. */
export async function fireNow(scope: Scope, job: CronJob): Promise<CronRun> {
  const [run] = await tenantBatch(scope, (db) => [
    db
      .insert(cronRuns)
      .values({
        tenantId: scope.tenantId,
        cronjobId: job.id,
        scheduledFor: new Date(),
        trigger: 'manual',
      })
      .returning(),
    db.update(cronJobs).set({ lastRunAt: new Date() }).where(eq(cronJobs.id, job.id)),
  ])
  const created = run[0] as CronRun
  const done = await dispatchRun(scope, job, created)
  // The person asking is told as any creator would be; the run stays recorded as failed.
  if (done.refusal) throw done.refusal
  return done.run
}

/**
 * Creates the run's task through the normal path. Its id derives from the run, so doing this
 * twice (a claimer that died after creating it) finds the task already there.
 */
async function dispatchRun(
  scope: Scope,
  job: CronJob,
  run: CronRun,
): Promise<{ run: CronRun; refusal?: ApiError }> {
  const t = job.taskTemplate
  const taskId = `cron-${run.id}`
  let error: string | null = null
  let refusal: ApiError | undefined
  try {
    await createQueuedTask(scope, {
      id: taskId,
      title: String(t.title ?? '') || `${job.name} (cron)`,
      prompt: String(t.prompt ?? t.description ?? ''),
      agentType: String(t.agent_type ?? 'build'),
      priority: Number(t.priority ?? 0),
      workspaceId: (t.codebase_id ?? t.workspace_id ?? null) as string | null,
      modelRef: (t.model_ref ?? t.model ?? null) as string | null,
      metadata: {
        ...((t.metadata as Record<string, unknown>) ?? {}),
        cronjob_id: job.id,
        cron_run_id: run.id,
        scheduled_for: run.scheduledFor.toISOString(),
      },
    })
  } catch (err) {
    // A limit (tasks per minute, the budget) fails this run by name; the schedule goes on.
    if (err instanceof ApiError) refusal = err
    if (sqlState(err) !== '23505') error = (err as Error).message
  }
  const [updated] = await tenantQuery(scope, (db) =>
    db
      .update(cronRuns)
      .set(error ? { status: 'failed', error } : { status: 'dispatched', taskId })
      .where(eq(cronRuns.id, run.id))
      .returning(),
  )
  return { run: updated ?? run, refusal }
}

async function finishStaleClaims(scope: Scope, now: Date) {
  const stale = await tenantQuery(scope, (db) =>
    db
      .select({ run: cronRuns, job: cronJobs })
      .from(cronRuns)
      .innerJoin(
        cronJobs,
        and(eq(cronJobs.tenantId, cronRuns.tenantId), eq(cronJobs.id, cronRuns.cronjobId)),
      )
      .where(
        and(
          eq(cronRuns.status, 'claimed'),
          lt(cronRuns.startedAt, new Date(now.getTime() - STALE_CLAIM_MS)),
        ),
      )
      .limit(100),
  )
  for (const { run, job } of stale) await dispatchRun(scope, job, run)
}
