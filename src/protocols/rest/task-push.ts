import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { taskDeliveries } from '../../domain/push/outbox'
import { getTask } from '../../domain/task-model/queries'
import { notFound, validationHook } from '../../lib/errors'
import { route } from './openapi'
import { PushDeliveries } from './schemas/push'
import { scopeOf } from './scope'

/** GET /v1/agent/tasks/{id}/push-deliveries: what the task's webhooks were sent, and how it went. */
export const taskPushApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const iso = (d: Date | null) => d?.toISOString() ?? null

taskPushApi.openapi(
  route(
    'get',
    '/{id}/push-deliveries',
    { params: z.object({ id: z.string().min(1).max(200) }) },
    PushDeliveries,
    "The task's push deliveries, oldest event first",
  ),
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
    return c.json({ task_id: id, deliveries }, 200)
  },
)
