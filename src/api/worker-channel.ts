import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppContext, AppEnv } from '../context'
import { badRequest, validationHook } from '../lib/errors'
import { claimTask, releaseTask } from '../queue/lease'
import { restTaskView } from '../tasks/rest-view'
import { jsonContent } from './openapi'
import { scopeOf } from './scope'

/** /v1/worker/tasks: the claim/release half of the worker protocol. */
export const workerChannel = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

/** The worker speaking: X-Worker-ID (upstream's header) or worker_id in the body. */
function workerIdOf(c: AppContext, body: { worker_id?: string }): string {
  const id = c.req.header('X-Worker-ID') ?? body.worker_id
  if (!id) throw badRequest('Name the worker: X-Worker-ID header or worker_id in the body')
  return id
}

const Claim = z.object({
  task_id: z.string().min(1).max(200),
  worker_id: z.string().max(200).optional(),
})
workerChannel.openapi(
  createRoute({
    method: 'post',
    path: '/claim',
    request: { body: { content: { 'application/json': { schema: Claim } }, required: true } },
    responses: {
      200: jsonContent(
        z.record(z.string(), z.unknown()),
        'Claimed: the lease (attempt is the fencing token)',
      ),
      409: jsonContent(z.record(z.string(), z.unknown()), 'Already claimed, or not eligible'),
    },
  }),
  async (c) => {
    const body = c.req.valid('json')
    const workerId = workerIdOf(c, body)
    const task = await claimTask(scopeOf(c), body.task_id, workerId)
    return c.json(
      {
        success: true,
        task_id: task.id,
        worker_id: workerId,
        attempt: task.attempt,
        lease_expires_at: task.leaseExpiresAt?.toISOString() ?? null,
        message: 'claimed',
        task: restTaskView(task),
      },
      200,
    )
  },
)

const outcomes = {
  completed: 'completed',
  failed: 'failed',
  cancelled: 'canceled',
  canceled: 'canceled',
} as const
const Release = z.object({
  task_id: z.string().min(1).max(200),
  worker_id: z.string().max(200).optional(),
  status: z.enum(['completed', 'failed', 'cancelled', 'canceled']),
  result: z.string().max(1_000_000).optional(),
  error: z.string().max(100_000).optional(),
  attempt: z.number().int().positive().optional(),
  session_id: z.string().optional(),
})
workerChannel.openapi(
  createRoute({
    method: 'post',
    path: '/release',
    request: { body: { content: { 'application/json': { schema: Release } }, required: true } },
    responses: { 200: jsonContent(z.record(z.string(), z.unknown()), 'Released') },
  }),
  async (c) => {
    const body = c.req.valid('json')
    const task = await releaseTask(scopeOf(c), body.task_id, workerIdOf(c, body), {
      state: outcomes[body.status],
      result: body.result,
      error: body.error,
      attempt: body.attempt,
    })
    return c.json({ success: true, task: restTaskView(task) }, 200)
  },
)
