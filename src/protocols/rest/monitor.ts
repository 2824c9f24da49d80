import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppContext, AppEnv } from '../../context'
import { openStream } from '../../domain/limits/open-streams'
import { messagesCsv } from '../../domain/monitor/csv'
import { intervene } from '../../domain/monitor/intervene'
import { countMessages, listMessages } from '../../domain/monitor/log'
import { MESSAGE_TYPES } from '../../domain/monitor/message-types'
import { monitorAgents, monitorStats } from '../../domain/monitor/stats'
import { tailMessages } from '../../domain/monitor/stream'
import { listWorkers, onlineModels, workerView } from '../../domain/queue/workers'
import { validationHook } from '../../lib/errors'
import { sseResponse } from '../../lib/sse'
import { body, route } from './openapi'
import {
  Intervened,
  MonitorAgent,
  MonitorCount,
  MonitorMessage,
  MonitorStats,
} from './schemas/monitor'
import { OnlineModels, Worker } from './schemas/worker'
import { scopeOf } from './scope'

/** /v1/monitor: upstream's monitor API, over Postgres; the UI itself is static assets. */
export const monitorApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const Filter = z.object({
  type: z.enum(MESSAGE_TYPES).optional(),
  agent: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Upstream's cache switch; every read here is from Postgres. */
  use_cache: z.string().optional(),
})
const Search = Filter.extend({ q: z.string().min(1).max(200) })
const Count = Filter.omit({ limit: true }).extend({ q: z.string().max(200).optional() })
const Export = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  all_messages: z.enum(['true', 'false']).default('false'),
})
const EXPORT_ALL = 10_000
const Messages = z.array(MonitorMessage)

const Intervene = z
  .object({
    agent_id: z.string().min(1).max(200).optional(),
    task_id: z.string().min(1).max(200).optional(),
    message: z.string().min(1).max(20_000),
    /** Upstream sent the client's time; the server's own is what is stored. */
    timestamp: z.string().max(100).optional(),
    approve: z.boolean().optional(),
    /** With approve: the action the person saw (pending_action.key). */
    action_key: z.string().min(1).max(100_000).optional(),
  })
  .refine((b) => (b.agent_id === undefined) !== (b.task_id === undefined), {
    message: 'Name either agent_id (a message to its inbox) or task_id (an answer to the task)',
    path: ['agent_id'],
  })
  .openapi('Intervention')

monitorApi.openapi(
  route('get', '/messages', { query: Filter }, Messages, 'Newest first'),
  async (c) => {
    const q = c.req.valid('query')
    return c.json(await listMessages(scopeOf(c), q, q.limit), 200)
  },
)

monitorApi.openapi(
  route('get', '/messages/search', { query: Search }, Messages, 'Newest first'),
  async (c) => {
    const q = c.req.valid('query')
    return c.json(await listMessages(scopeOf(c), q, q.limit), 200)
  },
)

monitorApi.openapi(route('get', '/messages/count', { query: Count }, MonitorCount), async (c) => {
  const q = c.req.valid('query')
  return c.json({ count: await countMessages(scopeOf(c), q), type: q.type ?? null }, 200)
})

monitorApi.openapi(route('get', '/stats', undefined, MonitorStats), async (c) =>
  c.json(await monitorStats(scopeOf(c)), 200),
)

monitorApi.openapi(route('get', '/agents', undefined, z.array(MonitorAgent)), async (c) =>
  c.json(await monitorAgents(scopeOf(c)), 200),
)

monitorApi.openapi(route('get', '/workers', undefined, z.array(Worker)), async (c) => {
  const rows = await listWorkers(scopeOf(c), { onlineOnly: false, hideAfterHours: 24 })
  return c.json(rows.map(workerView), 200)
})

monitorApi.openapi(route('get', '/models', undefined, OnlineModels), async (c) => {
  const models = await onlineModels(scopeOf(c))
  return c.json({ models, default: models[0] ?? null }, 200)
})

monitorApi.openapi(route('post', '/intervene', body(Intervene), Intervened), async (c) => {
  const b = c.req.valid('json')
  const done = await intervene(scopeOf(c), {
    agentId: b.agent_id,
    taskId: b.task_id,
    message: b.message,
    approve: b.approve,
    actionKey: b.action_key,
  })
  return c.json({ success: true as const, ...done }, 200)
})

const exported = async (c: AppContext, q: z.infer<typeof Export>) => {
  const limit = q.all_messages === 'true' ? EXPORT_ALL : q.limit
  // Oldest first, as a log file reads.
  return (await listMessages(scopeOf(c), {}, limit)).reverse()
}
const attachment = (ext: string) => ({
  'Content-Disposition': `attachment; filename="monitor-${new Date().toISOString().slice(0, 10)}.${ext}"`,
})

monitorApi.openapi(
  route('get', '/export/json', { query: Export }, Messages, 'Oldest first, as an attachment'),
  async (c) => c.json(await exported(c, c.req.valid('query')), 200, attachment('json')),
)

monitorApi.openapi(
  createRoute({
    method: 'get',
    path: '/export/csv',
    request: { query: Export },
    responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
  }),
  async (c) =>
    c.body(messagesCsv(await exported(c, c.req.valid('query'))), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      ...attachment('csv'),
    }),
)

monitorApi.get('/stream', async (c) => {
  const scope = scopeOf(c)
  const lease = await openStream(scope, c.req.raw.signal)
  const abort = new AbortController()
  const last = c.req.header('Last-Event-ID') ?? c.req.query('last_event_id')
  const items = tailMessages(scope, last, abort.signal, {
    pollMs: 1000,
    settleMs: 750,
    presenceEvery: 30,
  })
  return sseResponse(items, { lease, onCancel: () => abort.abort(), kind: 'monitor' })
})
