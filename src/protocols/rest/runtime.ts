import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { sessionProjects, sessionTotals } from '../../domain/sessions/projects'
import {
  getSession,
  listMessages,
  listParts,
  listSessions,
  sessionView,
} from '../../domain/sessions/store'
import { notFound, validationHook } from '../../lib/errors'
import { route } from './openapi'
import {
  RuntimeMessages,
  RuntimeParts,
  RuntimeProjects,
  RuntimeStatus,
  Session,
  SessionPage,
} from './schemas/session'
import { scopeOf } from './scope'

/**
 * /v1/agent/runtime: upstream read agents' session files on the server's own disk; an edge
 * server has none, so this answers from what workers synced.
 */
export const runtimeApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

runtimeApi.openapi(route('get', '/status', undefined, RuntimeStatus), async (c) => {
  const totals = await sessionTotals(scopeOf(c))
  return c.json({ available: true as const, source: 'worker_sync' as const, ...totals }, 200)
})

runtimeApi.openapi(route('get', '/projects', undefined, RuntimeProjects), async (c) => {
  return c.json({ projects: await sessionProjects(scopeOf(c)) }, 200)
})

runtimeApi.openapi(
  route(
    'get',
    '/sessions',
    {
      query: z.object({
        project_id: z.string().max(300).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    SessionPage,
  ),
  async (c) => {
    const q = c.req.valid('query')
    return c.json(await listSessions(scopeOf(c), undefined, { ...q, projectId: q.project_id }), 200)
  },
)

const Sid = z.object({ id: z.string().min(1).max(300) })

runtimeApi.openapi(route('get', '/sessions/{id}', { params: Sid }, Session), async (c) =>
  c.json(sessionView(await getSession(scopeOf(c), c.req.valid('param').id)), 200),
)

runtimeApi.openapi(
  route('get', '/sessions/{id}/messages', { params: Sid }, RuntimeMessages),
  async (c) => {
    const scope = scopeOf(c)
    const { id } = c.req.valid('param')
    await getSession(scope, id)
    return c.json({ messages: await listMessages(scope, id, 2000), session_id: id }, 200)
  },
)

runtimeApi.openapi(
  route(
    'get',
    '/sessions/{id}/parts',
    { params: Sid, query: z.object({ message_id: z.string().min(1).max(300).optional() }) },
    RuntimeParts,
  ),
  async (c) => {
    const scope = scopeOf(c)
    const { id } = c.req.valid('param')
    const messageId = c.req.valid('query').message_id
    await getSession(scope, id)
    const parts = await listParts(scope, id, messageId)
    if (!parts) throw notFound(`Message ${messageId} of session ${id}`)
    return c.json({ session_id: id, message_id: messageId ?? null, parts }, 200)
  },
)
