import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { accountKey } from '../../domain/limits/account'
import { enforceRate } from '../../domain/limits/rate-limit'
import { limitsOf } from '../../domain/limits/settings'
import type { Scope } from '../../domain/scope'
import { resumeSession } from '../../domain/sessions/resume'
import {
  getSession,
  listMessages,
  listSessions,
  requireOwner,
  sessionView,
  upsertMessages,
  upsertSessions,
} from '../../domain/sessions/store'
import { IncomingMessage, IncomingSession } from '../../domain/sessions/wire'
import { getWorkspace } from '../../domain/workspaces/service'
import { badRequest, validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import {
  MessagesSynced,
  SessionDetail,
  SessionMessages,
  SessionPage,
  SessionResumed,
  SessionsSynced,
  TranscriptIngested,
} from './schemas/session'
import { scopeOf, workerOf } from './scope'

/** Sessions of a codebase, under both /v1/agent/codebases and /v1/agent/workspaces. */
export const sessionsApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const Ids = z.object({ id: z.string().min(1).max(200), sid: z.string().min(1).max(300) })
const CodebaseId = z.object({ id: z.string().min(1).max(200) })
const Page = z.object({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

sessionsApi.openapi(
  route('get', '/{id}/sessions', { params: CodebaseId, query: Page }, SessionPage),
  async (c) => {
    const scope = scopeOf(c)
    const { id } = c.req.valid('param')
    await getWorkspace(scope, id) // 404 for an unknown codebase
    return c.json(await listSessions(scope, id, c.req.valid('query')), 200)
  },
)

/** `n` sessions synced or ingested, against the caller's sessions_per_minute. */
async function admitSessions(scope: Scope, n: number) {
  const { sessions_per_minute: value } = await limitsOf(scope)
  await enforceRate(scope.config, 'sessions_per_minute', value, accountKey(scope), { n })
}

const SyncSessions = z
  .object({ worker_id: z.string().min(1).max(200), sessions: z.array(IncomingSession).max(1000) })
  .openapi('SyncSessions')

sessionsApi.openapi(
  route(
    'post',
    '/{id}/sessions/sync',
    { params: CodebaseId, ...body(SyncSessions) },
    SessionsSynced,
  ),
  async (c) => {
    const scope = scopeOf(c)
    const { id } = c.req.valid('param')
    const b = c.req.valid('json')
    const workerId = await workerOf(c, b.worker_id)
    await requireOwner(scope, id, workerId)
    await admitSessions(scope, b.sessions.length)
    const synced = await upsertSessions(scope, id, b.sessions, { source: 'worker_sync', workerId })
    return c.json({ success: true as const, synced }, 200)
  },
)

const SyncMessages = z
  .object({ worker_id: z.string().min(1).max(200), messages: z.array(IncomingMessage).max(5000) })
  .openapi('SyncMessages')

sessionsApi.openapi(
  route(
    'post',
    '/{id}/sessions/{sid}/messages/sync',
    { params: Ids, ...body(SyncMessages) },
    MessagesSynced,
  ),
  async (c) => {
    const scope = scopeOf(c)
    const { id, sid } = c.req.valid('param')
    const b = c.req.valid('json')
    const workerId = await workerOf(c, b.worker_id)
    await requireOwner(scope, id, workerId)
    await getSession(scope, sid, id) // the session is synced first, into this codebase
    await admitSessions(scope, 1)
    const done = await upsertMessages(scope, sid, b.messages, { reportedBy: `worker:${workerId}` })
    return c.json(
      { success: true as const, synced: done.messages, usage_recorded: done.usage },
      200,
    )
  },
)

const Ingest = z
  .object({
    source: z.string().max(100).default('ingest'),
    worker_id: z.string().max(200).optional(),
    session: IncomingSession.partial({ id: true }).default({ title: '', summary: {} }),
    messages: z.array(IncomingMessage).max(5000),
  })
  .openapi('IngestTranscript')

/** An external transcript (e.g. an editor's chat) under a session id of the caller's choosing. */
sessionsApi.openapi(
  route(
    'post',
    '/{id}/sessions/{sid}/ingest',
    { params: Ids, ...body(Ingest) },
    TranscriptIngested,
  ),
  async (c) => {
    const scope = scopeOf(c)
    const { id, sid } = c.req.valid('param')
    const b = c.req.valid('json')
    if (b.session.id && b.session.id !== sid) throw badRequest('session.id must match the path')
    await getWorkspace(scope, id)
    await admitSessions(scope, 1)
    // A person's transcript speaks for no worker and bills nothing: usage is believed only
    // from the worker that ran the work (the sync routes above).
    await upsertSessions(scope, id, [{ ...b.session, id: sid }], { source: b.source })
    const done = await upsertMessages(scope, sid, b.messages, false)
    return c.json(
      {
        success: true as const,
        session_id: sid,
        messages: done.messages,
        usage_recorded: done.usage,
      },
      200,
    )
  },
)

sessionsApi.openapi(
  route('get', '/{id}/sessions/{sid}', { params: Ids }, SessionDetail),
  async (c) => {
    const scope = scopeOf(c)
    const { id, sid } = c.req.valid('param')
    const session = sessionView(await getSession(scope, sid, id))
    return c.json(
      {
        ...session,
        session,
        messages: await listMessages(scope, sid, 200),
        source: 'database' as const,
      },
      200,
    )
  },
)

sessionsApi.openapi(
  route(
    'get',
    '/{id}/sessions/{sid}/messages',
    {
      params: Ids,
      query: z.object({ limit: z.coerce.number().int().min(1).max(2000).default(500) }),
    },
    SessionMessages,
  ),
  async (c) => {
    const scope = scopeOf(c)
    const { id, sid } = c.req.valid('param')
    await getSession(scope, sid, id)
    const messages = await listMessages(scope, sid, c.req.valid('query').limit)
    return c.json({ messages, session_id: sid, source: 'database' as const }, 200)
  },
)

const Resume = z
  .object({
    prompt: z.string().max(1_000_000).optional(),
    agent: z.string().max(100).optional(),
    model: z.string().max(200).optional(),
    model_ref: z.string().max(200).optional(),
  })
  .openapi('ResumeSession')

sessionsApi.openapi(
  route('post', '/{id}/sessions/{sid}/resume', { params: Ids, ...body(Resume) }, SessionResumed),
  async (c) => {
    const { id, sid } = c.req.valid('param')
    return c.json(await resumeSession(scopeOf(c), id, sid, c.req.valid('json')), 200)
  },
)
