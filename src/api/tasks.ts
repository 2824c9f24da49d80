import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { type AppEnv, dbOf, principalOf } from '../context'
import { badRequest, notFound, validationHook } from '../lib/errors'
import { restTaskView, statesForRest } from '../tasks/rest-view'
import { getTask, listTasks } from '../tasks/store'
import { jsonContent } from './openapi'

/** /v1/agent/tasks: the one task table, whoever created the task (A2A, REST, MCP, cron). */
export const tasksApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const TaskView = z.record(z.string(), z.unknown()).openapi('AgentTask')

const list = createRoute({
  method: 'get',
  path: '/',
  request: {
    query: z.object({
      workspace_id: z.string().optional(),
      codebase_id: z.string().optional(),
      status: z.string().optional(),
      worker_id: z.string().optional(),
      agent_name: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: jsonContent(z.array(TaskView), 'Tasks, newest first (a plain array, as upstream)'),
  },
})
tasksApi.openapi(list, async (c) => {
  const q = c.req.valid('query')
  const statuses = q.status === undefined ? undefined : statesForRest(q.status)
  if (q.status !== undefined && !statuses)
    throw badRequest(`status ${JSON.stringify(q.status)} is not a task status`)
  const workspace = q.workspace_id ?? q.codebase_id
  const rows = await listTasks(dbOf(c), principalOf(c).tenantId, {
    statuses,
    workspaceId: workspace === 'global' ? undefined : workspace,
    workerId: q.worker_id,
    agentName: q.agent_name,
    limit: q.limit,
  })
  return c.json(rows.map(restTaskView), 200)
})

const get = createRoute({
  method: 'get',
  path: '/{id}',
  request: { params: z.object({ id: z.string().min(1).max(200) }) },
  responses: { 200: jsonContent(TaskView, 'The task') },
})
tasksApi.openapi(get, async (c) => {
  const { id } = c.req.valid('param')
  const row = await getTask(dbOf(c), principalOf(c).tenantId, id)
  if (!row) throw notFound(`Task ${id}`)
  return c.json(restTaskView(row), 200)
})
