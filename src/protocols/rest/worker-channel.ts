import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { openApprovals, takeApproval } from '../../domain/queue/approvals'
import { handBackUnstarted } from '../../domain/queue/hand-back'
import {
  claimTask,
  claimTasks,
  type Granted,
  letGo,
  releaseAndClaim,
  releaseTask,
  WISH_IDS,
  WISH_MAX,
} from '../../domain/queue/lease'
import type { Scope } from '../../domain/scope'
import { restTaskView } from '../../domain/task-model/rest-view'
import type { TaskRow } from '../../domain/task-model/store'
import { conflict, validationHook } from '../../lib/errors'
import { body as jsonBody, jsonContent, route } from './openapi'
import {
  QueueConflict,
  WorkerClaim,
  WorkerClaims,
  WorkerHandedBack,
  WorkerReleased,
} from './schemas/worker'
import { scopeOf, workerIdOf } from './scope'

/** /v1/worker/tasks: the claim/release half of the worker protocol (its line: worker-line.ts). */
export const workerChannel = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const Claim = z.object({
  task_id: z.string().min(1).max(200),
  worker_id: z.string().max(200).optional(),
})

/** A claim as the worker reads it: the lease, the task, and approvals it may take. */
async function claimView(scope: Scope, workerId: string, task: TaskRow) {
  // Only a task a worker already asked about can hold approvals: its first claim has none.
  const approvals = task.attempt > 1 ? await openApprovals(scope, task.id) : []
  return {
    success: true as const,
    task_id: task.id,
    worker_id: workerId,
    attempt: task.attempt,
    lease_expires_at: task.leaseExpiresAt?.toISOString() ?? null,
    message: 'claimed' as const,
    task: restTaskView(task),
    approvals: approvals.map((a) => ({
      id: a.id,
      tool: a.tool,
      input: a.input,
      approved_by: a.decidedBy,
      approved_at: a.decidedAt.toISOString(),
    })),
  }
}

const grantedView = async (scope: Scope, workerId: string, granted: Granted) => ({
  claims: await Promise.all(granted.tasks.map((t) => claimView(scope, workerId, t))),
  gone: granted.gone,
})

workerChannel.openapi(
  createRoute({
    method: 'post',
    path: '/claim',
    request: jsonBody(Claim),
    responses: {
      200: jsonContent(WorkerClaim, 'Claimed: the lease (attempt is the fencing token)'),
      409: jsonContent(QueueConflict, 'Already claimed, or not eligible'),
    },
  }),
  async (c) => {
    const body = c.req.valid('json')
    const workerId = await workerIdOf(c, body)
    const scope = scopeOf(c)
    const task = await claimTask(scope, body.task_id, workerId)
    return c.json(await claimView(scope, workerId, task), 200)
  },
)

/** Tasks a worker was offered and could run, and how many it has room for. */
const Wish = z.object({
  task_ids: z.array(z.string().min(1).max(200)).min(1).max(WISH_IDS).openapi({
    description: 'Pending tasks offered to this worker that it could run, any order',
  }),
  max: z.number().int().min(1).max(WISH_MAX).default(1).openapi({
    description: 'How many of them to claim at most (its free slots)',
  }),
})
const Claims = Wish.extend({ worker_id: z.string().max(200).optional() })
workerChannel.openapi(
  createRoute({
    method: 'post',
    path: '/claims',
    description:
      'Claims up to `max` of the named tasks, highest priority and oldest first, in one ' +
      'statement; tasks another claim holds at that moment are skipped, not waited for.',
    request: jsonBody(Claims),
    responses: {
      200: jsonContent(WorkerClaims, 'The claims made (maybe none), and the named tasks gone'),
    },
  }),
  async (c) => {
    const body = c.req.valid('json')
    const workerId = await workerIdOf(c, body)
    const scope = scopeOf(c)
    const granted = await claimTasks(scope, workerId, { taskIds: body.task_ids, max: body.max })
    return c.json({ success: true as const, ...(await grantedView(scope, workerId, granted)) }, 200)
  },
)

