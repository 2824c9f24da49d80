import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { can } from '../../auth/permissions'
import { tokenWorker } from '../../auth/worker-identity'
import { type AppEnv, dbOf, principalOf } from '../../context'
import { leasedSse } from '../../domain/limits/open-streams'
import { createQueuedTask } from '../../domain/queue/tasks'
import { setWatch, watchStatus } from '../../domain/queue/watch'
import { addWorkspace } from '../../domain/queue/workspace-tasks'
import {
  deleteWorkspace,
  GLOBAL_WORKSPACE,
  getWorkspace,
  listWorkspaces,
  workspaceView,
} from '../../domain/workspaces/service'
import { validationHook } from '../../lib/errors'
import { workspaceHubOf } from '../../lib/live-objects'
import { jsonContent } from './openapi'
import { RestTask } from './schemas/task'
import { WatchStatus, Workspace, WorkspaceAdded, WorkspaceTriggered } from './schemas/workspace'
import { scopeOf } from './scope'
import { CreateTask, createFromBody } from './tasks'

/** Served under both /v1/agent/workspaces and upstream's /v1/agent/codebases. */
export const workspacesApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const IdParam = z.object({ id: z.string().min(1).max(200) })

const list = createRoute({
  method: 'get',
  path: '/',
  request: { query: z.object({ path: z.string().min(1).optional() }) },
  responses: { 200: jsonContent(z.array(Workspace), 'Workspaces of the tenant') },
})
workspacesApi.openapi(list, async (c) => {
  const { path } = c.req.valid('query')
  const rows = await listWorkspaces(scopeOf(c), { path })
  return c.json(rows.map(workspaceView), 200)
})

const RegisterBody = z
  .object({
    name: z.string().min(1).max(200),
    path: z.string().min(1).max(4096),
    description: z.string().max(10_000).optional(),
    agent_config: z.record(z.string(), z.unknown()).optional(),
    worker_id: z.string().min(1).max(200).optional(),
    git_url: z.url().max(2048).optional(),
    git_branch: z.string().max(255).optional(),
    global: z.boolean().optional().openapi({
      description:
        "The worker's global codebase (its home directory): tasks for `global` run there",
    }),
  })
  .openapi('RegisterWorkspace')

const register = createRoute({
  method: 'post',
  path: '/',
  request: { body: { content: { 'application/json': { schema: RegisterBody } }, required: true } },
  responses: {
    200: jsonContent(
      WorkspaceAdded,
      'The registered workspace (also as `codebase`, upstream’s name)',
    ),
  },
})
workspacesApi.openapi(register, async (c) => {
  const body = c.req.valid('json')
  const added = await addWorkspace(scopeOf(c), {
    name: body.name,
    path: body.path,
    description: body.description,
    agentConfig: body.agent_config,
    workerId: (await tokenWorker(dbOf(c), principalOf(c), body.worker_id)) ?? body.worker_id,
    gitUrl: body.git_url,
    gitBranch: body.git_branch,
    // The original's worker names its home "global" and says nothing more.
    global: body.global ?? (body.name === 'global' && body.worker_id !== undefined),
    keepOwner: principalOf(c).kind === 'worker_token',
    mayRegisterWorker: can(principalOf(c), 'workers:connect'),
  })
  return c.json(added, 200)
})

const get = createRoute({
  method: 'get',
  path: '/{id}',
  request: { params: IdParam },
  responses: { 200: jsonContent(Workspace, 'The workspace') },
})
workspacesApi.openapi(get, async (c) => {
  const { id } = c.req.valid('param')
  if (id === 'global') return c.json(GLOBAL_WORKSPACE, 200)
  return c.json(workspaceView(await getWorkspace(scopeOf(c), id)), 200)
})

