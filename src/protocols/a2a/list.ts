import { type ListTasksRequest, type ListTasksResponse, TaskState } from '@a2a-js/sdk'
import { RequestMalformedError } from '@a2a-js/sdk/errors'
import type { Scope } from '../../domain/scope'
import { stateFromSdk, toSdkTask } from '../../domain/task-model/a2a-wire'
import { a2aTaskPage, type TaskFilter } from '../../domain/task-model/queries'

const encodeToken = (row: { statusAt: Date; id: string }) =>
  btoa(JSON.stringify([row.statusAt.toISOString(), row.id])).replace(/=+$/, '')

function decodeToken(token: string): TaskFilter['before'] {
  try {
    const [at, id] = JSON.parse(atob(token)) as [string, string]
    const statusAt = new Date(at)
    if (typeof id !== 'string' || Number.isNaN(statusAt.getTime())) throw new Error()
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
  let status: TaskFilter['status']
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
    nextPageToken: rows.length > pageSize && last ? encodeToken(last) : '',
    pageSize,
    totalSize,
  }
}
