/**
 * A task as A2A's types describe it. The one task model is A2A's, so this is the domain's own
 * wire shape, not an adapter's: the A2A bindings answer with it, push deliveries send it and
 * remote A2A agents' answers are read back through it.
 */
import { Message, type Part, StreamResponse, Task, TaskState } from '@a2a-js/sdk'
import type { TaskStatus } from '../../storage/postgres/statuses'
import type { TaskEvent } from './events'
import type { TaskRow } from './store'

/** Our stored states are A2A's v0.3 names; the SDK works in v1.0 enums. */
const toSdk: Record<TaskStatus, TaskState> = {
  submitted: TaskState.TASK_STATE_SUBMITTED,
  working: TaskState.TASK_STATE_WORKING,
  'input-required': TaskState.TASK_STATE_INPUT_REQUIRED,
  'auth-required': TaskState.TASK_STATE_AUTH_REQUIRED,
  completed: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  canceled: TaskState.TASK_STATE_CANCELED,
  rejected: TaskState.TASK_STATE_REJECTED,
}
const fromSdk = new Map(Object.entries(toSdk).map(([k, v]) => [v, k as TaskStatus]))

export const stateToSdk = (s: TaskStatus) => toSdk[s]
export const stateFromSdk = (s: TaskState): TaskStatus | undefined => fromSdk.get(s)
const stateJson = (s: TaskStatus) => TaskState[toSdk[s]]

/** The fields of a task row an A2A Task is made of. */
export type A2aTaskFields = Pick<
  TaskRow,
  | 'id'
  | 'contextId'
  | 'status'
  | 'statusMessage'
  | 'statusAt'
  | 'history'
  | 'artifacts'
  | 'metadata'
>

/** A task row as an A2A Task; `historyLength` keeps the last n messages (0: none). */
export function toSdkTask(row: A2aTaskFields, historyLength?: number, withArtifacts = true): Task {
  const history =
    historyLength === undefined
      ? row.history
      : historyLength === 0
        ? []
        : row.history.slice(-historyLength)
  return Task.fromJSON({
    id: row.id,
    contextId: row.contextId,
    status: {
      state: stateJson(row.status),
      message: row.statusMessage ?? undefined,
      timestamp: row.statusAt.toISOString(),
    },
    history,
    artifacts: withArtifacts ? row.artifacts : [],
    metadata: Object.keys(row.metadata).length ? row.metadata : undefined,
  })
}

/** A stored event as what A2A streams carry; undefined for kinds A2A does not stream. */
export function toStreamResponse(
  row: Pick<TaskRow, 'id' | 'contextId'>,
  event: TaskEvent,
): StreamResponse | undefined {
  const ids = { taskId: row.id, contextId: row.contextId }
  if (event.kind === 'status') {
    const status = event.payload.status as {
      state: TaskStatus
      message?: unknown
      timestamp?: string
    }
    return StreamResponse.fromJSON({
      statusUpdate: { ...ids, status: { ...status, state: stateJson(status.state) } },
    })
  }
  if (event.kind === 'artifact') {
    const { artifact, append, lastChunk } = event.payload as {
      artifact: unknown
      append?: boolean
      lastChunk?: boolean
    }
    return StreamResponse.fromJSON({
      artifactUpdate: { ...ids, artifact, append: append ?? false, lastChunk: lastChunk ?? true },
    })
  }
  if (event.kind === 'output') {
    // A worker's output is one growing artifact of the task.
    const text = String((event.payload as { output?: unknown }).output ?? '')
    return StreamResponse.fromJSON({
      artifactUpdate: {
        ...ids,
        artifact: { artifactId: `${row.id}-output`, name: 'output', parts: [{ text }] },
        append: true,
        lastChunk: false,
      },
    })
  }
  return undefined
}

export const messageJson = (m: Message) => Message.toJSON(m) as Record<string, unknown>
export const toSdkMessage = (json: Record<string, unknown>) => Message.fromJSON(json)

/** The text of some parts: the text ones, joined. */
export const partsText = (parts: Part[] = []) =>
  parts
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .filter(Boolean)
    .join('\n')

/** The text of a message: its text parts, joined. */
export const textOf = (m: Message): string => partsText(m.parts)
