import { type ListTasksRequest, type ListTasksResponse, TaskState } from '@a2a-js/sdk'
import { RequestMalformedError } from '@a2a-js/sdk/errors'
import type { Scope } from '../../domain/scope'
import { stateFromSdk, toSdkTask } from '../../domain/task-model/a2a-wire'
import { a2aTaskPage, type TaskCursor } from '../../domain/task-model/queries'
import { findJsonProblem } from '../../lib/json-guard'
import type { TaskStatus } from '../../storage/postgres/statuses'

const encodeToken = (c: TaskCursor) => btoa(JSON.stringify([c.statusUs, c.id])).replace(/=+$/, '')

/** Microseconds since the epoch, up to the year 2286. */
const MICROS = /^\d{1,16}$/

function decodeToken(token: string): TaskCursor {
  const refused = new RequestMalformedError('pageToken is not a token this server issued')
  let parsed: unknown
  try {
    parsed = JSON.parse(atob(token))
  } catch {
    throw refused
  }
  const [at, id] = Array.isArray(parsed) ? parsed : []
  // The id goes to Postgres as text, which cannot hold NUL.
  if (typeof id !== 'string' || id.length > 256 || findJsonProblem(id)) throw refused
  if (typeof at === 'string' && MICROS.test(at)) return { statusUs: at, id }
  // Tokens issued before carried the time as ISO text, to the millisecond.
  const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN
  if (!(ms >= 0 && ms < 1e13)) throw refused
  return { statusUs: String(ms * 1000), id }
}

/** ListTasks: newest status first, keyset pagination, artifacts only when asked for. */
export async function listTasksPage(scope: Scope, p: ListTasksRequest): Promise<ListTasksResponse> {
  const pageSize = p.pageSize ?? 50
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw new RequestMalformedError('pageSize must be between 1 and 100')
  }
  let status: TaskStatus | undefined
  if (p.status !== TaskState.TASK_STATE_UNSPECIFIED) {
    status = stateFromSdk(p.status)
    if (!status) throw new RequestMalformedError('status is not a task state')
  }
  let statusAfter: Date | undefined
  if (p.statusTimestampAfter) {
    statusAfter = new Date(p.statusTimestampAfter)
    if (Number.isNaN(statusAfter.getTime()))
      throw new RequestMalformedError('statusTimestampAfter is not a timestamp')
  }
  if (p.historyLength !== undefined && p.historyLength < 0) {
    throw new RequestMalformedError('historyLength must be a non-negative integer')
  }
  const filter = { contextId: p.contextId || undefined, status, statusAfter }
  const includeArtifacts = p.includeArtifacts ?? false
  const shown = { history: p.historyLength !== 0, artifacts: includeArtifacts }
  const { rows, total: totalSize } = await a2aTaskPage(
    scope,
    { ...filter, before: p.pageToken ? decodeToken(p.pageToken) : undefined, limit: pageSize + 1 },
    shown,
  )
  const page = rows.slice(0, pageSize)
  const last = page.at(-1)
  return {
    tasks: page.map((r) => toSdkTask(r, p.historyLength, includeArtifacts)),
    nextPageToken: rows.length > pageSize && last ? encodeToken(last.cursor) : '',
    pageSize,
    totalSize,
  }
}
