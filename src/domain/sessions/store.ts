/** Sessions and their messages in Postgres: idempotent upserts, search, reading back. */
import { and, asc, count, desc, eq, ilike, or, sql } from 'drizzle-orm'
import { forbidden, notFound } from '../../lib/errors'
import { sessionMessages, sessions } from '../../storage/postgres/session-schema'
import { tenantBatch, tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'
import { recordUsage } from '../usage/ledger'
import { getWorkspace } from '../workspaces/service'
import { type Message, type Session, splitModel } from './wire'

type SessionRow = typeof sessions.$inferSelect
type MessageRow = typeof sessionMessages.$inferSelect

export function sessionView(s: SessionRow) {
  return {
    id: s.id,
    codebase_id: s.workspaceId,
    workspace_id: s.workspaceId,
    agent: s.agent,
    project_id: s.projectId,
    directory: s.directory,
    title: s.title,
    version: s.version,
    summary: s.summary,
    source: s.source,
    worker_id: s.workerId,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    synced_at: s.syncedAt.toISOString(),
  }
}

export function messageView(m: MessageRow) {
  return {
    id: m.id,
    session_id: m.sessionId,
    role: m.role,
    content: m.content,
    parts: m.parts,
    provider: m.provider,
    model: m.model,
    tokens: m.tokens,
    created_at: m.createdAt.toISOString(),
  }
}

/** A worker may sync only the codebases it owns. */
export async function requireOwner(scope: Scope, workspaceId: string, workerId: string) {
  const workspace = await getWorkspace(scope, workspaceId)
  if (workspace.workerId !== workerId) {
    throw forbidden(`Worker ${workerId} does not own codebase ${workspaceId}`)
  }
  return workspace
}

export async function upsertSessions(
  scope: Scope,
  workspaceId: string,
  list: Session[],
  origin: { source: string; workerId?: string },
) {
  if (!list.length) return 0
  const rows = list.map((s) => ({
    tenantId: scope.tenantId,
    workspaceId,
    id: s.id,
    agent: s.agent,
    projectId: s.project_id,
    directory: s.directory,
    title: s.title,
    version: s.version,
    summary: s.summary,
    source: origin.source,
    workerId: origin.workerId,
    createdAt: s.created_at ?? new Date(),
    updatedAt: s.updated_at ?? s.created_at ?? new Date(),
  }))
  const done = await tenantQuery(scope, (db) =>
    db
      .insert(sessions)
      .values(rows)
      .onConflictDoUpdate({
        target: [sessions.tenantId, sessions.id],
        set: {
          agent: sql`coalesce(excluded.agent, ${sessions.agent})`,
          projectId: sql`coalesce(excluded.project_id, ${sessions.projectId})`,
          directory: sql`coalesce(excluded.directory, ${sessions.directory})`,
          title: sql`case when excluded.title = '' then ${sessions.title} else excluded.title end`,
          version: sql`coalesce(excluded.version, ${sessions.version})`,
          summary: sql`${sessions.summary} || excluded.summary`,
          workerId: sql`coalesce(excluded.worker_id, ${sessions.workerId})`,
          updatedAt: sql`greatest(excluded.updated_at, ${sessions.updatedAt})`,
          syncedAt: sql`now()`,
        },
        // A session id is one conversation: it cannot move to another codebase.
        setWhere: eq(sessions.workspaceId, workspaceId),
      })
      .returning({ id: sessions.id }),
  )
  if (done.length < rows.length) {
    throw forbidden('A session with one of these ids belongs to another codebase')
  }
  return done.length
}

/**
 * Messages of one session, upserted. With `bill` (the worker that ran the work reports it),
 * assistant messages with a model and tokens are billed once; a person's transcript is kept,
 * never billed.
 */
export async function upsertMessages(
  scope: Scope,
  sessionId: string,
  list: Message[],
  bill: { reportedBy: string; userId?: string } | false,
) {
  if (!list.length) return { messages: 0, usage: 0 }
  await tenantQuery(scope, (db) =>
    db
      .insert(sessionMessages)
      .values(
        list.map((m) => {
          const { provider, model } = splitModel(m)
          return {
            tenantId: scope.tenantId,
            sessionId,
            id: m.id,
            role: m.role,
            content: m.content,
            parts: m.parts,
            provider,
            model,
            tokens: m.tokens,
            createdAt: m.createdAt ?? new Date(),
          }
        }),
      )
      .onConflictDoUpdate({
        target: [sessionMessages.tenantId, sessionMessages.sessionId, sessionMessages.id],
        set: {
          content: sql`excluded.content`,
          parts: sql`excluded.parts`,
          tokens: sql`coalesce(excluded.tokens, ${sessionMessages.tokens})`,
        },
      }),
  )
  if (!bill) return { messages: list.length, usage: 0 }
  const billable = list.flatMap((m) => {
    const { provider, model } = splitModel(m)
    if (m.role !== 'assistant' || !m.tokens || !model || !provider) return []
    return [
      {
        ...m.tokens,
        provider,
        model,
        messageId: `${sessionId}:${m.id}`,
        sessionId,
        taskId: m.taskId,
      },
    ]
  })
  const usage = await recordUsage(scope, billable, bill)
  return { messages: list.length, usage }
}

export async function listSessions(
  scope: Scope,
  workspaceId: string | undefined,
  q: { q?: string; limit: number; offset: number; projectId?: string },
) {
  const like = q.q && `%${q.q.replace(/[\\%_]/g, '\\$&')}%`
  const where = and(
    workspaceId ? eq(sessions.workspaceId, workspaceId) : undefined,
    q.projectId ? eq(sessions.projectId, q.projectId) : undefined,
    like ? or(ilike(sessions.title, like), ilike(sessions.id, like)) : undefined,
  )
  const [rows, total] = await tenantBatch(scope, (db) => [
    db
      .select()
      .from(sessions)
      .where(where)
      .orderBy(desc(sessions.updatedAt))
      .limit(q.limit)
      .offset(q.offset),
    db.select({ n: count() }).from(sessions).where(where),
  ])
  const n = Number(total[0]?.n ?? 0)
  return {
    sessions: rows.map(sessionView),
    total: n,
    limit: q.limit,
    offset: q.offset,
    hasMore: q.offset + rows.length < n,
    source: 'database' as const,
    synced_at: rows[0]?.syncedAt.toISOString() ?? null,
  }
}

export async function getSession(scope: Scope, sessionId: string, workspaceId?: string) {
  const [row] = await tenantQuery(scope, (db) =>
    db
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.id, sessionId),
          workspaceId ? eq(sessions.workspaceId, workspaceId) : undefined,
        ),
      ),
  )
  if (!row) throw notFound(`Session ${sessionId}`)
  return row
}

/**
 * The parts of a session's messages as their executor sent them, in message order; of one
 * message when `messageId` is given. Undefined when that message is not in the session.
 */
export async function listParts(scope: Scope, sessionId: string, messageId?: string) {
  const rows = await tenantQuery(scope, (db) =>
    db
      .select({ id: sessionMessages.id, parts: sessionMessages.parts })
      .from(sessionMessages)
      .where(
        and(
          eq(sessionMessages.sessionId, sessionId),
          messageId === undefined ? undefined : eq(sessionMessages.id, messageId),
        ),
      )
      .orderBy(asc(sessionMessages.createdAt), asc(sessionMessages.id))
      .limit(2000),
  )
  if (messageId !== undefined && rows.length === 0) return undefined
  return rows.flatMap((m) => m.parts.map((part, index) => ({ message_id: m.id, index, part })))
}

export async function listMessages(scope: Scope, sessionId: string, limit: number) {
  const rows = await tenantQuery(scope, (db) =>
    db
      .select()
      .from(sessionMessages)
      .where(eq(sessionMessages.sessionId, sessionId))
      .orderBy(asc(sessionMessages.createdAt), asc(sessionMessages.id))
      .limit(limit),
  )
  return rows.map(messageView)
}
