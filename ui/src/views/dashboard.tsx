import { useEffect, useState } from 'preact/hooks'
import type { MonitorMessage, MonitorStats as Stats } from '../api-types'
import { useApi, useLiveRefresh } from '../hooks'
import { onMessage } from '../live'
import { ErrorBox, Section } from '../ui'
import { Feed, merge } from './feed'

const ORDER = ['pending', 'running', 'needs_input', 'completed', 'failed', 'cancelled']

export function Dashboard() {
  const stats = useApi<Stats>('/v1/monitor/stats')
  const recent = useApi<MonitorMessage[]>('/v1/monitor/messages?limit=15')
  const [feed, setFeed] = useState<MonitorMessage[]>([])
  useEffect(() => setFeed(recent.data ?? []), [recent.data])
  useEffect(() => onMessage((m) => setFeed((f) => merge(f, m, 15))), [])
  // The figures count the whole log: refreshed at most every 5 s however busy it is.
  useLiveRefresh(stats.reload, () => true, 5000)
  const s = stats.data
  // Until the figures arrive the tiles show a dash, never a misleading 0.
  const v = (f: (s: Stats) => string | number) => (s ? f(s) : '–')
  const tiles: [string, string | number][] = [
    ['Codebases', v((s) => s.codebases)],
    ['Workers online', v((s) => s.workers_online)],
    ['Active agents', v((s) => s.active_agents)],
    ['Messages', v((s) => s.total_messages)],
    ['Tool calls', v((s) => s.tool_calls)],
    ['Errors', v((s) => s.errors)],
    ['Tokens', v((s) => s.tokens.toLocaleString())],
    ['Avg response', v((s) => `${s.avg_response_time.toFixed(1)} s`)],
    ['Interventions', v((s) => s.interventions)],
  ]
  return (
    <>
      <ErrorBox error={stats.error} />
      <p>
        <a class="button" href="#/chat">
          Chat Directly
        </a>
      </p>
      <Section title="Overview">
        <dl class="tiles">
          {tiles.map(([k, v]) => (
            <div key={k} class="tile">
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </Section>
      <Section title="Tasks by state" actions={<a href="#/tasks">All tasks</a>}>
        <dl class="tiles">
          {ORDER.map((k) => (
            <div key={k} class={`tile s-${k}`}>
              <dt>{k.replace('_', ' ')}</dt>
              <dd>
                <a href={`#/tasks?status=${k}`}>{s ? (s.tasks_by_status[k] ?? 0) : '–'}</a>
              </dd>
            </div>
          ))}
        </dl>
      </Section>
      <Section title="Recent activity" actions={<a href="#/activity">Activity</a>}>
        <ErrorBox error={recent.error} />
        <Feed messages={feed} />
      </Section>
    </>
  )
}
