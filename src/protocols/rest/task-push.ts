import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { taskDeliveries } from '../../domain/push/outbox'
import { getTask } from '../../domain/tasks/store'
import { notFound, validationHook } from '../../lib/errors'
import { jsonContent } from './openapi'
import { scopeOf } from './scope'

/** GET /v1/agent/tasks/{id}/push-deliveries: what the task's webhooks were sent, and how it went. */
export const taskPushApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const Try = z
  .object({
    attempt: z.number().int(),
    attempted_at: z.string(),
    /** The receiver's HTTP status; null when it did not answer or the URL was refused. */
    status_code: z.number().int().nullable(),
    error: z.string().nullable(),
    /** When this failure is retried; null when it landed or was the last try. */
    next_retry_at: z.string().nullable(),
  })
  .openapi('PushAttempt')

const Delivery = z
  .object({
    config_id: z.string(),
    seq: z.number().int(),
    event_id: z.string(),
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    next_retry_at: z.string().nullable(),
    created_at: z.string(),
    settled_at: z.string().nullable(),
    tries: z.array(Try),
  })
  .openapi('PushDelivery')

const Listing = z.object({ task_id: z.string(), deliveries: z.array(Delivery) })

const iso = (d: Date | null) => d?.toISOString() ?? null

taskPushApi.openapi(
  createRoute({
    method: 'get',
    path: '/{id}/push-deliveries',
    request: { params: z.object({ id: z.string().min(1).max(200) }) },
    responses: { 200: jsonContent(Listing, "The task's push deliveries, oldest event first") },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const scope = scopeOf(c)
    if (!(await getTask(scope, id))) throw notFound(`Task ${id}`)
    const deliveries = (await taskDeliveries(scope, id)).map((d) => ({
      config_id: d.configId,
      seq: d.seq,
      event_id: `${d.taskId}:${d.seq}`,
      state: d.state,
      attempts: d.attempts,
      next_retry_at: iso(d.nextAttemptAt),
      created_at: d.createdAt.toISOString(),
      settled_at: iso(d.settledAt),
      tries: d.tries.map((t) => ({
        attempt: t.attempt,
        attempted_at: t.attemptedAt.toISOString(),
        status_code: t.statusCode,
        error: t.error,
        next_retry_at: iso(t.nextAttemptAt),
      })),
    }))
    return c.json(Listing.parse({ task_id: id, deliveries }), 200)
  },
)
