import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { listApprovals } from '../../domain/queue/approvals'
import { answerApproval } from '../../domain/queue/approve'
import { reap, stuckTasks } from '../../domain/queue/reaper'
import { requeueTask } from '../../domain/queue/requeue'
import { getTask } from '../../domain/task-model/queries'
import { restTaskView } from '../../domain/task-model/rest-view'
import { notFound, validationHook } from '../../lib/errors'
import { route } from './openapi'
import { RestTaskChanged, StuckRecovery, StuckTasks, TaskApproval } from './schemas/task'
import { scopeOf } from './scope'

/** Stuck-task tooling (upstream §2.5). Mounted before /tasks/{id} so its paths win. */
export const taskAdminApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

taskAdminApi.openapi(
  route(
    'get',
    '/stuck',
    {
      query: z.object({
        timeout_seconds: z.coerce
          .number()
          .int()
          .min(1)
          .max(7 * 86400)
          .default(300),
      }),
    },
    StuckTasks,
    'Running tasks whose lease expired or that were silent for timeout_seconds',
  ),
  async (c) => {
    const { timeout_seconds } = c.req.valid('query')
    const scope = scopeOf(c)
    const rows = await stuckTasks(scope, timeout_seconds)
    return c.json({ tasks: rows.map(restTaskView), count: rows.length, timeout_seconds }, 200)
  },
)

taskAdminApi.openapi(
  route('post', '/stuck/recover', undefined, StuckRecovery, 'What the reaper did just now'),
  async (c) => {
    const { requeued, failed } = await reap(scopeOf(c))
    return c.json(
      {
        success: true as const,
        requeued: requeued.map((t) => t.id),
        failed: failed.map((t) => t.id),
      },
      200,
    )
  },
)

taskAdminApi.openapi(
  route(
    'post',
    '/{id}/requeue',
    { params: z.object({ id: z.string().min(1).max(200) }) },
    RestTaskChanged,
    'Back in the queue; its worker no longer holds it',
  ),
  async (c) => {
    const { id } = c.req.valid('param')
    return c.json(
      { success: true as const, task: restTaskView(await requeueTask(scopeOf(c), id)) },
      200,
    )
  },
)

taskAdminApi.openapi(
  route(
    'post',
    '/{id}/approve',
    {
      params: z.object({ id: z.string().min(1).max(200) }),
      body: {
        content: {
          'application/json': {
            schema: z.object({
              approve: z.boolean().default(true),
              note: z.string().max(2000).optional(),
              /** The action the person saw (pending_action.key): another one is a 409. */
              action_key: z.string().min(1).max(100_000).optional(),
            }),
          },
        },
        required: false,
      },
    },
    RestTaskChanged,
    'Approved (back in the queue with the action allowed) or denied (failed)',
  ),
  async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json') ?? { approve: true }
    const task = await answerApproval(
      scopeOf(c),
      id,
      { approve: body.approve ?? true, note: body.note, actionKey: body.action_key },
      c.get('requestId'),
    )
    return c.json({ success: true as const, task: restTaskView(task) }, 200)
  },
)

taskAdminApi.openapi(
  route(
    'get',
    '/{id}/approvals',
    { params: z.object({ id: z.string().min(1).max(200) }) },
    z.array(TaskApproval),
    'Who approved or rejected which action of the task, and when a worker used it',
  ),
  async (c) => {
    const { id } = c.req.valid('param')
    const scope = scopeOf(c)
    if (!(await getTask(scope, id))) throw notFound(`Task ${id}`)
    return c.json(await listApprovals(scope, id), 200)
  },
)
