import type { MonitorAgent } from '../api-types'
import { useApi, useLiveAgents } from '../hooks'
import { Badge, Empty, ErrorBox, Section, Time } from '../ui'

export function Agents() {
  const loaded = useApi<MonitorAgent[]>('/v1/monitor/agents')
  // Presence arrives on the live stream; the first list comes from the API.
  const agents = useLiveAgents() ?? loaded.data ?? []
  return (
    <Section title="Agents">
      <ErrorBox error={loaded.error} />
      {agents.length === 0 ? (
        <Empty>No agents.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Agents and their presence</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Messages</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.name}>
                  <th scope="row">
                    {a.name}
                    <div class="muted small">{a.description}</div>
                  </th>
                  <td>{a.kind}</td>
                  <td>
                    <Badge value={a.status} />
                  </td>
                  <td>{a.messages_count}</td>
                  <td>
                    <Time at={a.last_seen} />
                  </td>
                  <td>
                    {a.kind !== 'builtin' && (
                      <a href={`#/intervene?agent=${encodeURIComponent(a.name)}`}>Message</a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  )
}