const Trigger = z
  .object({
    prompt: z.string().min(1).max(1_000_000),
    agent: z.string().min(1).max(100).default('build'),
    model: z.string().max(200).optional(),
    model_ref: z.string().max(200).optional(),
    metadata: z.record(z.string(), z.unknown()).default({}),
    priority: z.number().int().min(-1000).max(1000).default(0),
  })
  .openapi('TriggerAgent')

/** Upstream's trigger: a task for the workspace's agent, and where it went. */
workspacesApi.openapi(
  createRoute({
    method: 'post',
    path: '/{id}/trigger',
    request: {
      params: IdParam,
      body: { content: { 'application/json': { schema: Trigger } }, required: true },
    },
    responses: { 200: jsonContent(WorkspaceTriggered, 'Queued, with its routing') },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const b = c.req.valid('json')
    const modelRef = (b.model_ref ?? b.model)?.replace('/', ':') ?? null
    const task = await createQueuedTask(scopeOf(c), {
      title: b.prompt.slice(0, 120),
      prompt: b.prompt,
      agentType: b.agent,
      priority: b.priority,
      // Runs now even on a codebase that is not watched: someone asked for it.
      metadata: { ...b.metadata, triggered: true },
      workspaceId: id,
      modelRef,
    })
    return c.json(
      {
        success: true as const,
        session_id: task.id,
        task_id: task.id,
        task_status:
          task.workersNotified > 0 ? ('dispatched' as const) : ('waiting_for_worker' as const),
        workers_notified: task.workersNotified,
        routing: { model_ref: modelRef, target_agent_name: null, agent_type: b.agent },
      },
      200,
    )
  },
)

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  request: { params: IdParam },
  responses: { 200: jsonContent(z.object({ success: z.literal(true) }), 'Deleted') },
})
workspacesApi.openapi(remove, async (c) => {
  const { id } = c.req.valid('param')
  await deleteWorkspace(scopeOf(c), id)
  return c.json({ success: true as const }, 200)
})

const workspaceTasks = createRoute({
  method: 'post',
  path: '/{id}/tasks',
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: CreateTask } }, required: true },
  },
  responses: { 200: jsonContent(RestTask, 'The queued task') },
})
workspacesApi.openapi(workspaceTasks, async (c) => {
  const { id } = c.req.valid('param')
  return c.json(await createFromBody(c, c.req.valid('json'), id), 200)
})

/**
 * GET /{id}/events: the UI's live view of a workspace: connected, then status, message
 * (output text), tool (parsed coding-CLI events) and result events of its tasks.
 */
workspacesApi.get('/:id/events', async (c) => {
  const id = c.req.param('id') ?? ''
  const tenantId = principalOf(c).tenantId
  if (id !== 'global') await getWorkspace(scopeOf(c), id) // 404 when unknown
  return leasedSse(scopeOf(c), c.req.raw.signal, 'workspace_events', () =>
    workspaceHubOf(c.env, tenantId, id).watchWorkspace(id),
  )
})

for (const [action, on] of [
  ['start', true],
  ['stop', false],
] as const) {
  workspacesApi.openapi(
    createRoute({
      method: 'post',
      path: `/{id}/watch/${action}`,
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': {
              schema: z.object({ interval: z.number().int().min(1).max(3600).default(5) }),
            },
          },
        },
      },
      responses: { 200: jsonContent(WatchStatus, `Watch mode ${action}ed`) },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const body = (await c.req.json().catch(() => ({}))) as { interval?: unknown }
      const interval =
        typeof body.interval === 'number' && body.interval >= 1
          ? Math.min(3600, Math.floor(body.interval))
          : 5
      return c.json(await setWatch(scopeOf(c), id, on, interval), 200)
    },
  )
}

workspacesApi.openapi(
  createRoute({
    method: 'get',
    path: '/{id}/watch/status',
    request: { params: IdParam },
    responses: { 200: jsonContent(WatchStatus, 'Watch mode and queue counts') },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    return c.json(await watchStatus(scopeOf(c), id), 200)
  },
)
