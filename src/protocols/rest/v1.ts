import { OpenAPIHono, z } from '@hono/zod-openapi'
import { requirePrincipal } from '../../auth/middleware'
import { type AppEnv, principalOf } from '../../context'
import { validationHook } from '../../lib/errors'
import { workerHubs } from '../../lib/live-objects'
import { adminApi } from './admin'
import { agentsApi } from './agents'
import { apiKeysApi } from './api-keys'
import { authApi } from './auth'
import { billingApi } from './billing'
import { cronApi } from './cronjobs'
import { keysApi } from './keys'
import { limitsApi } from './limits'
import { liveKitApi } from './livekit'
import { monitorApi } from './monitor'
import { jsonContent } from './openapi'
import { runtimeApi } from './runtime'
import { ConnectedWorker } from './schemas/status'
import { sessionsApi } from './sessions'
import { statusApi } from './status'
import { taskAdminApi } from './task-admin'
import { taskOutputApi } from './task-output'
import { taskPushApi } from './task-push'
import { taskStatusApi } from './task-status'
import { tasksApi } from './tasks'
import { tenantsApi } from './tenants'
import { workerChannel } from './worker-channel'
import { workerRouting, workerStream } from './worker-line'
import { modelsApi, workersApi } from './workers'
import { workspacesApi } from './workspaces'

/** The REST API. Every route below needs a principal. */
export const v1 = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

v1.use(requirePrincipal())
v1.route('/auth', authApi)
v1.route('/auth', keysApi)
v1.route('/tenants', tenantsApi)
v1.route('/agents', agentsApi)
v1.route('/agent/workspaces', workspacesApi)
v1.route('/agent/codebases', workspacesApi)
v1.route('/agent/workspaces', sessionsApi)
v1.route('/agent/codebases', sessionsApi)
v1.route('/agent/runtime', runtimeApi)
v1.route('/token-billing', billingApi)
v1.route('/limits', limitsApi)
v1.route('/agent/tasks', taskAdminApi)
v1.route('/agent/tasks', tasksApi)
v1.route('/agent/tasks', taskStatusApi)
v1.route('/agent/tasks', taskOutputApi)
v1.route('/agent/tasks', taskPushApi)
v1.route('/agent/workers', workersApi)
v1.route('/agent/models', modelsApi)
v1.route('/agent/api-keys', apiKeysApi)
v1.route('/agent/status', statusApi)
v1.route('/worker/tasks', workerChannel)
v1.route('/worker/tasks', workerStream)
v1.route('/worker/codebases', workerRouting)
v1.route('/cronjobs', cronApi)
v1.route('/livekit', liveKitApi)
v1.route('/admin', adminApi)
v1.route('/monitor', monitorApi)
v1.get('/worker/connected', async (c) => {
  const hubs = workerHubs(c.env, principalOf(c).tenantId)
  // Annotated so the compiler holds the hubs' answers to the schema documented below.
  const workers: z.infer<typeof ConnectedWorker>[] = (
    await Promise.all(hubs.map((hub) => hub.connectedWorkers()))
  ).flat()
  return c.json(workers)
})

// Routes served as raw streams are documented here, so /openapi.json covers every /v1 route.
const sse = {
  200: {
    description: 'text/event-stream',
    content: { 'text/event-stream': { schema: { type: 'string' as const } } },
  },
}
v1.openAPIRegistry.registerPath({
  method: 'get',
  path: '/worker/tasks/stream',
  summary:
    "A worker's task stream: connected, task_available (pending replayed, new pushed), heartbeat, task_cancelled",
  responses: sse,
})
v1.openAPIRegistry.registerPath({
  method: 'get',
  path: '/agent/tasks/{id}/output/stream',
  summary: 'Output events (id = seq) from ?since or Last-Event-ID, live ones, then done',
  responses: sse,
})
v1.openAPIRegistry.registerPath({
  method: 'get',
  path: '/monitor/stream',
  summary:
    'The monitor feed: connected, agent_status, then every message (id = cursor) after Last-Event-ID',
  responses: sse,
})
v1.openAPIRegistry.registerPath({
  method: 'get',
  path: '/worker/connected',
  summary: 'Workers with an open task stream',
  responses: { 200: jsonContent(z.array(ConnectedWorker), 'Workers with an open task stream') },
})
