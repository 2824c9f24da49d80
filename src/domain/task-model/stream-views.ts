import { formatSse } from '../../lib/sse'
import type { TaskEvent } from './events'
import { eventState, isTerminal, restStatus } from './states'

/**
 * How a task's events travel to a kind of subscriber, written once per event by the task's
 * TaskStream and the same bytes sent to every subscriber of that kind:
 * - `ndjson`: every event as a JSON line, for code in the Worker that reads them (A2A streams);
 * - `output-sse`: the REST output stream as served to the client, `output` events (id = seq)
 *   and one `done` with the final REST status; the Worker passes it through untouched. Each
 *   event's data also says what it is (`type`) and an output line's text as `content`: the
 *   original CodeTether's clients read only `data:` and look for those.
 */
export type StreamView = 'ndjson' | 'output-sse'

export const STREAM_VIEWS: readonly StreamView[] = ['ndjson', 'output-sse']

/** The text of `event` in `view`; undefined when the view does not show it. */
export function viewText(view: StreamView, taskId: string, event: TaskEvent): string | undefined {
  if (view === 'ndjson') return `${JSON.stringify(event)}\n`
  if (event.kind === 'output') {
    const data = { seq: event.seq, ...event.payload, type: 'output', content: event.payload.output }
    return formatSse({ event: 'output', id: event.seq, data })
  }
  const state = eventState(event)
  if (state && isTerminal(state)) {
    return formatSse({ event: 'done', id: event.seq, data: doneData(taskId, state) })
  }
  return undefined
}

/** The `done` event's data: the task and its final status by REST's names. */
export const doneData = (taskId: string, state: keyof typeof restStatus) => ({
  type: 'done' as const,
  task_id: taskId,
  status: restStatus[state],
})
