import { useEffect, useState } from 'preact/hooks'
import { download } from '../api'
import type { MonitorCount, MonitorMessage } from '../api-types'
import { useApi, useLiveRefresh } from '../hooks'
import { onMessage } from '../live'
import { act, ErrorBox, Field, formValues, Section } from '../ui'
import { Feed, merge } from './feed'

const TYPES = ['agent', 'human', 'system', 'tool', 'error']
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

export function Activity() {
  const [filter, setFilter] = useState({ q: '', type: '', agent: '' })
  const q = new URLSearchParams({ limit: '200' })
  if (filter.type) q.set('type', filter.type)
  if (filter.agent) q.set('agent', filter.agent)
  if (filter.q) q.set('q', filter.q)
  const path = filter.q ? `/v1/monitor/messages/search?${q}` : `/v1/monitor/messages?${q}`
  const loaded = useApi<MonitorMessage[]>(path)
  const count = useApi<MonitorCount>(`/v1/monitor/messages/count?${q}`)
  const [messages, setMessages] = useState<MonitorMessage[]>([])
  useEffect(() => setMessages(loaded.data ?? []), [loaded.data])
  const matches = (m: MonitorMessage) => {
    const needle = filter.q.toLowerCase()
    if (filter.type && m.type !== filter.type) return false
    if (filter.agent && m.agent_name !== filter.agent) return false
    return !needle || `${m.content} ${m.agent_name}`.toLowerCase().includes(needle)
  }
  useEffect(
    () =>
      onMessage((m) => {
        if (matches(m)) setMessages((xs) => merge(xs, m))
      }),
    [filter],
  )
  // The count is the server's, asked again (at most each second) while matching messages
  // arrive: adding live ones to a count taken apart from the list counted a message that
  // landed between the two requests twice, or not at all.
  useLiveRefresh(count.reload, matches, 1000)
  const day = new Date().toISOString().slice(0, 10)
  return (
    <Section
      title="Activity"
      actions={
        <div class="row">
          <button
            type="button"
            onClick={() =>
              act(() => download('/v1/monitor/export/json?limit=5000', `monitor-${day}.json`))
            }
          >
            Export JSON
          </button>
          <button
            type="button"
            onClick={() =>
              act(() => download('/v1/monitor/export/csv?limit=5000', `monitor-${day}.csv`))
            }
          >
            Export CSV
          </button>
        </div>
      }
    >
      <form
        class="row filters"
        aria-label="Filter messages"
        onSubmit={(e) => {
          const v = formValues(e)
          setFilter({ q: v.q ?? '', type: v.type ?? '', agent: v.agent ?? '' })
        }}
      >
        <Field label="Search">
          <input name="q" type="search" defaultValue={filter.q} />
        </Field>
        <Field label="Type">
          <select name="type" defaultValue={filter.type}>
            <option value="">All</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Agent">
          <input name="agent" defaultValue={filter.agent} />
        </Field>
        <button type="submit">Apply</button>
      </form>
      <p class="muted" aria-live="polite">
        {count.data ? plural(count.data.count, 'matching message') : ''}
      </p>
      <ErrorBox error={loaded.error} />
      <Feed messages={messages} empty="No matching messages." />
    </Section>
  )
}
