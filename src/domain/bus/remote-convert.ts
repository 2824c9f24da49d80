/** Between `@a2a-js/sdk`'s objects and our stored A2A JSON, for remote agents. */
import { Artifact, type Message, SendMessageRequest, type Task } from '@a2a-js/sdk'
import type { TaskStatus } from '../../storage/postgres/statuses'
import { partsText, stateFromSdk } from '../task-model/a2a-wire'

export const a2aJson = (message: Record<string, unknown>) =>
  SendMessageRequest.fromJSON({ message })

type Answer = Task | Message | { status?: Task['status'] }

/** What the remote said: a message's text, else the status message, else its artifacts. */
export function textOf(r: Answer): string {
  if ('parts' in r) return partsText(r.parts)
  const status = partsText(r.status?.message?.parts)
  if (status || !('artifacts' in r)) return status
  return r.artifacts
    .map((a) => partsText(a.parts))
    .filter(Boolean)
    .join('\n')
}

/** A message answer is a completed exchange; a task says its own state. */
export function stateOf(r: Answer): TaskStatus {
  if ('parts' in r) return 'completed'
  return (r.status?.state !== undefined && stateFromSdk(r.status.state)) || 'working'
}

export const artifactJson = (a: Artifact) => Artifact.toJSON(a) as Record<string, unknown>
