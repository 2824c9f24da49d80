import { type ListTasksRequest, type ListTasksResponse, TaskState } from '@a2a-js/sdk'
import { RequestMalformedError } from '@a2a-js/sdk/errors'
import type { Scope } from '../../domain/scope'
import { stateFromSdk, toSdkTask } from '../../domain/task-model/a2a-wire'
import { a2aTaskPage, type TaskCursor } from '../../domain/task-model/queries'
import type { TaskStatus } from '../../storage/postgres/statuses'

const encodeToken = (c: TaskCursor) => btoa(JSON.stringify([c.statusAt, c.id])).replace(/=+$/, '')

/**
 * A timestamp as Postgres writes it, or as ISO 8601 (tokens issued before they carried
 * microseconds). Checked in full, calendar included: Postgres refuses what V8 would roll
 * over (February 30th), and a forged token must be a clear error, not a failed statement.
 */
const TIMESTAMP =
  /^([1-9]\d{3})-(\d{2})-(\d{2})[ T]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-](0\d|1[0-4])(:?[0-5]\d)?)$/

function isTimestamp(text: string): boolean {
  const m = TIMESTAMP.exec(text)
  if (!m) return false
  const [year, month, day] = [m[1], m[2], m[3]].map(Number) as [number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

function decodeToken(token: string): TaskCursor {
  try {
    const [statusAt, id] = JSON.parse(atob(token)) as [unknown, unknown]
    if (typeof statusAt !== 'string' || !isTimestamp(statusAt) || typeof id !== 'string')
      throw new Error()
    return { statusAt, id }
  } catch {
    throw new RequestMalformedError('pageToken is not a token this server issued')
  }
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