workerChannel.openapi(
  createRoute({
    method: 'post',
    path: '/{id}/approvals/{approval}/use',
    request: {
      params: z.object({ id: z.string().min(1).max(200), approval: z.uuid() }),
      body: {
        content: {
          'application/json': {
            schema: z.object({
              attempt: z.number().int().positive(),
              worker_id: z.string().max(200).optional(),
            }),
          },
        },
        required: true,
      },
    },
    responses: {
      200: jsonContent(z.object({ success: z.literal(true) }), 'Taken: run the action, once'),
      409: jsonContent(QueueConflict, 'Used already, or not yours to take'),
    },
  }),
  async (c) => {
    const { id, approval } = c.req.valid('param')
    const body = c.req.valid('json')
    const workerId = await workerIdOf(c, body)
    const taken = await takeApproval(scopeOf(c), id, approval, {
      workerId,
      attempt: body.attempt,
    })
    if (!taken)
      throw conflict(`Approval ${approval} is used, unknown, or not this worker's to take`)
    return c.json({ success: true as const }, 200)
  },
)

const outcomes = {
  'input-required': 'input-required',
  needs_input: 'input-required',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'canceled',
  canceled: 'canceled',
} as const
const Release = z
  .object({
    task_id: z.string().min(1).max(200),
    worker_id: z.string().max(200).optional(),
    /** Absent: the lease is let go and the task goes back to the queue. */
    status: z
      .enum(['completed', 'failed', 'cancelled', 'canceled', 'input-required', 'needs_input'])
      .optional(),
    /** With input-required: what the worker wants a person to approve. */
    pending_action: z
      .object({
        tool: z.string().min(1).max(200),
        input: z.unknown(),
        reason: z.string().max(10_000),
        key: z.string().min(1).max(100_000),
      })
      .optional(),
    result: z.string().max(1_000_000).optional(),
    error: z.string().max(100_000).optional(),
    /**
     * The claim's attempt: the fence that keeps a stale worker's result off a newer attempt.
     * The original CodeTether's worker sends none (and a bare release after reporting by PUT
     * status); then the holder alone fences.
     */
    attempt: z.number().int().positive().optional(),
    session_id: z.string().optional(),
    /** The worker's next work in the same round trip: claimed once the release is taken. */
    claim_next: Wish.optional(),
  })
  .refine(
    (b) => !(b.status === 'input-required' || b.status === 'needs_input') || b.pending_action,
    {
      message: 'input-required needs the pending_action a person should approve',
      path: ['pending_action'],
    },
  )
workerChannel.openapi(
  route('post', '/release', jsonBody(Release), WorkerReleased, 'Released'),
  async (c) => {
    const body = c.req.valid('json')
    const workerId = await workerIdOf(c, body)
    const scope = scopeOf(c)
    if (!body.status) {
      const task = await letGo(scope, body.task_id, workerId, body.attempt)
      return c.json({ success: true as const, task: restTaskView(task) }, 200)
    }
    const outcome = {
      state: outcomes[body.status],
      result: body.result,
      error: body.error,
      attempt: body.attempt,
      pending: body.pending_action,
    }
    const wish = body.claim_next
    if (!wish) {
      const task = await releaseTask(scope, body.task_id, workerId, outcome)
      return c.json({ success: true as const, task: restTaskView(task) }, 200)
    }
    const { task, next } = await releaseAndClaim(scope, body.task_id, workerId, outcome, {
      taskIds: wish.task_ids,
      max: wish.max,
    })
    const granted = await grantedView(scope, workerId, next)
    return c.json({ success: true as const, task: restTaskView(task), ...granted }, 200)
  },
)

/**
 * A worker that has just started, after handing back what its journal held: the tasks the
 * server still has it running were claimed as its last run was stopped, and never started.
 */
const HandBack = z.object({ worker_id: z.string().max(200).optional() })
workerChannel.openapi(
  route('post', '/hand-back', jsonBody(HandBack), WorkerHandedBack, 'Handed back'),
  async (c) => {
    const workerId = await workerIdOf(c, c.req.valid('json'))
    const handed = await handBackUnstarted(scopeOf(c), workerId)
    return c.json({ success: true as const, task_ids: handed.map((t) => t.id) }, 200)
  },
)
