import { z } from '@hono/zod-openapi'
import { restStatuses } from '../../../domain/task-model/rest-statuses'

const when = z.iso.datetime()

/** A cron job as `cronView` serves it. */
export const CronJob = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    cron_expression: z.string(),
    timezone: z.string(),
    /** The template as it was given (CreateCronJob's task_template). */
    task_template: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
    next_run_at: when.nullable().openapi({ description: 'null while disabled' }),
    last_run_at: when.nullable(),
    created_at: when,
    updated_at: when,
  })
  .openapi('CronJob')

export const CronJobPage = z
  .object({
    items: z.array(CronJob),
    total: z.number().int(),
    page: z.number().int(),
    page_size: z.number().int(),
  })
  .openapi('CronJobPage')

export const CronValidation = z
  .union([
    z.object({ valid: z.literal(true), next_runs: z.array(when) }),
    z.object({ valid: z.literal(false), error: z.string() }),
  ])
  .openapi('CronValidation')

export const CronTriggered = z
  .object({
    success: z.boolean().openapi({ description: 'Whether the run created its task' }),
    run_id: z.string(),
    task_id: z.string().nullable(),
    error: z.string().nullable(),
  })
  .openapi('CronTriggered')

export const CronDueFired = z
  .object({
    success: z.literal(true),
    next_run_at: when.nullable(),
    last_run_at: when.nullable(),
  })
  .openapi('CronDueFired')

/** A run, with its task's outcome when the task still exists. */
export const CronRun = z
  .object({
    id: z.string(),
    cronjob_id: z.string(),
    trigger: z.enum(['schedule', 'manual']),
    scheduled_for: when,
    status: z
      .enum([...restStatuses, 'claimed', 'dispatched'])
      .openapi({ description: "The task's status, or the run's while it has no task" }),
    started_at: when,
    completed_at: when.nullable(),
    duration_ms: z.number().nullable(),
    output: z.string().nullable(),
    error_message: z.string().nullable(),
    task_id: z.string().nullable(),
  })
  .openapi('CronRun')

export const CronRuns = z
  .object({ runs: z.array(CronRun), total: z.number().int() })
  .openapi('CronRuns')
