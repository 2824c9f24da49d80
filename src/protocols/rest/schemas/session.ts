import { z } from '@hono/zod-openapi'
import { RestTask } from './task'

/** A synced session as `sessionView` serves it. */
export const Session = z
  .object({
    id: z.string(),
    codebase_id: z.string(),
    workspace_id: z.string(),
    agent: z.string().nullable(),
    project_id: z.string().nullable(),
    directory: z.string().nullable(),
    title: z.string(),
    version: z.string().nullable(),
    summary: z.record(z.string(), z.unknown()),
    source: z.string().openapi({ description: 'worker_sync, ingest, or the ingest body’s source' }),
    worker_id: z.string().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    synced_at: z.iso.datetime(),
  })
  .openapi('Session')

/** A session's message as `messageView` serves it. */
export const SessionMessage = z
  .object({
    id: z.string(),
    session_id: z.string(),
    role: z.enum(['user', 'assistant', 'system', 'tool']),
    content: z.string(),
    /** The executor's own parts, kept as sent. */
    parts: z.array(z.unknown()),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    tokens: z
      .record(z.string(), z.number())
      .nullable()
      .openapi({ description: 'input, output, reasoning, cache_read, cache_write' }),
    created_at: z.iso.datetime(),
  })
  .openapi('SessionMessage')

/** `listSessions`: one page, newest first. */
export const SessionPage = z
  .object({
    sessions: z.array(Session),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    hasMore: z.boolean(),
    source: z.literal('database'),
    synced_at: z.iso.datetime().nullable().openapi({ description: "The page's newest session's" }),
  })
  .openapi('SessionPage')

export const SessionsSynced = z
  .object({ success: z.literal(true), synced: z.number().int() })
  .openapi('SessionsSynced')

export const MessagesSynced = z
  .object({
    success: z.literal(true),
    synced: z.number().int(),
    usage_recorded: z.number().int().openapi({ description: 'Usage entries new to the ledger' }),
  })
  .openapi('SessionMessagesSynced')

export const TranscriptIngested = z
  .object({
    success: z.literal(true),
    session_id: z.string(),
    messages: z.number().int(),
    usage_recorded: z
      .number()
      .int()
      .openapi({ description: 'Always 0: a transcript bills nothing' }),
  })
  .openapi('TranscriptIngested')

/** The session's fields at the top (upstream's shape) and again under `session`. */
export const SessionDetail = Session.extend({
  session: Session,
  messages: z.array(SessionMessage),
  source: z.literal('database'),
}).openapi('SessionDetail')

export const SessionMessages = z
  .object({
    messages: z.array(SessionMessage),
    session_id: z.string(),
    source: z.literal('database'),
  })
  .openapi('SessionMessages')

/** `resumeSession`: the queued task and where it was routed. */
export const SessionResumed = z
  .object({
    success: z.literal(true),
    task_id: z.string(),
    session_id: z.string(),
    active_session_id: z.string(),
    routing: z.object({
      target_worker_id: z.string().nullable(),
      executor: z.string().nullable(),
      reason: z.string(),
    }),
    task: RestTask,
  })
  .openapi('SessionResumed')

/** /v1/agent/runtime/status: the synced sessions summed up. */
export const RuntimeStatus = z
  .object({
    available: z.literal(true),
    source: z.literal('worker_sync'),
    sessions: z.number().int(),
    projects: z.number().int(),
    synced_at: z
      .string()
      .nullable()
      .openapi({ description: "Postgres' text form of the latest sync's time" }),
  })
  .openapi('RuntimeStatus')

export const RuntimeProjects = z
  .object({
    projects: z.array(
      z.object({
        id: z.string().openapi({ description: "The worker's project id, or the codebase's" }),
        codebase_id: z.string(),
        directory: z.string().nullable(),
        sessions: z.number().int(),
        updated_at: z.string().openapi({ description: "Postgres' text form of a timestamptz" }),
      }),
    ),
  })
  .openapi('RuntimeProjects')

export const RuntimeParts = z
  .object({
    session_id: z.string(),
    message_id: z.string().nullable().openapi({ description: 'The message asked for, or null' }),
    parts: z.array(
      z.object({
        message_id: z.string(),
        index: z.number().int().openapi({ description: "The part's place in its message" }),
        part: z.unknown().openapi({ description: "The executor's own part, kept as sent" }),
      }),
    ),
  })
  .openapi('RuntimeSessionParts')

export const RuntimeMessages = z
  .object({ messages: z.array(SessionMessage), session_id: z.string() })
  .openapi('RuntimeSessionMessages')
