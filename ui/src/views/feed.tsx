/** A list of monitor messages, newest first, with readable tool events. */
import type { MonitorMessage } from '../api-types'
import { OutputLine } from '../output'
import { Badge, Empty, Time } from '../ui'

export function Feed({ messages, empty }: { messages: MonitorMessage[]; empty?: string }) {
  if (!messages.length) return <Empty>{empty ?? 'No messages yet.'}</Empty>
  return (
    <ol class="feed" aria-label="Messages, newest first">
      {messages.map((m) => (
        <li key={m.id} class={`msg t-${m.type}`}>
          <div class="msg-head">
            <Badge value={m.type} />
            <strong>{m.agent_name ?? 'system'}</strong>
            {typeof m.metadata.task_id === 'string' && (
              <a href={`#/tasks/${encodeURIComponent(m.metadata.task_id)}`} class="muted">
                task {m.metadata.task_id.slice(0, 8)}
              </a>
            )}
            {typeof m.metadata.to === 'string' && <span class="muted">→ {m.metadata.to}</span>}
            <Time at={m.timestamp} />
          </div>
          <OutputLine text={m.content} />
        </li>
      ))}
    </ol>
  )
}

/** Adds live messages to a list without duplicates (a reconnect may resend the latest). */
export function merge(list: MonitorMessage[], m: MonitorMessage, max = 200) {
  if (list.some((x) => x.id === m.id)) return list
  return [m, ...list].slice(0, max)
}
