import { useState } from 'preact/hooks'
import { post } from '../api'
import type {
  Workspace as Codebase,
  SessionMessages,
  SessionPage,
  SessionResumed,
} from '../api-types'
import { useApi } from '../hooks'
import { act, Empty, ErrorBox, Field, formValues, Section, Time } from '../ui'

const enc = encodeURIComponent

function SessionView({ codebase, session }: { codebase: string; session: string }) {
  const base = `/v1/agent/codebases/${enc(codebase)}/sessions/${enc(session)}`
  const messages = useApi<SessionMessages>(`${base}/messages`)
  const list = messages.data?.messages ?? []
  return (
    <Section title="Conversation" actions={<a href={`#/sessions/${enc(codebase)}`}>← Sessions</a>}>
      <ErrorBox error={messages.error} />
      {list.length === 0 && !messages.loading && <Empty>No messages in this session.</Empty>}
      <ol class="feed">
        {list.map((m) => (
          <li key={m.id} class={`msg r-${m.role}`}>
            <div class="msg-head">
              <strong>{m.role}</strong>
              {m.model && <span class="muted">{m.model}</span>}
              <Time at={m.created_at} />
            </div>
            <pre class="line">{m.content}</pre>
          </li>
        ))}
      </ol>
      <form
        class="grid-form"
        onSubmit={async (e) => {
          const v = formValues(e)
          await act(async () => {
            const r = await post<SessionResumed>(`${base}/resume`, {
              prompt: v.prompt,
            })
            if (r.task_id) location.hash = `#/tasks/${enc(r.task_id)}`
          }, 'Session resumed')
        }}
      >
        <Field label="Resume with a prompt">
          <textarea name="prompt" required rows={2} />
        </Field>
        <button type="submit">Resume session</button>
      </form>
    </Section>
  )
}

export function Sessions({ codebase, session }: { codebase?: string; session?: string }) {
  const codebases = useApi<Codebase[]>('/v1/agent/codebases')
  const [q, setQ] = useState('')
  const query = new URLSearchParams({ limit: '100', ...(q ? { q } : {}) })
  const sessions = useApi<SessionPage>(
    codebase ? `/v1/agent/codebases/${enc(codebase)}/sessions?${query}` : null,
  )
  if (codebase && session)
    return <SessionView codebase={codebase} session={decodeURIComponent(session)} />
  return (
    <Section
      title="Sessions"
      actions={
        <Field label="Codebase">
          <select
            value={codebase ?? ''}
            onChange={(e) => {
              location.hash = `#/sessions/${enc(e.currentTarget.value)}`
            }}
          >
            <option value="">Choose…</option>
            {(codebases.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
      }
    >
      <ErrorBox error={sessions.error ?? codebases.error} />
      {!codebase && <Empty>Choose a codebase to see its agents' sessions.</Empty>}
      {codebase && (
        <form
          class="row filters"
          aria-label="Search sessions"
          onSubmit={(e) => setQ(formValues(e).q?.trim() ?? '')}
        >
          <Field label="Title or id">
            <input name="q" type="search" defaultValue={q} />
          </Field>
          <button type="submit">Search</button>
        </form>
      )}
      {codebase && sessions.data?.sessions.length === 0 && (
        <Empty>{q ? 'No matching sessions.' : 'No sessions synced yet.'}</Empty>
      )}
      <ul class="list">
        {(sessions.data?.sessions ?? []).map((s) => (
          <li key={s.id}>
            <a href={`#/sessions/${enc(codebase ?? '')}/${enc(s.id)}`}>{s.title || s.id}</a>{' '}
            <span class="muted">{s.agent}</span> <Time at={s.updated_at} />
          </li>
        ))}
      </ul>
    </Section>
  )
}
