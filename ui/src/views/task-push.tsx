import type { PushDeliveries as Deliveries, PushAttempt } from '../api-types'
import { useApi, useLiveRefresh } from '../hooks'
import { Badge, ErrorBox, Section, Time } from '../ui'

const outcome = (t: PushAttempt) =>
  t.status_code === null ? (t.error ?? 'no answer') : t.status_code

/** The task's webhook deliveries: one row per event and webhook, its tries and next retry. */
export function PushDeliveries({ id }: { id: string }) {
  const list = useApi<Deliveries>(`/v1/agent/tasks/${encodeURIComponent(id)}/push-deliveries`)
  useLiveRefresh(list.reload, (m) => m.metadata.task_id === id && m.metadata.kind === 'status')
  const deliveries = list.data?.deliveries ?? []
  // Most tasks have no webhook: nothing to show then.
  if (deliveries.length === 0 && !list.error) return null
  return (
    <Section title="Push deliveries">
      <ErrorBox error={list.error} />
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Webhook deliveries of this task, oldest event first</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">State</th>
              <th scope="col">Tries</th>
              <th scope="col">Last try</th>
              <th scope="col">Next retry</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={`${d.config_id}:${d.seq}`}>
                <th scope="row" title={`webhook ${d.config_id}`}>
                  #{d.seq}
                </th>
                <td>
                  <Badge value={d.state} />
                </td>
                <td>{d.tries.map(outcome).join(', ') || '–'}</td>
                <td>
                  <Time at={d.tries.at(-1)?.attempted_at} />
                </td>
                <td>
                  <Time at={d.next_retry_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  )
}
