import { OpenAPIHono, z } from '@hono/zod-openapi'
import { userMessageJson } from '../../agents/message'
import { tokenWorker } from '../../auth/worker-identity'
import { type AppContext, type AppEnv, dbOf, principalOf, redisOfContext } from '../../context'
import { idempotentCreate } from '../../domain/limits/idempotency'
import { cancelTask } from '../../domain/queue/cancel'
import { eligibleFor, visibleTo } from '../../domain/queue/lease'
import { waitingFor } from '../../domain/queue/waiting'
import { getTask, listTasks } from '../../domain/task-model/queries'
import { readTask } from '../../domain/task-model/read-cache'
import { restTaskView, statesForRest } from '../../domain/task-model/rest-view'
import { createTask } from '../../domain/tasks/create'
import { badRequest, notFound, validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import { RestTask, RestTaskChanged, RestTaskDetail } from './schemas/task'
import { scopeOf } from './scope'

/** /v1/agent/tasks: the one task table, whoever created the task (A2A, REST, MCP, cron). */
export const tasksApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const list = route(
  'get',
  '/',
  {
    query: z.object({
      workspace_id: z.string().optional(),
      codebase_id: z.string().optional(),
      status: z.string().optional(),
      worker_id: z.string().optional(),
      agent_name: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  z.array(RestTask),
  'Tasks, newest first (a plain array, as upstream)',
)
tasksApi.openapi(list, async (c) => {
  const q = c.req.valid('query')
  const statuses = q.status === undefined ? undefined : statesForRest(q.status)
  if (q.status !== undefined && !statuses)
    throw badRequest(`status ${JSON.stringify(q.status)} is not a task status`)
  const workspace = q.workspace_id ?? q.codebase_id
  // A worker polling for work (upstream's fallback) sees only what it may claim; a worker
  // token sees nothing else, ever: what it may claim and what it holds.
  const poller = c.req.header('X-Worker-ID')
  const own = await tokenWorker(dbOf(c), principalOf(c), poller)
  const rows = await listTasks(scopeOf(c), {
    statuses,
    where: own
      ? visibleTo(own)
      : poller && q.status === 'pending'
        ? eligibleFor(poller)
        : undefined,
    workspaceId: workspace === 'global' ? undefined : workspace,
    workerId: q.worker_id,
    agentName: q.agent_name,
    limit: q.limit,
  })
  return c.json(rows.map(restTaskView), 200)
})

const get = route(
  'get',
  '/{id}',
  { params: z.object({ id: z.string().min(1).max(200) }) },
  RestTaskDetail,
  'The task',
)
tasksApi.openapi(get, async (c) => {
  const { id } = c.req.valid('param')
  const own = await tokenWorker(dbOf(c), principalOf(c), c.req.header('X-Worker-ID'))
  const [row] = own
    ? await listTasks(scopeOf(c), { id, where: visibleTo(own), limit: 1 })
    : [await readTask(scopeOf(c), id)]
  if (!row) throw notFound(`Task ${id}`)
  return c.json({ ...restTaskView(row), waiting_for: await waitingFor(scopeOf(c), row) }, 200)
})

export const CreateTask = z
  .object({
    title: z.string().max(500).default(''),
    prompt: z.string().min(1).max(1_000_000),
    agent_type: z.string().min(1).max(100).default('build'),
    priority: z.number().int().min(-1000).max(1000).default(0),
    metadata: z.record(z.string(), z.unknown()).default({}),
    workspace_id: z.string().max(200).optional(),
    codebase_id: z.string().max(200).optional(),
    model_ref: z.string().max(200).optional(),
    target_agent_name: z.string().max(200).optional(),
    target_worker_id: z.string().max(200).optional(),
    required_capabilities: z.array(z.string().max(100)).max(50).default([]),
    deadline_at: z.iso.datetime({ offset: true }).optional(),
  })
  .openapi('CreateTask')

/**
 * Creates a queued task; shared by /tasks and /codebases/{id}/tasks. With an
 * `Idempotency-Key` header, a repeat of the same request returns the task the first made.
 */
export async function createFromBody(
  c: AppContext,
  b: z.infer<typeof CreateTask>,
  workspace?: string,
) {
  const scope = scopeOf(c)
  const create = async (id?: string) => {
    // Upstream's REST tasks are a worker's work: always routed to the queue.
    const task = await createTask(scope, {
      message: { json: userMessageJson(b.prompt), text: b.prompt },
      routing: {
        workspaceId: workspace ?? b.workspace_id ?? b.codebase_id ?? null,
        agentType: b.agent_type,
        modelRef: b.model_ref ?? null,
        targetAgentName: b.target_agent_name ?? null,
        targetWorkerId: b.target_worker_id ?? null,
        requiredCapabilities: b.required_capabilities,
      },
      task: {
        id,
        title: b.title || b.prompt.slice(0, 120),
        priority: b.priority,
        metadata: b.metadata,
        deadlineAt: b.deadline_at ? new Date(b.deadline_at) : null,
      },
    })
    return restTaskView(task)
  }
  const key = c.req.header('Idempotency-Key')
  if (key === undefined) return create()
  const { value, replayed } = await idempotentCreate(
    redisOfContext(c),
    { tenantId: scope.tenantId, subject: scope.principal.subject },
    key,
    { b, workspace },
    create,
    async (id) => {
      const row = await getTask(scope, id)
      return row && restTaskView(row)
    },
  )
  if (replayed) c.header('Idempotent-Replayed', 'true')
  return value
}

tasksApi.openapi(route('post', '/', body(CreateTask), RestTask, 'The queued task'), async (c) =>
  c.json(await createFromBody(c, c.req.valid('json')), 200),
)

tasksApi.openapi(
  route(
    'post',
    '/{id}/cancel',
    { params: z.object({ id: z.string().min(1).max(200) }) },
    RestTaskChanged,
    'Cancelled; its worker is told to stop',
  ),
  async (c) => {
    const { id } = c.req.valid('param')
    return c.json(
      { success: true as const, task: restTaskView(await cancelTask(scopeOf(c), id)) },
      200,
    )
  },
)
