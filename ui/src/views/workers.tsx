import type { Workspace as Codebase, Task, Worker } from '../api-types'
import { useApi, useLiveRefresh } from '../hooks'
import { Badge, Empty, ErrorBox, Section, Time } from '../ui'
import { taskName } from './tasks'

const modelName = (m: unknown) =>
  typeof m === 'string'
    ? m
    : String((m as { id?: string; name?: string }).id ?? (m as { name?: string }).name ?? '?')

export function Workers() {
  const workers = useApi<Worker[]>('/v1/monitor/workers')
  const codebases = useApi<Codebase[]>('/v1/agent/codebases')
  const running = useApi<Task[]>('/v1/agent/tasks?status=running&limit=200')
  useLiveRefresh(
    () => {
      running.reload()
      workers.reload()
    },
    (m) => m.type === 'system' || m.type === 'error',
  )
  const list = workers.data ?? []
  return (
    <Section title="Workers">
      <ErrorBox error={workers.error} />
      {list.length === 0 && !workers.loading ? (
        <Empty>No workers. Start one with `npx codetether worker --codebases PATH`.</Empty>
      ) : (
        <ul class="cards">
          {list.map((w) => {
            const mine = (codebases.data ?? []).filter((c) => c.worker_id === w.worker_id)
            const task = (running.data ?? []).find((t) => t.worker_id === w.worker_id)
            return (
              <li key={w.worker_id} class="card sub">
                <h3>
                  {w.name} <Badge value={w.is_online ? 'online' : 'offline'} />
                </h3>
                <dl class="kv">
                  <dt>Host</dt>
                  <dd>{w.hostname ?? '–'}</dd>
                  <dt>Last seen</dt>
                  <dd>
                    <Time at={w.last_seen} />
                  </dd>
                  <dt>Models</dt>
                  <dd>{w.models.map(modelName).join(', ') || '–'}</dd>
                  <dt>Codebases</dt>
                  <dd>{mine.map((c) => c.name).join(', ') || '–'}</dd>
                  <dt>Current task</dt>
                  <dd>
                    {task ? (
                      <a href={`#/tasks/${encodeURIComponent(task.id)}`}>{taskName(task)}</a>
                    ) : (
                      'idle'
                    )}
                  </dd>
                </dl>
              </li>
            )
          })}
        </ul>
      )}
    </Section>
  )
}
