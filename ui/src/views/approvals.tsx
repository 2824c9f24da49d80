import { post } from '../api'
import type { Task } from '../api-types'
import { useApi, useLiveRefresh } from '../hooks'
import { act, Empty, ErrorBox, Section, Time } from '../ui'
import { taskName } from './tasks'

interface Pending {
  tool: string
  reason: string
  input: unknown
  key: string
}

export function Approvals() {
  const tasks = useApi<Task[]>('/v1/agent/tasks?status=needs_input&limit=200')
  useLiveRefresh(tasks.reload, (m) => m.metadata.kind === 'status')
  const waiting = (tasks.data ?? []).filter((t) => t.metadata.pending_action)
  const answer = (t: Task, approve: boolean) => {
    const note = approve ? undefined : (prompt('Why not? (optional)') ?? undefined)
    return act(
      () =>
        post(`/v1/agent/tasks/${encodeURIComponent(t.id)}/approve`, {
          approve,
          note,
          // The answer is for the action shown here; the server refuses it for another.
          action_key: (t.metadata.pending_action as Pending).key,
        }),
      approve ? 'Approved' : 'Denied',
    ).then(tasks.reload)
  }
  return (
    <Section title="Approvals">
      <ErrorBox error={tasks.error} />
      {waiting.length === 0 && !tasks.loading && <Empty>Nothing waits for approval.</Empty>}
      <ul class="cards">
        {waiting.map((t) => {
          const p = t.metadata.pending_action as Pending
          return (
            <li key={t.id} class="card sub">
              <h3>
                <a href={`#/tasks/${encodeURIComponent(t.id)}`}>{taskName(t)}</a>
              </h3>
              <p>
                <strong>{p.tool}</strong> {p.reason} <Time at={t.created_at} />
              </p>
              <pre class="tool-in">{JSON.stringify(p.input, null, 1)}</pre>
              <div class="row">
                <button type="button" onClick={() => answer(t, true)}>
                  Approve
                </button>
                <button type="button" class="danger" onClick={() => answer(t, false)}>
                  Deny
                </button>
              </div>
            </li>
          )
        })}
      </ul>
    </Section>
  )
}
