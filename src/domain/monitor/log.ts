/**
 * The monitor's message log: reads of the `monitor_messages` view (migrations/0010_monitor.sql),
 * which derives every message from task events and agents' messages, always in the tenant.
 */
import { type SQL, sql } from 'drizzle-orm'
import { atMicros, microsOf } from '../../storage/postgres/micros'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'
import type { MessageType } from './message-types'

/** Upstream's message shape, plus the id that is also the message's SSE id. */
export interface MonitorMessage {
  id: string
  type: MessageType
  agent_name: string | null
  content: string
  metadata: Record<string, unknown>
  response_time: number | null
  tokens: number | null
  error: string | null
  timestamp: string
}

export interface Filter {
  type?: MessageType
  agent?: string
  /** Words to find in the content or the agent's name (case-insensitive). */
  q?: string
}

/** Where a reader stopped: the message after which to go on. */
export interface Cursor {
  us: bigint
  source: string
  sourceId: string
}

interface Row {
  ts_us: string
  source: string
  source_id: string
  type: MessageType
  agent_name: string | null
  content: string
  metadata: Record<string, unknown>
  error: string | null
}

const columns = sql`${microsOf(sql`created_at`)} as ts_us, source,
  source_id, type, agent_name, content, metadata, error`

export const cursorId = (c: Cursor) => `${c.us}.${c.source}.${c.sourceId}`

/** Parses an SSE id made by cursorId; anything else is no cursor at all. */
export function parseCursor(id: string | undefined | null): Cursor | undefined {
  const m = id?.match(/^(\d{1,19})\.(task|bus)\.(.{1,300})$/)
  return m
    ? { us: BigInt(m[1] as string), source: m[2] as string, sourceId: m[3] as string }
    : undefined
}

function view(r: Row): MonitorMessage {
  const us = BigInt(r.ts_us)
  return {
    id: cursorId({ us, source: r.source, sourceId: r.source_id }),
    type: r.type,
    agent_name: r.agent_name,
    content: r.content,
    metadata: r.metadata,
    response_time: null,
    tokens: null,
    error: r.error,
    timestamp: new Date(Number(us / 1000n)).toISOString(),
  }
}

function where(f: Filter): SQL {
  const parts: SQL[] = [sql`true`]
  if (f.type) parts.push(sql`type = ${f.type}`)
  if (f.agent) parts.push(sql`agent_name = ${f.agent}`)
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, '\\$&')}%`
    parts.push(sql`(content ilike ${like} or agent_name ilike ${like})`)
  }
  return sql.join(parts, sql` and `)
}

const after = (c: Cursor) => {
  const at = atMicros(c.us)
  // The first bound repeats what the row comparison implies: it is the one an index can use.
  return sql`created_at >= ${at} and (created_at, source, source_id) > (${at}, ${c.source}, ${c.sourceId})`
}

/**
 * Postgres builds and sorts every row of the view for an unbounded "newest N" (about 1 s at
 * 200,000 task events here), so each read is bounded by time, which the created_at indexes
 * serve as a range scan. Unfiltered, the bound is the N-th newest row of the base tables
 * (index-only scans): about N rows are built. Filtered, the read widens through these
 * windows until N match: it costs what the window holds.
 */
const WINDOWS = ['1 minute', '10 minutes', '1 hour', '1 day', '30 days', null]

/** Rows at least `settleMs` old (see messagesAfter). */
const settled = (settleMs: number) =>
  sql`created_at <= now() - ${settleMs}::int * interval '1 millisecond'`

const newestBound = (limit: number, settleMs = 0) => sql`created_at >= (
  select coalesce(min(created_at), '-infinity') from (
    select created_at from (
      (select created_at from task_events where ${settled(settleMs)}
        order by created_at desc limit ${limit})
      union all
      (select created_at from agent_messages where ${settled(settleMs)}
        order by created_at desc limit ${limit})
    ) u order by created_at desc limit ${limit}) newest)`

/** The newest `limit` messages that match, newest first. */
export async function listMessages(scope: Scope, f: Filter, limit: number) {
  const filtered = Boolean(f.type || f.agent || f.q)
  const bounds = filtered
    ? WINDOWS.map((w) => (w ? sql`created_at >= now() - ${w}::interval` : sql`true`))
    : [newestBound(limit)]
  let rows: Row[] = []
  for (const since of bounds) {
    const result = await tenantQuery(scope, (db) =>
      db.execute(sql`select ${columns} from monitor_messages where ${since} and ${where(f)}
        order by created_at desc, source desc, source_id desc limit ${limit}`),
    )
    rows = result.rows as unknown as Row[]
    if (rows.length >= limit) break
  }
  return rows.map(view)
}

export async function countMessages(scope: Scope, f: Filter): Promise<number> {
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`select count(*)::int as n from monitor_messages where ${where(f)}`),
  )
  return (rows[0] as { n: number }).n
}

/**
 * Messages after `cursor`, oldest first, that are at least `settleMs` old: a row's time is
 * its transaction's start, so a younger one could still be joined by an older, later commit.
 */
export async function messagesAfter(
  scope: Scope,
  cursor: Cursor | undefined,
  limit: number,
  settleMs: number,
) {
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`select ${columns} from monitor_messages
      where ${cursor ? after(cursor) : sql`true`}
        and ${settled(settleMs)}
      order by created_at, source, source_id limit ${limit}`),
  )
  return (rows as unknown as Row[]).map(view)
}

/** The cursor of the newest settled message: where a stream with no Last-Event-ID starts. */
export async function latestCursor(scope: Scope, settleMs: number): Promise<Cursor | undefined> {
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`select ${columns} from monitor_messages
      where ${newestBound(1, settleMs)} and ${settled(settleMs)}
      order by created_at desc, source desc, source_id desc limit 1`),
  )
  const r = rows[0] as Row | undefined
  return r ? { us: BigInt(r.ts_us), source: r.source, sourceId: r.source_id } : undefined
}
