import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { fireDueJobs, fireNow } from '../../domain/cron/fire'
import {
  type CronJob,
  type CronJobInput,
  createJob,
  deleteJob,
  getJob,
  listJobs,
  listRuns,
  updateJob,
} from '../../domain/cron/jobs'
import { InvalidSchedule, upcoming } from '../../domain/cron/schedule'
import { restStatus } from '../../domain/task-model/states'
import { badRequest, validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import {
  CronDueFired,
  CronJobPage,
  CronJob as CronJobSchema,
  CronRuns,
  CronTriggered,
  CronValidation,
} from './schemas/cron'
import { scopeOf } from './scope'

/** /v1/cronjobs: upstream's cron jobs; each run creates a task through the normal path. */
export const cronApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const Id = z.object({ id: z.uuid() })

const Template = z
  .object({
    title: z.string().max(500).optional(),
    prompt: z.string().max(1_000_000).optional(),
    description: z.string().max(1_000_000).optional(),
    agent_type: z.string().min(1).max(100).default('build'),
    codebase_id: z.string().max(200).optional(),
    workspace_id: z.string().max(200).optional(),
    priority: z.number().int().min(-1000).max(1000).default(0),
    model: z.string().max(200).optional(),
    model_ref: z.string().max(200).optional(),
    worker_personality: z.string().max(200).optional(),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((t) => Boolean(t.prompt || t.description), {
    message: 'task_template needs a prompt (or description)',
    path: ['prompt'],
  })

const Fields = {
  name: z.string().min(1).max(200),
  description: z.string().max(5000).optional(),
  cron_expression: z.string().min(1).max(200),
  timezone: z.string().min(1).max(100).default('UTC'),
  task_template: Template,
  enabled: z.boolean().default(true),
}
const Create = z.object(Fields).openapi('CreateCronJob')
const Update = z
  .object({
    name: Fields.name,
    description: Fields.description,
    cron_expression: Fields.cron_expression,
    timezone: z.string().min(1).max(100),
    task_template: Template,
    enabled: z.boolean(),
  })
  .partial()
  .openapi('UpdateCronJob')

const iso = (d: Date | null) => d?.toISOString() ?? null

function cronView(j: CronJob) {
  return {
    id: j.id,
    name: j.name,
    description: j.description,
    cron_expression: j.cronExpression,
    timezone: j.timezone,
    task_template: j.taskTemplate,
    enabled: j.enabled,
    next_run_at: iso(j.nextRunAt),
    last_run_at: iso(j.lastRunAt),
    created_at: j.createdAt.toISOString(),
    updated_at: j.updatedAt.toISOString(),
  }
}

/** A body's fields as the store takes them; schedule errors become a 400 naming the field. */
function inputOf(b: Partial<z.infer<typeof Create>>): Partial<CronJobInput> {
  const out: Partial<CronJobInput> = {}
  if (b.name !== undefined) out.name = b.name
  if (b.description !== undefined) out.description = b.description
  if (b.cron_expression !== undefined) out.cronExpression = b.cron_expression.trim()
  if (b.timezone !== undefined) out.timezone = b.timezone
  if (b.task_template !== undefined) out.taskTemplate = b.task_template
  if (b.enabled !== undefined) out.enabled = b.enabled
  return out
}

async function checked<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (err) {
    if (err instanceof InvalidSchedule) throw badRequest(err.message)
    throw err
  }
}

cronApi.openapi(route('post', '/', body(Create), CronJobSchema), async (c) => {
  const scope = scopeOf(c)
  const b = c.req.valid('json')
  const job = await checked(() => createJob(scope, inputOf(b) as CronJobInput))
  return c.json(cronView(job), 200)
})

cronApi.openapi(
  route(
    'get',
    '/',
    {
      query: z.object({
        page: z.coerce.number().int().min(1).default(1),
        page_size: z.coerce.number().int().min(1).max(100).default(20),
      }),
    },
    CronJobPage,
  ),
  async (c) => {
    const { page, page_size } = c.req.valid('query')
    const scope = scopeOf(c)
    const { items, total } = await listJobs(scope, page, page_size)
    return c.json({ items: items.map(cronView), total, page, page_size }, 200)
  },
)

cronApi.openapi(
  route(
    'post',
    '/validate-cron',
    body(
      z.object({
        cron_expression: z.string().max(200),
        timezone: z.string().max(100).default('UTC'),
      }),
    ),
    CronValidation,
    'Whether the schedule is valid, and its next five runs',
  ),
  (c) => {
    const b = c.req.valid('json')
    try {
      const next = upcoming({ expression: b.cron_expression, timezone: b.timezone }, 5)
      return c.json({ valid: true as const, next_runs: next.map((d) => d.toISOString()) }, 200)
    } catch (err) {
      if (!(err instanceof InvalidSchedule)) throw err
      return c.json({ valid: false as const, error: err.message }, 200)
    }
  },
)

cronApi.openapi(route('get', '/{id}', { params: Id }, CronJobSchema), async (c) => {
  const scope = scopeOf(c)
  return c.json(cronView(await getJob(scope, c.req.valid('param').id)), 200)
})

cronApi.openapi(
  route('put', '/{id}', { params: Id, ...body(Update) }, CronJobSchema),
  async (c) => {
    const scope = scopeOf(c)
    const change = inputOf(c.req.valid('json'))
    const job = await checked(() => updateJob(scope, c.req.valid('param').id, change))
    return c.json(cronView(job), 200)
  },
)

cronApi.openapi(
  route('delete', '/{id}', { params: Id }, z.object({ success: z.literal(true) })),
  async (c) => {
    const scope = scopeOf(c)
    await deleteJob(scope, c.req.valid('param').id)
    return c.json({ success: true as const }, 200)
  },
)

cronApi.openapi(route('post', '/{id}/toggle', { params: Id }, CronJobSchema), async (c) => {
  const scope = scopeOf(c)
  const { id } = c.req.valid('param')
  const job = await getJob(scope, id)
  const toggled = await updateJob(scope, id, { enabled: !job.enabled })
  return c.json(cronView(toggled), 200)
})

cronApi.openapi(route('post', '/{id}/trigger', { params: Id }, CronTriggered), async (c) => {
  const scope = scopeOf(c)
  const job = await getJob(scope, c.req.valid('param').id)
  const run = await fireNow(scope, job)
  return c.json(
    { success: run.status === 'dispatched', run_id: run.id, task_id: run.taskId, error: run.error },
    200,
  )
})

/** For an external scheduler (upstream's Knative driver): fires what is due, once. */
cronApi.openapi(
  route('post', '/internal/{id}/trigger', { params: Id }, CronDueFired),
  async (c) => {
    const scope = scopeOf(c)
    const job = await getJob(scope, c.req.valid('param').id)
    await fireDueJobs(scope)
    const after = await getJob(scope, job.id)
    return c.json(
      {
        success: true as const,
        next_run_at: iso(after.nextRunAt),
        last_run_at: iso(after.lastRunAt),
      },
      200,
    )
  },
)

cronApi.openapi(
  route(
    'get',
    '/{id}/runs',
    {
      params: Id,
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    },
    CronRuns,
    'Runs, newest first',
  ),
  async (c) => {
    const scope = scopeOf(c)
    const { id } = c.req.valid('param')
    await getJob(scope, id) // 404 for another tenant's or a missing job
    const rows = await listRuns(scope, id, c.req.valid('query').limit)
    const runs = rows.map(({ run, task }) => ({
      id: run.id,
      cronjob_id: run.cronjobId,
      trigger: run.trigger,
      scheduled_for: run.scheduledFor.toISOString(),
      status: task ? restStatus[task.status] : run.status,
      started_at: run.startedAt.toISOString(),
      completed_at: iso(task?.completedAt ?? null),
      duration_ms: task?.completedAt ? task.completedAt.getTime() - run.startedAt.getTime() : null,
      output: task?.result ?? null,
      error_message: run.error ?? task?.error ?? null,
      task_id: run.taskId,
    }))
    return c.json({ runs, total: runs.length }, 200)
  },
)
