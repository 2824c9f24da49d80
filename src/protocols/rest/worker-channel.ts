import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { WorkerLine } from '../../../durable-objects/worker-hub'
import { tokenWorker } from '../../auth/worker-identity'
import { type AppContext, type AppEnv, dbOf, principalOf } from '../../context'
import { leasedSse } from '../../domain/limits/open-streams'
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
import { workerModelKeys } from '../../domain/queue/workers'
import type { Scope } from '../../domain/scope'
import { restTaskView } from '../../domain/task-model/rest-view'
import type { TaskRow } from '../../domain/task-model/store'
import { servedBy } from '../../domain/workspaces/service'
import { conflict, notFound, validationHook } from '../../lib/errors'
import { workerHubOf } from '../../lib/live-objects'
import { body as jsonBody, jsonContent, route } from './openapi'
import {
  QueueConflict,
  WorkerClaim,
  WorkerClaims,
  WorkerHandedBack,
  WorkerReleased,
  WorkerRouting,
} from './schemas/worker'
import { scopeOf, workerOf } from './scope'

/** /v1/worker/tasks: the claim/release half of the worker protocol. */
export const workerChannel = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

/** The worker speaking: X-Worker-ID (upstream's header) or worker_id in the body. */
const workerIdOf = (c: AppContext, body: { worker_id?: string }) =>
  workerOf(c, c.req.header('X-Worker-ID') ?? body.worker_id)

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

/** The codebases a worker may be routed: a worker token only those it serves. */
async function routable(c: AppContext, workerId: string, named: string[]): Promise<string[]> {
  const ids = named.map((s) => s.trim()).filter(Boolean)
  const p = principalOf(c)
  return p.kind === 'worker_token' ? servedBy(scopeOf(c), workerId, ids) : ids
}

/**
 * The worker's task stream: `connected`, pending work replayed, `task_available` pushed as
 * tasks arrive, `heartbeat` every 15 s. Identity and routing from upstream's headers
 * (X-Agent-Name, X-Worker-ID, X-Codebases or X-Workspaces, X-Capabilities) or query; ours
 * add X-Agents, the coding CLIs the worker has.
 */
workerChannel.get('/stream', async (c) => {
  const principal = principalOf(c)
  const pick = (header: string, query: string) => c.req.header(header) ?? c.req.query(query) ?? ''
  const list = (header: string, query: string) =>
    pick(header, query)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  const named = pick('X-Worker-ID', 'worker_id') || undefined
  const workerId = (await tokenWorker(dbOf(c), principal, named)) ?? named ?? crypto.randomUUID()
  const namedCodebases = c.req.header('X-Workspaces') ?? pick('X-Codebases', 'codebases')
  const [codebases, models] = await Promise.all([
    routable(c, workerId, namedCodebases.split(',')),
    workerModelKeys(scopeOf(c), workerId),
  ])
  const line: WorkerLine = {
    workerId,
    agentName: pick('X-Agent-Name', 'agent_name'),
    codebases,
    capabilities: list('X-Capabilities', 'capabilities'),
    agents: list('X-Agents', 'agents'),
    models,
    after: Number(c.req.header('Last-Event-ID')) || 0,
  }
  return leasedSse(scopeOf(c), c.req.raw.signal, 'worker_tasks', () =>
    workerHubOf(c.env, principal.tenantId, workerId).feed(line),
  )
})

/** Upstream's PUT /v1/worker/codebases (served at /v1/worker/codebases by v1.ts). */
export const workerRouting = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
const Routing = z.object({
  worker_id: z.string().max(200).optional(),
  codebases: z.array(z.string().max(4096)).max(500).optional(),
  workspaces: z.array(z.string().max(4096)).max(500).optional(),
})
workerRouting.openapi(
  route('put', '/', jsonBody(Routing), WorkerRouting, 'Routing updated on the live stream'),
  async (c) => {
    const body = c.req.valid('json')
    const workerId = await workerIdOf(c, body)
    const codebases = await routable(c, workerId, body.workspaces ?? body.codebases ?? [])
    const tenantId = principalOf(c).tenantId
    const updated = await workerHubOf(c.env, tenantId, workerId).update(workerId, { codebases })
    if (updated === 0) throw notFound(`Connected worker ${workerId} (open the task stream first)`)
    return c.json({ success: true as const, worker_id: workerId, codebases }, 200)
  },
)
