import type { TaskEvent } from '../task-model/events'
import { isTerminal, restStatus } from '../task-model/states'
import type { TaskRow } from '../task-model/store'

/** One event of a workspace's UI stream (upstream's /codebases/{id}/events). */
export interface WorkspaceEvent {
  event: 'status' | 'message' | 'tool' | 'result'
  data: Record<string, unknown>
}

/**
 * A line of coding-CLI output as the UI shows it: JSON event lines of opencode/claude-style
 * CLIs (`{"type":"tool_use",...}`, `{"type":"text",...}`) become tool or text messages;
 * anything else is text as it is.
 */
function outputEvent(task: TaskRow, payload: Record<string, unknown>): WorkspaceEvent {
  const line = String(payload.output ?? '')
  const base = { task_id: task.id, worker_id: payload.worker_id ?? task.workerId }
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>
    const type = typeof parsed.type === 'string' ? parsed.type : ''
    const part = (parsed.part ?? parsed) as Record<string, unknown>
    if (type === 'tool_use' || type === 'tool' || part.type === 'tool') {
      return {
        event: 'tool',
        data: {
          ...base,
          tool: part.tool ?? part.name ?? parsed.name,
          state: part.state ?? null,
          raw: parsed,
        },
      }
    }
    if (type === 'text' || part.type === 'text') {
      return {
        event: 'message',
        data: { ...base, type: 'text', content: String(part.text ?? parsed.text ?? '') },
      }
    }
    if (type) return { event: 'status', data: { ...base, type, raw: parsed } }
  } catch {
    // not JSON: plain text output
  }
  return { event: 'message', data: { ...base, type: 'text', content: line } }
}

/** What a change of a workspace's task shows in that workspace's UI stream. */
export function workspaceEvents(task: TaskRow, events: TaskEvent[]): WorkspaceEvent[] {
  const out: WorkspaceEvent[] = []
  for (const e of events) {
    if (e.kind === 'output') out.push(outputEvent(task, e.payload))
    if (e.kind === 'status') {
      const state = (e.payload.status as { state: keyof typeof restStatus }).state
      out.push({
        event: 'status',
        data: { task_id: task.id, status: restStatus[state], worker_id: task.workerId },
      })
      if (isTerminal(state)) {
        out.push({
          event: 'result',
          data: {
            task_id: task.id,
            status: restStatus[state],
            result: task.result,
            error: task.error,
          },
        })
      }
    }
  }
  return out
}
