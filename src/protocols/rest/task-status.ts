import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { claimTask, releaseTask } from '../../domain/queue/lease'
import { getTask } from '../../domain/task-model/queries'
import { restTaskView } from '../../domain/task-model/rest-view'
import { conflict, notFound, validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import { RestTaskChanged } from './schemas/task'
import { scopeOf, workerOf } from './scope'

/**
 * PUT /v1/agent/tasks/{id}/status: upstream's other way for a worker to report (running at
 * the start, a final state at the end). Mapped onto claim and release, so the same fencing
 * applies: only the holder finishes a task, and only once.
 */
export const taskStatusApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const Body = z.object({
  status: z.enum(['pending', 'queued', 'assigned', 'running', 'completed', 'failed', 'cancelled']),
  worker_id: z.string().min(1).max(200),
  session_id: z.string().max(200).optional(),
  result: z.string().max(1_000_000).optional(),
  error: z.string().max(100_000).optional(),
})

taskStatusApi.openapi(
  route(
    'put',
    '/{id}/status',
    { params: z.object({ id: z.string().min(1).max(200) }), ...body(Body) },
    RestTaskChanged,
    'The task after the change',
  ),
  async (c) => {
    const { id } = c.req.valid('param')
    const b = c.req.valid('json')
    const scope = scopeOf(c)
    const worker = await workerOf(c, b.worker_id)
    const task = await getTask(scope, id)
    if (!task) throw notFound(`Task ${id}`)
    if (b.status === 'running' || b.status === 'assigned') {
      const held = task.status === 'working' && task.workerId === worker
      const row = held ? task : await claimTask(scope, id, worker)
      return c.json({ success: true as const, task: restTaskView(row) }, 200)
    }
    if (b.status === 'pending' || b.status === 'queued') {
      if (task.status === 'submitted')
        return c.json({ success: true as const, task: restTaskView(task) }, 200)
      throw conflict('A worker cannot put a task back in the queue; use POST .../requeue', {
        status: 'running',
      })
    }
    const state = b.status === 'cancelled' ? 'canceled' : b.status
    const row = await releaseTask(scope, id, worker, {
      state,
      result: b.result,
      error: b.error,
    })
    return c.json({ success: true as const, task: restTaskView(row) }, 200)
  },
)
