import type { TaskStatus } from '../../storage/postgres/statuses'
import type { TaskEvent } from './events'
import type { RestStatus } from './rest-statuses'

/** A task in one of these never changes again. */
export const TERMINAL: readonly TaskStatus[] = ['completed', 'failed', 'canceled', 'rejected']
/** Paused for the caller: streams end here too. */
export const INTERRUPTED: readonly TaskStatus[] = ['input-required', 'auth-required']

export const isTerminal = (s: string) => (TERMINAL as readonly string[]).includes(s)
const isInterrupted = (s: string) => (INTERRUPTED as readonly string[]).includes(s)
/** Finished or paused for the caller: where a blocking send returns and a message's stream ends. */
export const isSettled = (s: string) => isTerminal(s) || isInterrupted(s)

/** The state a `status` event moved its task to, if it is one. */
export function eventState(event: TaskEvent): TaskStatus | undefined {
  if (event.kind !== 'status') return undefined
  const status = event.payload.status as { state?: TaskStatus } | undefined
  return status?.state
}

export function isTerminalEvent(event: TaskEvent): boolean {
  const state = eventState(event)
  return state !== undefined && isTerminal(state)
}

/** Upstream's REST names for our (A2A) states. */
export const restStatus: Record<TaskStatus, RestStatus> = {
  submitted: 'pending',
  working: 'running',
  'input-required': 'needs_input',
  'auth-required': 'needs_input',
  completed: 'completed',
  failed: 'failed',
  canceled: 'cancelled',
  rejected: 'failed',
}
